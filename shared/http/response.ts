/** What a handler decided, and writing it to the wire. */
import type { Response } from '@google-cloud/functions-framework';
import { ApiError } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import type { Logger } from '../log/logger.js';

export interface HttpResult {
  status: number;
  /** JSON-serialised unless `text` is set. */
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

export function errorResult(error: ApiError, headers?: Record<string, string>): HttpResult {
  return { status: error.code, body: error.toBody(), ...(headers ? { headers } : {}) };
}

export function writeResult(res: Response, result: HttpResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.set(name, value);
  res.status(result.status);
  if (result.text !== undefined) {
    res.type('text/plain; charset=utf-8').send(result.text);
  } else {
    res.type('application/json; charset=utf-8').send(JSON.stringify(result.body ?? {}));
  }
}

export function methodNotAllowed(method: string, allowed: string): HttpResult {
  return errorResult(new ApiError(405, `Method ${method} is not allowed; use ${allowed}.`, 'UNIMPLEMENTED'), {
    Allow: allowed,
  });
}

/**
 * 503 once RBM stayed unavailable through the client's own retries. `next` tells the caller what was kept
 * and how to retry safely; it differs per function, the cause does not.
 */
export function rbmUnavailableResult(
  outcome: { attempts: number; rbmStatus: string },
  next?: string,
  headers?: Record<string, string>,
): HttpResult {
  return unavailableResult(
    `RBM API unavailable after ${outcome.attempts} attempt(s) (${outcome.rbmStatus})`,
    next,
    headers,
  );
}

/** 503 when Firestore did not answer (in time); `next` as for rbmUnavailableResult. */
export function storageUnavailableResult(next?: string, headers?: Record<string, string>): HttpResult {
  return unavailableResult('Storage is temporarily unavailable', next, headers);
}

function unavailableResult(
  cause: string,
  next: string | undefined,
  headers?: Record<string, string>,
): HttpResult {
  return errorResult(new ApiError(503, next ? `${cause}; ${next}` : `${cause}.`, 'UNAVAILABLE'), headers);
}

/**
 * Runs a handler and turns every outcome, including unexpected errors, into a Google-shaped response. The lines
 * logged here explain a 5xx (the error itself); the request line of every answer is the runtime's
 * (./request-log.ts), so a 5xx has one request line and at most one line saying why.
 */
export async function respond(
  res: Response,
  logger: Logger,
  handle: () => Promise<HttpResult>,
): Promise<void> {
  let result: HttpResult;
  try {
    result = await handle();
  } catch (error) {
    if (error instanceof ApiError) {
      result = errorResult(error);
    } else if (isTransientGrpcError(error)) {
      logger.warn('Backend temporarily unavailable', { err: error });
      result = errorResult(
        new ApiError(503, 'A backend is temporarily unavailable; retry the request.', 'UNAVAILABLE'),
      );
    } else {
      logger.error('Unhandled error', { err: error });
      result = errorResult(new ApiError(500, 'Internal error.', 'INTERNAL'));
    }
  }
  writeResult(res, result);
}
