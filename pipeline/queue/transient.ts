import { PipelineError, RetryableError, reasonOf } from '../../core/errors.js';

/**
 * SQLSTATE classes that say "the database or the connection had a moment", not "this job is
 * wrong": connection exceptions (08), insufficient resources (53), operator intervention such
 * as a terminated backend or a restart (57P01..57P03), serialization failures and deadlocks
 * (40001, 40P01). The transaction was rolled back whole, so running the job again is safe.
 */
const TRANSIENT_SQLSTATE = /^(08...|53...|57P0[1-3]|40001|40P01)$/;

function codeOf(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

/**
 * True for failures of the storage or queue connection rather than of the job. Besides the
 * SQLSTATEs above, drivers report a dropped connection with a plain `Error` and no code (pg's
 * "Connection terminated", ioredis' "Connection is closed"); code bugs throw subclasses
 * (TypeError, RangeError) or our own classes, which keep their meaning. A misjudged bug only
 * costs the job's remaining attempts before it is recorded as failed.
 */
export function isTransientInfraError(err: unknown): boolean {
  if (err instanceof PipelineError) return false;
  const code = codeOf(err);
  if (code !== undefined) return TRANSIENT_SQLSTATE.test(code);
  return err instanceof Error && Object.getPrototypeOf(err) === Error.prototype;
}

/** Turns a dropped connection into a retryable error, so `decide()` reschedules the job. */
export function asRetryableInfra(err: unknown): unknown {
  if (!isTransientInfraError(err)) return err;
  return new RetryableError('STORAGE', `storage or queue connection failed: ${reasonOf(err)}`, {
    cause: err,
  });
}
