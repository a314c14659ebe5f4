/**
 * The pure parts of a Pub/Sub publish over the REST API (v1 `topics.publish`): where it goes, what it sends,
 * the retry budget, and how an answer becomes a message id or an error carrying the gRPC status code the
 * client libraries would have reported (`error.code`, see shared/grpc-status.ts).
 */
import type { RetryPolicy } from '../config/rbm.js';
import type { GoogleApiError } from '../http/retrying-call.js';
import { isJsonObject } from '../json-values.js';

export const PUBSUB_ENDPOINT = 'https://pubsub.googleapis.com';
export const PUBSUB_SCOPE = 'https://www.googleapis.com/auth/pubsub';

/** Where publishes go: the emulator (plain HTTP, no token) when its variable is set, else Google with a token. */
export interface PubSubTarget {
  readonly endpoint: string;
  readonly authenticated: boolean;
}

export function pubsubTarget(emulatorHost: string | undefined): PubSubTarget {
  if (emulatorHost === undefined || emulatorHost.trim() === '') {
    return { endpoint: PUBSUB_ENDPOINT, authenticated: true };
  }
  const host = emulatorHost
    .trim()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  return { endpoint: `http://${host}`, authenticated: false };
}

export function publishUrl(endpoint: string, projectId: string, topicId: string): string {
  return `${endpoint}/v1/projects/${encodeURIComponent(projectId)}/topics/${encodeURIComponent(topicId)}:publish`;
}

export function publishBody(
  data: Buffer,
  attributes: Readonly<Record<string, string>>,
): { messages: Array<{ data: string; attributes: Record<string, string> }> } {
  return { messages: [{ data: data.toString('base64'), attributes: { ...attributes } }] };
}

/** The id Pub/Sub gave the one message published, or undefined when the answer has none. */
export function publishedMessageId(body: unknown): string | undefined {
  if (!isJsonObject(body) || !Array.isArray(body.messageIds)) return undefined;
  const [id] = body.messageIds;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * The client library's budget when none is given (one attempt up to a minute, ten minutes in all), or
 * `timeoutMs` for every attempt and the total.
 */
export function publishRetryPolicy(timeoutMs: number | undefined): RetryPolicy {
  if (timeoutMs === undefined) {
    return { deadlineMs: 600_000, attemptTimeoutMs: 60_000, initialBackoffMs: 100, maxBackoffMs: 60_000 };
  }
  return {
    deadlineMs: timeoutMs,
    attemptTimeoutMs: timeoutMs,
    initialBackoffMs: Math.min(100, timeoutMs),
    maxBackoffMs: timeoutMs,
  };
}

const GRPC_CODE_BY_STATUS: Readonly<Record<string, number>> = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
};

/** A publish that failed: `code` is the gRPC status code, `httpStatus` the HTTP one, as Google answered them. */
export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly code: number,
    readonly status: string,
    readonly httpStatus: number,
    message: string,
  ) {
    super(message);
  }
}

export function publishError(topicId: string, error: GoogleApiError): PublishError {
  const code = GRPC_CODE_BY_STATUS[error.status] ?? GRPC_CODE_BY_STATUS.UNKNOWN ?? 2;
  return new PublishError(code, error.status, error.code, `Publish to ${topicId} failed: ${error.message}`);
}
