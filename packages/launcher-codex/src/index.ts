export type { CodexSandboxMode, CodexSettings } from './codex.js';
export {
  CODEX_MODEL_ALIASES,
  CODEX_OVERRIDE_VARIABLE,
  codex,
  codexArguments,
  codexResumeArguments,
  createCodex,
  createCodexMapper,
  findGitDirectories,
} from './codex.js';
