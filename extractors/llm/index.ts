export { cacheKey, DbLlmCache, type LlmCache, MemoryLlmCache } from './cache.js';
export { COMPARED_FIELDS, compareResults, type Disagreement } from './compare.js';
export {
  LLM_EXTRACTOR_DEFAULTS,
  LlmExtractor,
  type LlmExtractorOptions,
  type LlmOutcome,
  type LlmSource,
  type LlmUsage,
} from './extractor.js';
export {
  codePage,
  EXTRACTOR_MODES,
  type ExtractorMode,
  llmFromConfig,
  type PageCoding,
  parseExtractorMode,
} from './modes.js';
export {
  fileDisagreements,
  type PendingDisagreement,
  type SecondOpinion,
  type SecondOpinionResult,
  type StageExtractor,
  secondOpinionOf,
  stageExtractor,
  withSecondOpinion,
} from './pipeline.js';
export { LLM_OUTPUT_JSON_SCHEMA, PROMPT_VERSION, SYSTEM_PROMPT, toExtraction } from './schema.js';
