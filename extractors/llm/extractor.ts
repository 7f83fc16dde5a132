import type OpenAI from 'openai';
import { NonRetryableError, RetryableError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import type { ExtractionResult } from '../../schemas/agreement.js';
import type { ExtractInput } from '../../schemas/document.js';
import { extract as extractByRules } from '../index.js';
import { cacheKey, type LlmCache, MemoryLlmCache } from './cache.js';
import {
  LLM_OUTPUT_JSON_SCHEMA,
  PROMPT_VERSION,
  parseAnswer,
  SYSTEM_PROMPT,
  toExtraction,
  userPrompt,
} from './schema.js';

/**
 * The optional second opinion: asks any OpenAI-compatible server (a hosted API, llama.cpp,
 * vLLM) for the same record as structured output, validated by the same zod schema as the
 * rules' output. Answers are cached by content hash; each call has a time limit and an output
 * limit, each run a budget of calls and tokens; on any failure (network, timeout, refusal,
 * malformed or invalid answer, budget spent) the page is coded by the rules instead.
 */

export interface LlmExtractorOptions {
  /** The server, e.g. `http://127.0.0.1:8080/v1` (`OPENAI_BASE_URL`). */
  readonly baseUrl: string;
  /** `PACTWATCH_LLM_MODEL`. */
  readonly model: string;
  /**
   * `OPENAI_API_KEY`; local servers need none.
   * @default 'none'
   */
  readonly apiKey?: string;
  /**
   * Time limit of one call, in milliseconds.
   * @default 60000
   */
  readonly timeoutMs?: number;
  /**
   * Output tokens one answer may use.
   * @default 4096
   */
  readonly maxTokens?: number;
  /**
   * Page text sent, in characters (the rest is cut: signing reports come first).
   * @default 24000
   */
  readonly maxInputChars?: number;
  /**
   * Calls one run may make; later pages are coded by the rules.
   * @default 1000
   */
  readonly maxCalls?: number;
  /**
   * Tokens (prompt and answer, as the server reports them) one run may spend.
   * @default 5000000
   */
  readonly maxTotalTokens?: number;
  /** @default an in-memory cache */
  readonly cache?: LlmCache;
  /** @default silent */
  readonly logger?: Logger;
  /**
   * What codes a page the model could not.
   * @default the rule-based extractor
   */
  readonly fallback?: (input: ExtractInput) => ExtractionResult;
}

export const LLM_EXTRACTOR_DEFAULTS = Object.freeze({
  apiKey: 'none',
  timeoutMs: 60_000,
  maxTokens: 4096,
  maxInputChars: 24_000,
  maxCalls: 1000,
  maxTotalTokens: 5_000_000,
});

/** Where a page's coding came from. */
export type LlmSource = 'llm' | 'cache' | 'rules';

export interface LlmOutcome {
  readonly result: ExtractionResult;
  readonly source: LlmSource;
  /** Why the rules coded the page, when they did. */
  readonly reason: string | null;
}

export interface LlmUsage {
  calls: number;
  tokens: number;
  cacheHits: number;
  fallbacks: number;
}

function positiveInteger(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new TypeError(`Expected \`${field}\` to be a positive integer, got \`${String(value)}\``);
  }
  return value;
}

function nonEmpty(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`Expected \`${field}\` to be a non-empty string, got \`${String(value)}\``);
  }
  return value;
}

export class LlmExtractor {
  readonly #clientOptions: { baseURL: string; apiKey: string; timeout: number; maxRetries: number };
  #client: Promise<OpenAI> | undefined;
  readonly #model: string;
  readonly #maxTokens: number;
  readonly #maxInputChars: number;
  readonly #maxCalls: number;
  readonly #maxTotalTokens: number;
  readonly #cache: LlmCache;
  readonly #logger: Logger;
  readonly #fallback: (input: ExtractInput) => ExtractionResult;
  readonly #usage: LlmUsage = { calls: 0, tokens: 0, cacheHits: 0, fallbacks: 0 };

  constructor(options: LlmExtractorOptions) {
    const o = { ...LLM_EXTRACTOR_DEFAULTS, ...options };
    const baseUrl = nonEmpty('baseUrl', o.baseUrl);
    this.#model = nonEmpty('model', o.model);
    this.#maxTokens = positiveInteger('maxTokens', o.maxTokens);
    this.#maxInputChars = positiveInteger('maxInputChars', o.maxInputChars);
    this.#maxCalls = positiveInteger('maxCalls', o.maxCalls);
    this.#maxTotalTokens = positiveInteger('maxTotalTokens', o.maxTotalTokens);
    const timeoutMs = positiveInteger('timeoutMs', o.timeoutMs);
    this.#cache = o.cache ?? new MemoryLlmCache();
    this.#logger = (o.logger ?? silentLogger).child({ component: 'llm-extractor' });
    this.#fallback = o.fallback ?? extractByRules;
    // Retries would spend the time limit and the budget twice; a failed page falls back instead.
    this.#clientOptions = { baseURL: baseUrl, apiKey: o.apiKey, timeout: timeoutMs, maxRetries: 0 };
  }

  /** The SDK is loaded on the first call: commands that never ask a model do not pay for it. */
  #openai(): Promise<OpenAI> {
    this.#client ??= import('openai').then(
      ({ default: OpenAIClient }) => new OpenAIClient(this.#clientOptions),
    );
    return this.#client;
  }

  get model(): string {
    return this.#model;
  }

  /** Calls, tokens, cache hits and fallbacks of this run so far. */
  get usage(): Readonly<LlmUsage> {
    return { ...this.#usage };
  }

  /** Codes one page: from the cache, else from the model, else (any failure) from the rules. */
  async extract(input: ExtractInput): Promise<LlmOutcome> {
    const url = input.url ?? null;
    const published = input.published ?? null;
    const text = input.text.slice(0, this.#maxInputChars);
    const key = cacheKey({
      promptVersion: PROMPT_VERSION,
      model: this.#model,
      text,
      url,
      published,
    });
    try {
      const cached = await this.#cache.get(key);
      if (cached !== undefined) {
        this.#usage.cacheHits += 1;
        return { result: cached, source: 'cache', reason: null };
      }
      this.#checkBudget();
      const { result, tokens } = await this.#ask(text, url, published);
      await this.#cache.set(key, { model: this.#model, result, tokens });
      return { result, source: 'llm', reason: null };
    } catch (error) {
      this.#usage.fallbacks += 1;
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.warn({ url, reason }, 'LLM extraction failed; the rules code the page');
      return { result: this.#fallback(input), source: 'rules', reason };
    }
  }

  #checkBudget(): void {
    if (this.#usage.calls >= this.#maxCalls) {
      throw new NonRetryableError('EXTRACT', `LLM budget spent: ${this.#maxCalls} calls`);
    }
    if (this.#usage.tokens >= this.#maxTotalTokens) {
      throw new NonRetryableError('EXTRACT', `LLM budget spent: ${this.#maxTotalTokens} tokens`);
    }
  }

  async #ask(
    text: string,
    url: string | null,
    published: string | null,
  ): Promise<{ result: ExtractionResult; tokens: number }> {
    this.#usage.calls += 1;
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      const client = await this.#openai();
      completion = await client.chat.completions.create({
        model: this.#model,
        temperature: 0,
        max_tokens: this.#maxTokens,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'pactwatch_extraction',
            schema: LLM_OUTPUT_JSON_SCHEMA,
            strict: false,
          },
        },
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: userPrompt(text, url, published) },
        ],
      });
    } catch (cause) {
      throw new RetryableError('EXTRACT', `LLM call failed: ${describe(cause)}`, { cause });
    }
    const tokens = completion.usage?.total_tokens ?? 0;
    this.#usage.tokens += tokens;
    const choice = completion.choices[0];
    const content = choice?.message.content;
    if (choice === undefined || content === null || content === undefined || content === '') {
      throw new NonRetryableError('EXTRACT', 'LLM answer was empty');
    }
    if (choice.finish_reason === 'length') {
      throw new NonRetryableError('EXTRACT', `LLM answer cut at ${this.#maxTokens} tokens`);
    }
    let answer: unknown;
    try {
      answer = parseAnswer(content);
    } catch (cause) {
      throw new NonRetryableError('EXTRACT', 'LLM answer was not JSON', { cause });
    }
    try {
      return { result: toExtraction(answer, text, url), tokens };
    } catch (cause) {
      throw new NonRetryableError('EXTRACT', 'LLM answer did not fit the schema', { cause });
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error && 'status' in error && typeof error.status === 'number') {
    return `HTTP ${error.status}`;
  }
  if (error instanceof Error)
    return error.name === 'APIConnectionTimeoutError' ? 'timed out' : error.message;
  return String(error);
}
