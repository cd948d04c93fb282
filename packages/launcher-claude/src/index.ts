export type { ClaudePermissionMode, ClaudeSettings } from './claude.js';
export {
  CLAUDE_OVERRIDE_VARIABLE,
  claude,
  claudeArguments,
  createClaude,
  createClaudeMapper,
} from './claude.js';
