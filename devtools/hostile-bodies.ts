/**
 * Request bodies a server must refuse while reading them, and a client that streams one and keeps the answer:
 * compression bombs (a small body that inflates to far more than any limit), a long chunked body without
 * Content-Length, and a long body that declares its length. Large bodies are produced chunk by chunk, never held
 * whole. Used by the body-limit tests and the benchmark.
 */
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createDeflate, createGzip } from 'node:zlib';

export type CompressedEncoding = 'gzip' | 'deflate' | 'br';

export interface HostileBody {
  readonly name: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Bytes on the wire when sent whole. */
  readonly wireBytes: number;
  /** Bytes once decoded. */
  readonly decodedBytes: number;
  /** The wire bytes, chunk by chunk. */
  chunks(): AsyncIterable<Buffer>;
}

const CHUNK_BYTES = 64 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' } as const;

/**
 * A JSON object of exactly `bytes` bytes (`{"message":{"data":"AAAA…"}}`), in chunks: valid JSON, so a server
 * that buffers it whole gets as far as parsing it.
 */
export async function* jsonFiller(bytes: number, chunkBytes = CHUNK_BYTES): AsyncGenerator<Buffer> {
  const prefix = Buffer.from('{"message":{"data":"');
  const suffix = Buffer.from('"}}');
  if (bytes < prefix.length + suffix.length) throw new Error(`a JSON filler needs at least 23 bytes`);
  yield prefix;
  const filler = Buffer.alloc(chunkBytes, 'A');
  for (let left = bytes - prefix.length - suffix.length; left > 0; left -= chunkBytes) {
    yield left >= chunkBytes ? filler : filler.subarray(0, left);
  }
  yield suffix;
}

function compressor(encoding: CompressedEncoding, brotliWindowBits: number): Transform {
  switch (encoding) {
    case 'gzip':
      return createGzip({ level: 9 });
    case 'deflate':
      return createDeflate({ level: 9 });
    case 'br':
      // A middling quality compresses this filler about as well as 11, in a fraction of the time.
      return createBrotliCompress({
        params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: brotliWindowBits },
      });
  }
}

/**
 * A JSON body of `inflatedBytes` bytes, compressed with `encoding` into a few hundred KiB at most; br with a
 * window of `brotliWindowBits` (default 22, the encoders' usual).
 */
export async function compressionBomb(
  encoding: CompressedEncoding,
  inflatedBytes: number,
  brotliWindowBits = 22,
): Promise<HostileBody> {
  const compressed = await buffer(
    Readable.from(jsonFiller(inflatedBytes)).pipe(compressor(encoding, brotliWindowBits)),
  );
  return {
    name:
      encoding === 'br' && brotliWindowBits !== 22
        ? `br bomb, ${brotliWindowBits}-bit window`
        : `${encoding} bomb`,
    headers: { ...JSON_HEADERS, 'content-encoding': encoding, 'content-length': String(compressed.length) },
    wireBytes: compressed.length,
    decodedBytes: inflatedBytes,
    chunks: () => Readable.from([compressed], { objectMode: false }),
  };
}

/** A JSON body of `bytes` bytes sent chunked, without Content-Length. */
export function chunkedBody(bytes: number): HostileBody {
  return {
    name: 'chunked, no Content-Length',
    headers: { ...JSON_HEADERS, 'transfer-encoding': 'chunked' },
    wireBytes: bytes,
    decodedBytes: bytes,
    chunks: () => jsonFiller(bytes),
  };
}

/** A JSON body of `bytes` bytes that declares its length. */
export function declaredLengthBody(bytes: number): HostileBody {
  return {
    name: 'plain, with Content-Length',
    headers: { ...JSON_HEADERS, 'content-length': String(bytes) },
    wireBytes: bytes,
    decodedBytes: bytes,
    chunks: () => jsonFiller(bytes),
  };
}

export interface HostileBodySizes {
  /** Inflated size of each compression bomb. */
  readonly inflatedBytes: number;
  /** Size of the chunked body and of the body with Content-Length. */
  readonly streamedBytes: number;
}

/** One body of each kind. */
export async function hostileBodies(sizes: HostileBodySizes): Promise<HostileBody[]> {
  const bombs = await Promise.all(
    (['gzip', 'deflate', 'br'] as const).map((encoding) => compressionBomb(encoding, sizes.inflatedBytes)),
  );
  return [...bombs, chunkedBody(sizes.streamedBytes), declaredLengthBody(sizes.streamedBytes)];
}

export interface StreamedAnswer {
  readonly status: number;
  readonly text: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** From the first byte written to the response's status line. */
  readonly msToStatus: number;
  /** Body bytes handed to the socket before the answer came (or all of them). */
  readonly bytesSent: number;
}

/**
 * POSTs `body` on a connection of its own, writing with backpressure and stopping as soon as the server answers
 * (a server may refuse a body before it has all been sent). Fails when no complete answer arrives.
 */
export function postStreamed(url: string, body: HostileBody, timeoutMs = 60_000): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let answered = false;
    let bytesSent = 0;
    const req = request(url, { method: 'POST', headers: body.headers, agent: false });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      req.destroy();
      reject(error);
    };
    req.on('response', (res) => {
      answered = true;
      const msToStatus = performance.now() - started;
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy(); // the rest of the body, if any, is not wanted
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(parts).toString('utf8'),
          headers: res.headers,
          msToStatus,
          bytesSent,
        });
      });
    });
    // A write failing because the server closed the connection after answering is expected.
    req.on('error', (error) => {
      if (!answered) fail(error);
    });
    void (async () => {
      for await (const chunk of body.chunks()) {
        if (answered || req.destroyed) return;
        bytesSent += chunk.length;
        if (!req.write(chunk)) {
          await new Promise<void>((resume) => {
            const done = (): void => {
              req.off('drain', done);
              req.off('close', done);
              resume();
            };
            req.on('drain', done);
            req.on('close', done);
          });
        }
      }
      if (!answered && !req.destroyed) req.end();
    })().catch(fail);
  });
}
