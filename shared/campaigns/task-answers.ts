/**
 * How the campaign's two task routes (:enqueue, :dispatch) answer Cloud Tasks. The queue retries anything but
 * 2xx, so a permanent refusal answers 2xx (with a log line saying why it is not retried) and only what a retry
 * can fix answers 5xx (docs/campaigns.md#task-answers). Pure: the caller writes the log line.
 */
import { ApiError, type FieldViolation } from '../errors.js';
import {
  errorResult,
  rbmUnavailableResult,
  storageUnavailableResult,
  type HttpResult,
} from '../http/response.js';
import type { LogFields } from '../log/logger.js';
import { MESSAGE_ID_HEADER } from '../http/message-headers.js';
import type { DispatchOutcome } from './dispatch-recipient.js';
import type { EnqueueChunkOutcome } from './enqueue-chunk.js';

export interface TaskAnswer {
  http: HttpResult;
  /** Logged with the answer: why a task is answered 2xx although it did nothing. */
  log?: { severity: 'WARNING' | 'ERROR'; message: string; fields?: LogFields };
}

export type TaskRoute = 'enqueue' | 'dispatch';

/**
 * A task whose body cannot be read (not JSON, or not this route's body): the same body comes back on every
 * retry, so it is answered 200 and not retried. The log names the fields, never the body (it holds a phone).
 */
export function malformedTaskAnswer(route: TaskRoute, refusal: ApiError | FieldViolation[]): TaskAnswer {
  const violations = Array.isArray(refusal) ? refusal : [];
  const reason = Array.isArray(refusal) ? 'invalid fields' : refusal.message;
  return {
    http: { status: 200, body: { outcome: 'invalid', ...(violations.length > 0 ? { violations } : {}) } },
    log: {
      severity: 'WARNING',
      message: `Malformed :${route} task answered 200 so that it is not retried`,
      fields: { route, reason, fields: violations.map((violation) => violation.field) },
    },
  };
}

function unknownCampaign(route: TaskRoute, headers?: Record<string, string>): TaskAnswer {
  return {
    http: { status: 200, body: { outcome: 'notFound' }, ...(headers ? { headers } : {}) },
    log: {
      severity: 'WARNING',
      message: `:${route} task for an unknown campaign answered 200 so that it is not retried`,
    },
  };
}

/**
 * Cloud Tasks refused a recipient task for good only when the request itself is invalid (INVALID_ARGUMENT):
 * the retried chunk task would build the same requests (the function's settings are checked at start-up).
 * Other refusals (PERMISSION_DENIED, NOT_FOUND for the queue, FAILED_PRECONDITION, UNAUTHENTICATED) are fixed
 * by an operator, so the queue keeps retrying the chunk until its max retry duration.
 */
export function retryCannotHelp(rejection: { status: number; googleStatus: string }): boolean {
  return rejection.status === 400 && rejection.googleStatus === 'INVALID_ARGUMENT';
}

export function enqueueTaskAnswer(outcome: EnqueueChunkOutcome): TaskAnswer {
  switch (outcome.kind) {
    case 'enqueued':
      return { http: { status: 200, body: { outcome: outcome.kind, tasks: outcome.tasks } } };
    case 'deferred':
      return { http: { status: 200, body: { outcome: outcome.kind, until: outcome.until.toISOString() } } };
    case 'alreadyEnqueued':
    case 'cancelled':
      return { http: { status: 200, body: { outcome: outcome.kind } } };
    case 'notFound':
      return unknownCampaign('enqueue');
    case 'tasksUnavailable':
      return {
        http: errorResult(new ApiError(503, `Cloud Tasks unavailable: ${outcome.message}`, 'UNAVAILABLE')),
      };
    case 'tasksRejected':
      if (retryCannotHelp(outcome)) {
        return {
          http: {
            status: 200,
            body: { outcome: 'tasksRejected', status: outcome.status, message: outcome.message },
          },
          log: {
            severity: 'ERROR',
            message:
              'Cloud Tasks refused the chunk’s recipient tasks as invalid: not retried; its recipients stay NOT_DISPATCHED',
            fields: { status: outcome.status, googleStatus: outcome.googleStatus, reason: outcome.message },
          },
        };
      }
      return {
        http: errorResult(
          new ApiError(
            500,
            `Cloud Tasks refused a task (${outcome.status} ${outcome.googleStatus}): ${outcome.message}`,
            'INTERNAL',
          ),
        ),
      };
    case 'storageUnavailable':
      return { http: storageUnavailableResult() };
  }
}

export function dispatchTaskAnswer(outcome: DispatchOutcome): TaskAnswer {
  const headers = { [MESSAGE_ID_HEADER]: outcome.messageId };
  switch (outcome.kind) {
    case 'notFound':
      return unknownCampaign('dispatch', headers);
    case 'cancelled':
      return { http: { status: 200, body: { outcome: 'cancelled' }, headers } };
    case 'undeliverable':
      // Recorded FAILED (counted): permanent.
      return {
        http: { status: 200, body: { outcome: 'undeliverable', reason: outcome.error.reason }, headers },
      };
    case 'sendOutcome':
      break;
  }
  const send = outcome.outcome;
  switch (send.kind) {
    case 'sent':
    case 'rejected':
    case 'unsubscribed':
    case 'idConflict':
      // Permanent: RBM took it (or took it earlier), refused it, or consent forbids it. No retry.
      return { http: { status: 200, body: { outcome: send.kind }, headers } };
    case 'rbmUnavailable':
      return { http: rbmUnavailableResult(send, 'the queue retries this recipient.', headers) };
    case 'storageUnavailable':
      return { http: storageUnavailableResult(undefined, headers) };
    case 'internalError':
      // Unexpected (logged by the send path): the queue retries, and the recipient's id keeps it to one send.
      return {
        http: errorResult(
          new ApiError(500, 'Internal error; the queue retries this recipient.', 'INTERNAL'),
          headers,
        ),
      };
  }
}
