import type { Config } from '../../core/config.js';
import { UserError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { ExtractionResult } from '../../schemas/agreement.js';
import type { ExtractInput } from '../../schemas/document.js';
import { extract as extractByRules } from '../index.js';
import type { LlmCache } from './cache.js';
import { compareResults, type Disagreement } from './compare.js';
import { LlmExtractor, type LlmExtractorOptions, type LlmSource } from './extractor.js';

/** `pactwatch extract --extractor`: the rules, the model, or both with their disagreements. */
export const EXTRACTOR_MODES = ['rules', 'llm', 'both'] as const;
export type ExtractorMode = (typeof EXTRACTOR_MODES)[number];

/** The server the hosted API listens on, when `OPENAI_BASE_URL` does not name another. */
const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export function parseExtractorMode(value: string): ExtractorMode {
  const mode = EXTRACTOR_MODES.find((m) => m === value);
  if (mode === undefined) {
    throw new UserError(`--extractor expects rules, llm or both, got \`${value}\``);
  }
  return mode;
}

/** The LLM extractor the configuration turns on, or undefined (no `PACTWATCH_LLM_MODEL`). */
export function llmFromConfig(
  config: Config,
  options: Omit<LlmExtractorOptions, 'baseUrl' | 'model' | 'apiKey'> & {
    readonly cache?: LlmCache;
    readonly logger?: Logger;
  } = {},
): LlmExtractor | undefined {
  if (config.llmModel === undefined) return undefined;
  return new LlmExtractor({
    ...options,
    baseUrl: config.openaiBaseUrl ?? DEFAULT_BASE_URL,
    model: config.llmModel,
    ...(config.openaiApiKey === undefined ? {} : { apiKey: config.openaiApiKey }),
  });
}

export interface PageCoding {
  /** The rules' records with `rules` and `both`; the model's (or the rules' fallback) with `llm`. */
  readonly result: ExtractionResult;
  /** Which extractor coded `result`. */
  readonly source: LlmSource;
  /** With `both`: where the model disagrees (empty when it agrees; null when it could not answer). */
  readonly disagreements: readonly Disagreement[] | null;
  /** With `both`: the model's answer. */
  readonly llm: ExtractionResult | null;
}

/** Codes one page with the mode asked for. */
export async function codePage(
  mode: ExtractorMode,
  input: ExtractInput,
  llm: LlmExtractor | undefined,
  rules: (input: ExtractInput) => ExtractionResult = extractByRules,
): Promise<PageCoding> {
  if (mode === 'rules' || llm === undefined) {
    return { result: rules(input), source: 'rules', disagreements: null, llm: null };
  }
  const outcome = await llm.extract(input);
  if (mode === 'llm') {
    return { result: outcome.result, source: outcome.source, disagreements: null, llm: null };
  }
  const own = rules(input);
  if (outcome.source === 'rules')
    return { result: own, source: 'rules', disagreements: null, llm: null };
  return {
    result: own,
    source: 'rules',
    disagreements: compareResults(own, outcome.result),
    llm: outcome.result,
  };
}
