export type { CodexSandboxMode, CodexSettings } from './codex.js';
export {
  CODEX_OVERRIDE_VARIABLE,
  codex,
  codexArguments,
  createCodex,
  createCodexMapper,
  findGitDirectories,
} from './codex.js';
