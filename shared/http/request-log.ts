/**
 * One structured line per answered HTTP request, in Cloud Logging's request-log shape (`httpRequest`). Cloud
 * Run's own request logs of the functions whose paths carry phone numbers are excluded from storage, so these
 * lines, with phone numbers masked, are the request record. Severity follows Cloud Run's request logs: INFO
 * below 400, WARNING for 4xx, ERROR for 5xx. Bodies are never logged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logAt, type Logger } from '../log/logger.js';
import { redactRequestUrl } from '../log/redact.js';
import { MESSAGE_ID_HEADER } from './message-headers.js';

export const REQUEST_LOG_MESSAGE = 'Request answered';
/** The field Cloud Logging reads a line's trace from (it links the line to the request's trace). */
export const TRACE_FIELD = 'logging.googleapis.com/trace';

export type RequestSeverity = 'INFO' | 'WARNING' | 'ERROR';

export interface AnsweredRequest {
  method: string;
  /** Path and query as received; masked here. */
  url: string;
  status: number;
  latencyMs: number;
  /** The matched route's name, when one matched. */
  route?: string;
  messageId?: string;
  /** Trace id from `X-Cloud-Trace-Context` or `traceparent`. */
  traceId?: string;
  projectId?: string;
}

export function severityForStatus(status: number): RequestSeverity {
  if (status >= 500) return 'ERROR';
  if (status >= 400) return 'WARNING';
  return 'INFO';
}

/** A Duration in Cloud Logging's JSON form: seconds with a `s` suffix, e.g. `0.123s`. */
export function formatLatency(latencyMs: number): string {
  return `${(Math.max(0, latencyMs) / 1000).toFixed(3)}s`;
}

const TRACE_ID = /^[0-9a-f]{32}$/i;

/** The trace id of `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=1`, else of W3C `traceparent: 00-TRACE_ID-…`. */
export function traceIdOf(cloudTraceContext?: string, traceparent?: string): string | undefined {
  const fromCloud = cloudTraceContext?.split('/')[0]?.trim();
  if (fromCloud && TRACE_ID.test(fromCloud)) return fromCloud.toLowerCase();
  const fromW3c = traceparent?.split('-')[1]?.trim();
  if (fromW3c && TRACE_ID.test(fromW3c) && !/^0+$/.test(fromW3c)) return fromW3c.toLowerCase();
  return undefined;
}

/** The request line's severity and fields (the logger adds `message`, `function` and `time`). */
export function requestLogEntry(answered: AnsweredRequest): {
  severity: RequestSeverity;
  fields: Record<string, unknown>;
} {
  const { traceId, projectId } = answered;
  return {
    severity: severityForStatus(answered.status),
    fields: {
      httpRequest: {
        requestMethod: answered.method,
        requestUrl: redactRequestUrl(answered.url),
        status: answered.status,
        latency: formatLatency(answered.latencyMs),
      },
      latencyMs: Math.round(answered.latencyMs),
      ...(answered.route === undefined ? {} : { route: answered.route }),
      ...(answered.messageId === undefined ? {} : { messageId: answered.messageId }),
      ...(traceId !== undefined && projectId !== undefined
        ? { [TRACE_FIELD]: `projects/${projectId}/traces/${traceId}` }
        : {}),
    },
  };
}

const STARTED_AT = Symbol.for('rbm-functions.requestStartedAt');
type Stamped = IncomingMessage & { [STARTED_AT]?: number };

/**
 * Notes when the request was first seen (the body limits see it before the function does, while its body is
 * still to be read), so its latency counts the body's reading too. Later calls keep the first time.
 */
export function markRequestStart(req: IncomingMessage): void {
  (req as Stamped)[STARTED_AT] ??= performance.now();
}

/** Writes the request line for a request `res` has answered. */
export function logAnsweredRequest(
  logger: Logger,
  req: IncomingMessage & { originalUrl?: string },
  res: ServerResponse,
  context: { route?: string; projectId?: string } = {},
): void {
  const started = (req as Stamped)[STARTED_AT] ?? performance.now();
  const messageId = res.getHeader(MESSAGE_ID_HEADER);
  const traceId = traceIdOf(header(req, 'x-cloud-trace-context'), header(req, 'traceparent'));
  const { severity, fields } = requestLogEntry({
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    status: res.statusCode,
    latencyMs: performance.now() - started,
    ...(context.route === undefined ? {} : { route: context.route }),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(traceId === undefined ? {} : { traceId }),
    ...(context.projectId === undefined ? {} : { projectId: context.projectId }),
  });
  logAt(logger, severity, REQUEST_LOG_MESSAGE, fields);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
