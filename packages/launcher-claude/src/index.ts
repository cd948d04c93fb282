export type { ClaudePermissionMode, ClaudeSettings } from './claude.js';
export {
  CLAUDE_OVERRIDE_VARIABLE,
  CLAUDE_PERMISSION_MODES,
  claude,
  claudeArguments,
  claudeEnvironment,
  createClaude,
  createClaudeMapper,
} from './claude.js';
