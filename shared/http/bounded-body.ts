/**
 * Reading a request body with a byte limit that holds while it is read: the bytes on the wire and, for a
 * compressed body, the inflated bytes are both counted as they stream, and reading stops at the first byte over
 * the limit. Nothing more than the limit is ever held, plus a decoder's window (32 KiB for gzip and deflate, at
 * most 4 MiB for br), however the body is encoded or framed (Content-Length or chunked).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, Writable, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ApiError } from '../errors.js';

/** The content codings a body may arrive in. */
export const CONTENT_CODINGS = ['identity', 'gzip', 'deflate', 'br'] as const;
export type ContentCoding = (typeof CONTENT_CODINGS)[number];

/** The coding named by a Content-Encoding header (absent means identity); undefined when it is not supported. */
export function contentCodingOf(header: string | undefined): ContentCoding | undefined {
  const name = (header ?? '').trim().toLowerCase();
  if (name === '') return 'identity';
  return (CONTENT_CODINGS as readonly string[]).includes(name) ? (name as ContentCoding) : undefined;
}

/** A request body as it arrives: its bytes and the headers that say how they are framed and encoded. */
export interface BodySource extends Readable {
  readonly headers: IncomingHttpHeaders;
}

export type BodyRead =
  /** The whole body, decoded. */
  | { readonly kind: 'read'; readonly bytes: Buffer }
  /** Refused before or while reading; the rest of the body is left unread. */
  | { readonly kind: 'refused'; readonly error: ApiError; readonly headers: Readonly<Record<string, string>> }
  /** The client went away before the body ended. */
  | { readonly kind: 'aborted' };

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, `Request body exceeds ${maxBytes} bytes.`, 'OUT_OF_RANGE');
}

/**
 * The largest brotli window accepted (22 bits, the encoders' usual default). The decoder allocates the window the
 * stream declares, up to 16 MiB, and fills it as it inflates; a bomb declaring the largest would hold that much.
 */
export const MAX_BROTLI_WINDOW_BITS = 22;

/**
 * The window size, in bits, that a brotli stream declares in its first byte (RFC 7932, section 9.1);
 * undefined for the large-window marker, which a standard decoder refuses anyway.
 */
export function brotliWindowBits(firstByte: number): number | undefined {
  if ((firstByte & 1) === 0) return 16;
  const wide = (firstByte >> 1) & 7;
  if (wide !== 0) return 17 + wide;
  const narrow = (firstByte >> 4) & 7;
  if (narrow === 1) return undefined;
  return narrow === 0 ? 17 : 8 + narrow;
}

class OverBudget extends Error {}
class ClientGone extends Error {}
class BrotliWindowTooLarge extends Error {
  constructor(readonly windowBits: number) {
    super(`brotli window of ${windowBits} bits`);
  }
}

/** Passes bytes through until more than `maxBytes` went by. */
class ByteBudget extends Transform {
  private seen = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) done(new OverBudget());
    else done(null, chunk);
  }
}

/** Refuses a brotli stream whose declared window is over the maximum, before the decoder allocates it. */
class BrotliWindowGate extends Transform {
  private checked = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (!this.checked && chunk.length > 0) {
      this.checked = true;
      const bits = brotliWindowBits(chunk[0] ?? 0);
      if (bits !== undefined && bits > MAX_BROTLI_WINDOW_BITS) return done(new BrotliWindowTooLarge(bits));
    }
    done(null, chunk);
  }
}

/** Keeps what it is given, up to `maxBytes`. */
class BoundedSink extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(new OverBudget());
    this.chunks.push(chunk);
    done();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

function decodingStages(coding: Exclude<ContentCoding, 'identity'>): Transform[] {
  switch (coding) {
    case 'gzip':
      return [createGunzip()];
    case 'deflate':
      return [createInflate()];
    case 'br':
      return [new BrotliWindowGate(), createBrotliDecompress()];
  }
}

function refused(error: ApiError, headers: Record<string, string> = {}): BodyRead {
  return { kind: 'refused', error, headers };
}

/**
 * Reads `source` to its end, decoding it as its Content-Encoding says, within `maxBytes` on the wire and
 * decoded: 413 when either passes the limit (at once when Content-Length already does), 415 for a coding other
 * than gzip, deflate or br, 400 when the compressed data is corrupt or declares a brotli window over the maximum. On refusal `source` is left paused, its
 * remaining bytes unread.
 */
export async function readBoundedBody(source: BodySource, maxBytes: number): Promise<BodyRead> {
  const declaredLength = source.headers['content-length'];
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) return refused(tooLarge(maxBytes));
  const encoding = source.headers['content-encoding'];
  const coding = contentCodingOf(encoding);
  if (coding === undefined) {
    return refused(
      new ApiError(
        415,
        `Content-Encoding "${String(encoding)}" is not supported; use gzip, deflate, br or none.`,
        'INVALID_ARGUMENT',
      ),
      { 'Accept-Encoding': 'gzip, deflate, br' },
    );
  }

  const wire = new ByteBudget(maxBytes);
  const sink = new BoundedSink(maxBytes);
  const clientGone = (): void => {
    if (!source.readableEnded) wire.destroy(new ClientGone());
  };
  source.on('error', clientGone);
  source.once('close', clientGone);
  source.pipe(wire);
  try {
    await pipeline([wire, ...(coding === 'identity' ? [] : decodingStages(coding)), sink]);
    return { kind: 'read', bytes: sink.bytes() };
  } catch (error) {
    if (error instanceof OverBudget) return refused(tooLarge(maxBytes));
    if (error instanceof ClientGone) return { kind: 'aborted' };
    if (error instanceof BrotliWindowTooLarge) {
      return refused(
        new ApiError(
          400,
          `Request body's brotli window (${error.windowBits} bits) is larger than the ${MAX_BROTLI_WINDOW_BITS} bits accepted.`,
          'INVALID_ARGUMENT',
        ),
      );
    }
    return refused(
      new ApiError(
        400,
        coding === 'identity'
          ? 'Request body could not be read.'
          : `Request body is not valid ${coding} data.`,
        'INVALID_ARGUMENT',
      ),
    );
  } finally {
    source.unpipe(wire);
    source.off('error', clientGone);
    source.off('close', clientGone);
  }
}
