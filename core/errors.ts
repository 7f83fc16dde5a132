/**
 * Error classes say what happens next. Callers branch on the class or on `code`, never on the
 * message text. `decide()` is the one place that turns an error into retry / record / stop.
 */

export type ErrorCode =
  | 'USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFIG'
  | 'HTTP_STATUS'
  | 'HTTP_TIMEOUT'
  | 'NETWORK'
  | 'TLS_CERT'
  | 'TOO_MANY_REDIRECTS'
  | 'BODY_TOO_LARGE'
  | 'ROBOTS_DISALLOWED'
  | 'HOST_NOT_ALLOWED'
  | 'UNSUPPORTED_CONTENT'
  | 'PARSE'
  | 'EXTRACT'
  | 'CONFLICT'
  | 'STORAGE'
  | 'RELEASE_EXISTS'
  | 'INTERNAL';

export interface PipelineErrorOptions {
  readonly cause?: unknown;
  /** Earliest time a retry makes sense, in milliseconds from now (e.g. from Retry-After). */
  readonly retryAfterMs?: number;
}

export class PipelineError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: PipelineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A transient failure: the same job may succeed later (5xx, 429, timeouts, resets). */
export class RetryableError extends PipelineError {}

/** This job can never succeed as it is: record the reason and go on with the rest. */
export class NonRetryableError extends PipelineError {}

/** The run cannot go on (database gone, disk full, bad configuration): stop everything. */
export class FatalError extends PipelineError {}

/** A user mistake: printed as one line by the CLI, never with a stack trace. */
export class UserError extends PipelineError {
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super('USER_INPUT', message, options);
  }
}

/** Optimistic-concurrency or state conflict (a record changed under the caller). */
export class ConflictError extends PipelineError {
  constructor(message: string, options: PipelineErrorOptions = {}) {
    super('CONFLICT', message, options);
  }
}

/**
 * retry: reschedule with backoff; record: mark failed with the reason and go on;
 * skip: the job must not run (robots.txt says no), recorded as skipped, not as a failure;
 * stop: the run cannot go on.
 */
export type FailureDecision = 'retry' | 'record' | 'skip' | 'stop';

/** Codes that mean "must not be done" rather than "went wrong". */
const SKIP_CODES: ReadonlySet<ErrorCode> = new Set(['ROBOTS_DISALLOWED']);

/** Node's system errors carry a string `code`; read it without casting to any. */
function systemCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

const TRANSIENT_SYSTEM_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const FATAL_SYSTEM_CODES = new Set(['ENOSPC', 'EROFS', 'SQLITE_FULL', 'SQLITE_CORRUPT']);

/**
 * The one function that decides what a failed job does next.
 * `attempt` is 1-based: the attempt that just failed.
 */
export function decide(err: unknown, attempt: number, maxAttempts: number): FailureDecision {
  if (err instanceof FatalError) return 'stop';
  if (err instanceof NonRetryableError && SKIP_CODES.has(err.code)) return 'skip';
  const sys = systemCode(err);
  if (sys !== undefined && FATAL_SYSTEM_CODES.has(sys)) return 'stop';
  const transient =
    err instanceof RetryableError || (sys !== undefined && TRANSIENT_SYSTEM_CODES.has(sys));
  if (transient) return attempt < maxAttempts ? 'retry' : 'record';
  return 'record';
}

/** A short, stable reason string for the failure record (code first, then the message). */
export function reasonOf(err: unknown): string {
  if (err instanceof PipelineError) return `${err.code}: ${err.message}`;
  const sys = systemCode(err);
  const message = err instanceof Error ? err.message : String(err);
  return sys === undefined ? message : `${sys}: ${message}`;
}

/** Wraps anything thrown into a PipelineError (keeping the original as `cause`). */
export function toPipelineError(err: unknown): PipelineError {
  if (err instanceof PipelineError) return err;
  const sys = systemCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (sys !== undefined && TRANSIENT_SYSTEM_CODES.has(sys)) {
    return new RetryableError('NETWORK', `${sys}: ${message}`, { cause: err });
  }
  return new NonRetryableError('INTERNAL', message, { cause: err });
}
