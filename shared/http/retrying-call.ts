/**
 * One call to a Google JSON API with bounded retries: a bearer token from the token source, a time limit per
 * attempt, exponential backoff with jitter (honouring Retry-After) on 408, 429, 5xx, timeouts and network
 * errors, and a total budget. It never throws for an HTTP outcome: it resolves to the final answer, or to
 * `unavailable` once the budget is spent.
 */
import type { RetryPolicy } from '../config/rbm.js';
import { parseErrorBody, statusForHttpCode, type ErrorBody } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { AccessTokenSource } from './access-tokens.js';
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs } from './backoff.js';

export type GoogleApiError = ErrorBody['error'];

export type CallResult =
  /** A status that retrying would not change (2xx or a final 4xx), with its parsed body. */
  | { kind: 'answer'; status: number; body: unknown; attempts: number }
  /** Retryable failures until the budget ran out; `error` describes the last one. */
  | { kind: 'unavailable'; error: GoogleApiError; attempts: number };

export interface RetryingCallDeps {
  fetch: typeof fetch;
  tokens: AccessTokenSource;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  logger: Logger;
}

export interface CallRequest {
  method: string;
  url: string;
  /** Sent as JSON when defined. */
  body?: unknown;
  /** Added to the warnings logged for failed attempts. */
  logFields: Record<string, unknown>;
}

type AttemptResult =
  | { kind: 'response'; status: number; body: unknown; retryAfterMs: number | undefined }
  | { kind: 'network'; error: GoogleApiError; timedOut: boolean };

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `api` names the service in errors and logs, e.g. "Cloud Tasks". */
export async function callWithRetries(
  api: string,
  retry: RetryPolicy,
  deps: RetryingCallDeps,
  request: CallRequest,
): Promise<CallResult> {
  const started = deps.now();
  let previousError: GoogleApiError | undefined;
  for (let attempt = 1; ; attempt++) {
    const remaining = retry.deadlineMs - (deps.now() - started);
    // AbortSignal.timeout takes whole milliseconds only; a clock with fractions must not turn into a failure.
    const timeoutMs = Math.max(1, Math.ceil(Math.min(retry.attemptTimeoutMs, remaining)));
    const result = await attemptOnce(api, deps, request, timeoutMs);
    if (result.kind === 'response' && !isRetryableStatus(result.status)) {
      return { kind: 'answer', status: result.status, body: result.body, attempts: attempt };
    }
    // An attempt that timed out only because the budget left it less than a full attempt's time says nothing
    // about the service: report what the service itself last said (a 503, say) rather than our own cut-off.
    const cutByBudget = result.kind === 'network' && result.timedOut && timeoutMs < retry.attemptTimeoutMs;
    const error =
      cutByBudget && previousError
        ? previousError
        : result.kind === 'network'
          ? result.error
          : toApiError(api, result.status, result.body);
    previousError = error;
    const retryAfterMs = result.kind === 'response' ? result.retryAfterMs : undefined;
    const delay = retryDelayMs(attempt, retryAfterMs, retry, deps.random);
    const elapsed = deps.now() - started;
    const fields = { ...request.logFields, method: request.method, attempt, upstreamStatus: error.code };
    if (elapsed + delay >= retry.deadlineMs) {
      deps.logger.warn(`${api} call failed; retry budget exhausted`, { ...fields, elapsedMs: elapsed });
      return { kind: 'unavailable', error, attempts: attempt };
    }
    deps.logger.warn(`${api} call failed; retrying`, { ...fields, delayMs: delay });
    await deps.sleep(delay);
  }
}

async function attemptOnce(
  api: string,
  deps: RetryingCallDeps,
  request: CallRequest,
  timeoutMs: number,
): Promise<AttemptResult> {
  let token: string | undefined;
  try {
    token = await deps.tokens();
  } catch (error) {
    return {
      kind: 'network',
      error: unavailable(`${api} credentials: ${describeFetchError(error)}`),
      timedOut: false,
    };
  }
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
  try {
    const response = await deps.fetch(request.url, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return {
      kind: 'response',
      status: response.status,
      body: parseResponseJson(text),
      retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), new Date(deps.now())),
    };
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return {
      kind: 'network',
      timedOut,
      error: timedOut
        ? { code: 504, status: 'DEADLINE_EXCEEDED', message: `${api} did not answer within ${timeoutMs} ms.` }
        : unavailable(`${api} unreachable: ${describeFetchError(error)}`),
    };
  }
}

/** The error in a final answer's body, or one made from its status when the body is not Google's shape. */
export function toApiError(api: string, status: number, body: unknown): GoogleApiError {
  const parsed = parseErrorBody(body);
  if (parsed) return { ...parsed, code: parsed.code || status };
  return { code: status, status: statusForHttpCode(status), message: `${api} answered HTTP ${status}.` };
}

function unavailable(message: string): GoogleApiError {
  return { code: 503, status: 'UNAVAILABLE', message };
}

/** A response body as JSON: `{}` when empty, `{raw}` (first 500 characters) when it is not JSON. */
export function parseResponseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

/** A failed fetch's message with its cause: fetch says "fetch failed" and keeps the reason (ECONNREFUSED…) there. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
