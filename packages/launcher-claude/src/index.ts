export type { ClaudePermissionMode, ClaudeSettings } from './claude.js';
export {
  CLAUDE_MODEL_ALIASES,
  CLAUDE_OVERRIDE_VARIABLE,
  CLAUDE_PERMISSION_MODES,
  claude,
  claudeArguments,
  claudeEnvironment,
  claudeResumeArguments,
  createClaude,
  createClaudeMapper,
} from './claude.js';
