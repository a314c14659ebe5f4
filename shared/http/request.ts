/** Reading HTTP requests as functions-framework hands them over. */
import type { Request } from '@google-cloud/functions-framework';
import { ApiError } from '../errors.js';

/** Bodies above this are refused with 413 before anything else is looked at. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export function rawBodyOf(req: Request): Buffer {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
  if (Buffer.isBuffer(req.body)) return req.body;
  if (typeof req.body === 'string') return Buffer.from(req.body, 'utf8');
  return Buffer.alloc(0);
}

export function assertBodySize(req: Request, limit = MAX_REQUEST_BYTES): void {
  const declared = Number(req.get('content-length') ?? 0);
  if (rawBodyOf(req).length > limit || declared > limit) {
    throw new ApiError(413, `Request body exceeds ${limit} bytes.`, 'OUT_OF_RANGE');
  }
}

/** The body as a JSON object, whatever content type it came with; 400 when it is not one. */
export function jsonObjectBody(req: Request): Record<string, unknown> {
  if ((req as Request & { jsonParseError?: unknown }).jsonParseError !== undefined) {
    throw new ApiError(400, 'Request body is not valid JSON.', 'INVALID_ARGUMENT');
  }
  let value: unknown = req.body;
  if (Buffer.isBuffer(value) || typeof value === 'string' || value === undefined) {
    const text = rawBodyOf(req).toString('utf8');
    if (text.trim() === '') throw new ApiError(400, 'Request body is empty; a JSON object is required.');
    try {
      value = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'Request body is not valid JSON.');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiError(400, 'Request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** A single query parameter (the first, when repeated); undefined when absent. */
export function queryParam(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
