/** Reading HTTP requests as functions-framework hands them over. */
import type { Request } from '@google-cloud/functions-framework';
import { ApiError } from '../errors.js';
import { MAX_REQUEST_BYTES, type BodyParseError } from './body-limits.js';
import { readBoundedBody, tooLarge } from './bounded-body.js';

export { MAX_REQUEST_BYTES };

type FrameworkRequest = Request & { bodyParseError?: BodyParseError };

/**
 * The request body as bytes, whatever its content type. With the body limits installed (./body-limits.ts) the
 * body was read, bounded and decoded before the function ran, and is in `rawBody`; otherwise it is read here
 * the same way. 413 above `limit`; a body the parsers refused (bad JSON, unknown charset) is answered in
 * Google's error shape.
 */
export async function rawBody(req: Request, limit = MAX_REQUEST_BYTES): Promise<Buffer> {
  const refused = (req as FrameworkRequest).bodyParseError;
  if (refused) throw new ApiError(refused.status, refused.message);
  if (Number(req.get('content-length') ?? 0) > limit) throw tooLarge(limit);
  let bytes: Buffer;
  if (Buffer.isBuffer(req.rawBody)) {
    bytes = req.rawBody;
  } else if (req.readable && !req.readableEnded) {
    const read = await readBoundedBody(req, limit);
    if (read.kind === 'refused') throw read.error;
    if (read.kind === 'aborted') throw new ApiError(400, 'Request body ended early.');
    bytes = read.bytes;
  } else {
    bytes = Buffer.alloc(0);
  }
  if (bytes.length > limit) throw tooLarge(limit);
  return bytes;
}

/**
 * The body as a JSON object, parsed from its bytes whatever Content-Type it came with (a JSON body sent as a
 * form or without a type is still JSON); 400 when it is not one.
 */
export async function jsonObjectBody(
  req: Request,
  limit = MAX_REQUEST_BYTES,
): Promise<Record<string, unknown>> {
  const text = (await rawBody(req, limit)).toString('utf8');
  if (text.trim() === '') throw new ApiError(400, 'Request body is empty; a JSON object is required.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'Request body is not valid JSON.');
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
