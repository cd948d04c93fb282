export { type CreateCatalogOptions, createCatalog, type XPromptCatalog } from './create-catalog.js';
export {
  type Diagnostic,
  type DiagnosticJson,
  diagnosticToJson,
  formatDiagnostic,
  hasFatalDiagnostic,
} from './diagnostic.js';
export {
  DIRECTIVE_ALIASES,
  type DirectiveName,
  type Directives,
  type DirectivesJson,
  directivesToJson,
} from './directives.js';
export {
  type ExpandedSegment,
  type ExpandOptions,
  type ExpandResult,
  expandPrompt,
  expandPromptOrThrow,
  type TraceEntry,
} from './expand-prompt.js';
export {
  type BuiltinXPrompt,
  type LoadCatalogOptions,
  loadCatalog,
  type ReadXPromptDirectoryOptions,
  readXPromptDirectory,
  type XPromptDirectory,
} from './load-catalog.js';
export {
  isValidXPromptName,
  parseXPrompt,
  type XPrompt,
  type XPromptInput,
  type XPromptInputType,
  type XPromptOrigin,
  type XPromptText,
} from './parse-xprompt.js';
export {
  type PromptSegmentSource,
  type SplitSegmentsOptions,
  type SplitSegmentsResult,
  splitSegments,
} from './split-segments.js';
export { XPromptError, type XPromptErrorCode, type XPromptErrorOptions } from './xprompt-error.js';
