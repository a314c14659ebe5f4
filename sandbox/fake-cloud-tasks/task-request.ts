/** Reading a `tasks.create` request body (CreateTaskRequest with an HTTP target) as Cloud Tasks validates it. */
import { ApiError, type FieldViolation } from '../../shared/errors.js';
import { dateFrom, isJsonObject } from '../../shared/json-values.js';
import { parseTaskName } from '../../shared/tasks/names.js';

export type HttpMethod = 'POST' | 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';

export interface OidcToken {
  readonly serviceAccountEmail: string;
  /** The target URL when the request named none. */
  readonly audience: string;
}

export interface HttpTarget {
  readonly url: string;
  readonly httpMethod: HttpMethod;
  readonly headers: Readonly<Record<string, string>>;
  /** Base64, as received; empty when there is no body. */
  readonly body: string;
  readonly oidcToken: OidcToken | undefined;
}

export interface TaskRequest {
  /** The task's short id when the request named the task. */
  readonly taskId: string | undefined;
  readonly scheduleTime: Date | undefined;
  /** `task.dispatchDeadline`: how long one attempt may take; the queue's default when absent. */
  readonly dispatchDeadlineMs: number | undefined;
  readonly httpRequest: HttpTarget;
}

const METHODS: readonly HttpMethod[] = ['POST', 'GET', 'HEAD', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
const METHODS_WITH_BODY: readonly HttpMethod[] = ['POST', 'PUT', 'PATCH'];
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const MAX_TASK_BYTES = 1024 * 1024;
const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000;
/** Cloud Tasks accepts an HTTP task's dispatch deadline from 15 seconds to 30 minutes. */
const MIN_DISPATCH_DEADLINE_MS = 15_000;
const MAX_DISPATCH_DEADLINE_MS = 30 * 60_000;
/** A protobuf Duration in JSON: seconds with up to nine fractional digits, then "s". */
const DURATION = /^(\d+)(\.\d{1,9})?s$/;

/** The request, or 400 INVALID_ARGUMENT listing every offending field. */
export function parseCreateTaskRequest(queue: string, body: unknown, now: Date): TaskRequest | ApiError {
  const violations: FieldViolation[] = [];
  const invalid = (field: string, description: string): undefined => {
    violations.push({ field, description });
    return undefined;
  };
  const task = isJsonObject(body) && isJsonObject(body.task) ? body.task : undefined;
  if (!task) return ApiError.invalidArgument([{ field: 'task', description: 'A task object is required.' }]);

  const taskId = readTaskId(queue, task.name, invalid);
  const scheduleTime = readScheduleTime(task.scheduleTime, now, invalid);
  const dispatchDeadlineMs = readDispatchDeadline(task.dispatchDeadline, invalid);
  const httpRequest = isJsonObject(task.httpRequest)
    ? readHttpTarget(task.httpRequest, invalid)
    : invalid('task.httpRequest', 'An HTTP target is required (the only kind this queue dispatches).');

  if (httpRequest) {
    const headerBytes = Object.entries(httpRequest.headers).reduce((n, [k, v]) => n + k.length + v.length, 0);
    if (Buffer.byteLength(httpRequest.body, 'base64') + headerBytes > MAX_TASK_BYTES) {
      invalid('task', `Task size too large: at most ${MAX_TASK_BYTES} bytes.`);
    }
  }
  if (violations.length > 0 || !httpRequest) return ApiError.invalidArgument(violations);
  return { taskId, scheduleTime, dispatchDeadlineMs, httpRequest };
}

function readDispatchDeadline(value: unknown, invalid: Invalid): number | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!match) return invalid('task.dispatchDeadline', 'Must be a duration such as "600s".');
  const ms = Number(`${match[1]}${match[2] ?? ''}`) * 1000;
  if (ms < MIN_DISPATCH_DEADLINE_MS || ms > MAX_DISPATCH_DEADLINE_MS) {
    return invalid('task.dispatchDeadline', 'Must be between 15 seconds and 30 minutes.');
  }
  return ms;
}

type Invalid = (field: string, description: string) => undefined;

function readTaskId(queue: string, value: unknown, invalid: Invalid): string | undefined {
  if (value === undefined || value === '') return undefined;
  const name = typeof value === 'string' ? parseTaskName(value) : undefined;
  if (!name) return invalid('task.name', 'Must be "projects/P/locations/L/queues/Q/tasks/T".');
  if (name.queue !== queue) return invalid('task.name', `The task must belong to the queue ${queue}.`);
  return name.taskId;
}

function readScheduleTime(value: unknown, now: Date, invalid: Invalid): Date | undefined {
  if (value === undefined) return undefined;
  const time = dateFrom(value);
  if (!time) return invalid('task.scheduleTime', 'Must be an RFC 3339 timestamp.');
  if (time.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    return invalid('task.scheduleTime', 'Must be at most 30 days ahead.');
  }
  return time;
}

function readHttpTarget(request: Record<string, unknown>, invalid: Invalid): HttpTarget | undefined {
  const url = readUrl(request.url, invalid);
  const method = request.httpMethod ?? 'POST';
  const httpMethod = METHODS.find((m) => m === method);
  if (!httpMethod) invalid('task.httpRequest.httpMethod', `Must be one of ${METHODS.join(', ')}.`);
  const headers = readHeaders(request.headers, invalid);
  const body = request.body ?? '';
  if (typeof body !== 'string' || !BASE64.test(body)) {
    invalid('task.httpRequest.body', 'Must be base64-encoded bytes.');
  } else if (body !== '' && httpMethod && !METHODS_WITH_BODY.includes(httpMethod)) {
    invalid('task.httpRequest.body', 'A body is allowed only with POST, PUT or PATCH.');
  }
  const oidcToken = readOidcToken(request.oidcToken, url, invalid);
  if (!url || !httpMethod || !headers || typeof body !== 'string' || oidcToken === null) return undefined;
  return { url, httpMethod, headers, body, oidcToken };
}

function readUrl(value: unknown, invalid: Invalid): string | undefined {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return invalid('task.httpRequest.url', 'Must be an absolute http(s) URL.');
  }
  return url.href;
}

function readHeaders(value: unknown, invalid: Invalid): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (!isJsonObject(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    return invalid('task.httpRequest.headers', 'Must map header names to string values.');
  }
  return value as Record<string, string>;
}

/** The token to send, undefined for none, null when the field is malformed. */
function readOidcToken(
  value: unknown,
  url: string | undefined,
  invalid: Invalid,
): OidcToken | undefined | null {
  if (value === undefined) return undefined;
  const email = isJsonObject(value) ? value.serviceAccountEmail : undefined;
  const audience = isJsonObject(value) ? (value.audience ?? url) : undefined;
  if (typeof email !== 'string' || !email.includes('@')) {
    invalid('task.httpRequest.oidcToken.serviceAccountEmail', 'A service account email is required.');
    return null;
  }
  if (typeof audience !== 'string') {
    invalid('task.httpRequest.oidcToken.audience', 'Must be a string.');
    return null;
  }
  return { serviceAccountEmail: email, audience };
}
