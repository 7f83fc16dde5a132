import { NonRetryableError, type PipelineErrorOptions, RetryableError } from '../core/errors.js';

/**
 * HTTP status failures carry the status and the URL that answered, so callers can tell a page
 * that vanished (404/410) from one that is forbidden, without reading the message.
 * Both are `HTTP_STATUS` errors; the class says whether a retry makes sense.
 */

/** 404, 410 and other final 4xx answers (and 3xx without a usable Location). */
export class HttpStatusError extends NonRetryableError {
  readonly status: number;
  readonly url: string;

  constructor(status: number, url: string, options: PipelineErrorOptions = {}) {
    super('HTTP_STATUS', `HTTP ${status} from ${url}`, options);
    this.status = status;
    this.url = url;
  }
}

/** 429, 408 and 5xx answers: the same request may succeed later (after `retryAfterMs`). */
export class RetryableHttpStatusError extends RetryableError {
  readonly status: number;
  readonly url: string;

  constructor(status: number, url: string, options: PipelineErrorOptions = {}) {
    super('HTTP_STATUS', `HTTP ${status} from ${url}`, options);
    this.status = status;
    this.url = url;
  }
}

/** The HTTP status behind an error, or undefined when it was not an HTTP status failure. */
export function httpStatusOf(err: unknown): number | undefined {
  if (err instanceof HttpStatusError || err instanceof RetryableHttpStatusError) return err.status;
  return undefined;
}

/** True for answers that mean the page is gone for good (record it as vanished). */
export function isVanished(err: unknown): boolean {
  const status = httpStatusOf(err);
  return status === 404 || status === 410;
}
