export type { GeminiApprovalMode, GeminiOutputFormat, GeminiSettings } from './gemini.js';
export {
  createGemini,
  createGeminiJsonMapper,
  createGeminiStreamMapper,
  GEMINI_OVERRIDE_VARIABLE,
  gemini,
  geminiArguments,
} from './gemini.js';
