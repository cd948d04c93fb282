export type { GeminiApprovalMode, GeminiOutputFormat, GeminiSettings } from './gemini.js';
export {
  createGemini,
  createGeminiJsonMapper,
  createGeminiStreamMapper,
  GEMINI_MODEL_ALIASES,
  GEMINI_OVERRIDE_VARIABLE,
  gemini,
  geminiArguments,
  geminiResumeArguments,
} from './gemini.js';
