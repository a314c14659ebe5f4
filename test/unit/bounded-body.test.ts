import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  brotliWindowBits,
  contentCodingOf,
  MAX_BROTLI_WINDOW_BITS,
  readBoundedBody,
  type BodySource,
} from '../../shared/http/bounded-body.js';

const LIMIT = 64 * 1024;
const CHUNK = Buffer.alloc(16 * 1024, 'A');

function source(
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  headers: IncomingHttpHeaders = {},
): BodySource {
  return Object.assign(Readable.from(chunks, { objectMode: false }), { headers });
}

/** A body that never ends, and how many of its bytes were pulled. */
function endless(first: Buffer, repeated: Buffer): { chunks: Iterable<Buffer>; pulled: () => number } {
  let pulled = 0;
  function* chunks(): Generator<Buffer> {
    pulled += first.length;
    yield first;
    for (;;) {
      pulled += repeated.length;
      yield repeated;
    }
  }
  return { chunks: chunks(), pulled: () => pulled };
}

describe('contentCodingOf', () => {
  it.each([
    [undefined, 'identity'],
    ['', 'identity'],
    ['identity', 'identity'],
    ['gzip', 'gzip'],
    [' GZip ', 'gzip'],
    ['deflate', 'deflate'],
    ['br', 'br'],
    ['compress', undefined],
    ['zstd', undefined],
    ['x-gzip', undefined],
    ['gzip, br', undefined],
  ])('%j → %s', (header, coding) => {
    expect(contentCodingOf(header)).toBe(coding);
  });
});

const brotli = (input: string, windowBits: number): Buffer =>
  brotliCompressSync(input, { params: { [constants.BROTLI_PARAM_LGWIN]: windowBits } });

describe('brotliWindowBits', () => {
  const windows = Array.from({ length: 15 }, (_, i) => 10 + i);
  it.each(windows)('reads a %i-bit window from what the encoder wrote', (bits) => {
    expect(brotliWindowBits(brotli('x'.repeat(100), bits)[0] ?? -1)).toBe(bits);
  });

  it('reads the large-window marker as no standard window', () => {
    expect(brotliWindowBits(0b0001_0001)).toBeUndefined();
  });
});

describe('readBoundedBody', () => {
  const text = JSON.stringify({ message: { data: 'x'.repeat(1000) } });

  it.each([
    ['identity', undefined, Buffer.from(text)],
    ['gzip', 'gzip', gzipSync(text)],
    ['deflate', 'deflate', deflateSync(text)],
    ['br', 'br', brotliCompressSync(text)],
  ])('reads and decodes a %s body under the limit', async (_, encoding, wire) => {
    const read = await readBoundedBody(source([wire], { 'content-encoding': encoding }), LIMIT);
    expect(read).toEqual({ kind: 'read', bytes: Buffer.from(text) });
  });

  it('reads a body of exactly the limit', async () => {
    const read = await readBoundedBody(source([Buffer.alloc(LIMIT, 'B')]), LIMIT);
    expect(read.kind === 'read' && read.bytes.length).toBe(LIMIT);
  });

  it('refuses a declared Content-Length over the limit without reading a byte', async () => {
    const body = source([Buffer.alloc(LIMIT + 1)], { 'content-length': String(LIMIT + 1) });
    const read = await readBoundedBody(body, LIMIT);
    expect(read).toMatchObject({ kind: 'refused', error: { code: 413, status: 'OUT_OF_RANGE' } });
    expect(body.readableLength).toBe(0);
    expect(body.readableFlowing).toBeNull();
  });

  it('stops reading a body without length once it passes the limit', async () => {
    const body = endless(CHUNK, CHUNK);
    const read = await readBoundedBody(source(body.chunks), LIMIT);
    expect(read).toMatchObject({ kind: 'refused', error: { code: 413, status: 'OUT_OF_RANGE' } });
    expect(body.pulled()).toBeLessThan(LIMIT + 8 * CHUNK.length);
  });

  it('stops inflating a compressed body once its inflated size passes the limit', async () => {
    // gzip members one after another, for ever: each is about 1 KiB and inflates to 1 MiB.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const body = endless(member, member);
    const read = await readBoundedBody(source(body.chunks, { 'content-encoding': 'gzip' }), LIMIT);
    expect(read).toMatchObject({ kind: 'refused', error: { code: 413, status: 'OUT_OF_RANGE' } });
    // What the stream stages buffer ahead, no more.
    expect(body.pulled()).toBeLessThan(4 * LIMIT);
  });

  it('bounds the compressed bytes too, for a body that inflates to nothing', async () => {
    // A zlib header, then empty non-final stored blocks for ever: each is 5 bytes and inflates to 0 bytes.
    const emptyBlocks = Buffer.concat(Array.from({ length: 1000 }, () => Buffer.from([0, 0, 0, 0xff, 0xff])));
    const body = endless(Buffer.from([0x78, 0x9c]), emptyBlocks);
    const read = await readBoundedBody(source(body.chunks, { 'content-encoding': 'deflate' }), LIMIT);
    expect(read).toMatchObject({ kind: 'refused', error: { code: 413, status: 'OUT_OF_RANGE' } });
  });

  it.each([MAX_BROTLI_WINDOW_BITS + 1, 24])(
    'refuses a brotli body declaring a %i-bit window with 400, however small',
    async (bits) => {
      const read = await readBoundedBody(source([brotli(text, bits)], { 'content-encoding': 'br' }), LIMIT);
      expect(read).toMatchObject({
        kind: 'refused',
        error: { code: 400, status: 'INVALID_ARGUMENT', message: expect.stringContaining(`${bits} bits`) },
      });
    },
  );

  it('answers an unsupported coding with 415 and the codings it takes', async () => {
    const read = await readBoundedBody(
      source([Buffer.from(text)], { 'content-encoding': 'compress' }),
      LIMIT,
    );
    expect(read).toMatchObject({
      kind: 'refused',
      error: { code: 415, status: 'INVALID_ARGUMENT' },
      headers: { 'Accept-Encoding': 'gzip, deflate, br' },
    });
  });

  it.each([
    ['corrupt', Buffer.from('not gzip at all')],
    ['truncated', gzipSync(text).subarray(0, 40)],
  ])('answers a %s gzip body with 400', async (_, wire) => {
    const read = await readBoundedBody(source([wire], { 'content-encoding': 'gzip' }), LIMIT);
    expect(read).toMatchObject({
      kind: 'refused',
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Request body is not valid gzip data.' },
    });
  });

  it('reports a body whose client went away', async () => {
    const body = source(
      (async function* () {
        yield CHUNK;
        throw new Error('socket hang up');
      })(),
    );
    expect(await readBoundedBody(body, LIMIT)).toEqual({ kind: 'aborted' });
  });
});
