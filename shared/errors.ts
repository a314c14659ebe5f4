/**
 * Google API error bodies (google.rpc.Status over JSON), the only error shape the HTTP functions emit.
 */

/** One invalid request field, as in google.rpc.BadRequest.FieldViolation. */
export interface FieldViolation {
  field: string;
  description: string;
}

export type RpcStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'OUT_OF_RANGE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'ABORTED'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'INTERNAL'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNKNOWN';

export interface ErrorBody {
  error: {
    code: number;
    status: string;
    message: string;
    details?: unknown[];
  };
}

const STATUS_BY_HTTP_CODE: Record<number, RpcStatus> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  405: 'UNIMPLEMENTED',
  409: 'ALREADY_EXISTS',
  413: 'OUT_OF_RANGE',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The canonical status name for an HTTP code (`UNKNOWN` when there is none). */
export function statusForHttpCode(code: number): RpcStatus {
  return STATUS_BY_HTTP_CODE[code] ?? (code >= 500 ? 'INTERNAL' : 'UNKNOWN');
}

/** An error that maps one-to-one onto an HTTP response in Google's error shape. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status: string = statusForHttpCode(code),
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, status: this.status, message: this.message } };
    if (this.details && this.details.length > 0) body.error.details = this.details;
    return body;
  }

  /** 400 INVALID_ARGUMENT listing every offending field (google.rpc.BadRequest). */
  static invalidArgument(fieldViolations: FieldViolation[], message?: string): ApiError {
    const summary =
      message ??
      (fieldViolations.length === 1
        ? `Invalid value at '${fieldViolations[0]?.field}': ${fieldViolations[0]?.description}`
        : `Request contains ${fieldViolations.length} invalid fields.`);
    return new ApiError(400, summary, 'INVALID_ARGUMENT', [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations },
    ]);
  }
}

/** Reads an error body of Google's shape, or returns undefined when `value` is not one. */
export function parseErrorBody(value: unknown): ErrorBody['error'] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const error = (value as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, status, message, details } = error as Record<string, unknown>;
  if (typeof code !== 'number') return undefined;
  return {
    code,
    status: typeof status === 'string' ? status : statusForHttpCode(code),
    message: typeof message === 'string' ? message : '',
    ...(Array.isArray(details) ? { details } : {}),
  };
}
