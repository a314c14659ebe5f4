/**
 * The built webhook bundle under functions-framework refuses oversized bodies while reading them, however they are
 * encoded: each hostile body gets a 413 in Google's error shape, the serving process's peak resident memory stays
 * within a few MiB of where it stood, and the instance answers a normal request afterwards.
 */
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import {
  chunkedBody,
  compressionBomb,
  declaredLengthBody,
  postStreamed,
  type HostileBody,
} from '../../devtools/hostile-bodies.js';
import { peakGrowthDuring } from '../../devtools/process-memory.js';
import { request } from '../support/http.js';

const MIB = 1024 * 1024;
const PEAK_GROWTH_LIMIT_BYTES = 16 * MIB;
const CLIENT_TOKEN = 't';
const HANDSHAKE = { clientToken: CLIENT_TOKEN, secret: 'handshake-secret' };

let server: FunctionServer;
let pid: number;

// A fresh instance for each case, so one case's heap growth cannot hide the next one's.
beforeEach(async () => {
  server = await startFunction({
    name: 'webhook',
    env: {
      RBM_WEBHOOK_CLIENT_TOKEN: CLIENT_TOKEN,
      GOOGLE_CLOUD_PROJECT: 'p',
      // Nothing listens there: a refused body never reaches Pub/Sub.
      PUBSUB_EMULATOR_HOST: '127.0.0.1:1',
    },
  });
  if (server.pid === undefined) throw new Error('the webhook server has no pid');
  pid = server.pid;
  // The first requests of an instance load code and grow the heap: measure a warm instance.
  for (let i = 0; i < 3; i++) expect((await handshake()).status).toBe(200);
});

afterEach(async () => {
  await server?.stop();
});

async function handshake(): Promise<{ status: number; text: string }> {
  return request(server.url, { method: 'POST', body: HANDSHAKE });
}

const hostile: ReadonlyArray<readonly [string, number, string, () => Promise<HostileBody> | HostileBody]> = [
  ['gzip bomb (256 MiB inflated)', 413, 'OUT_OF_RANGE', () => compressionBomb('gzip', 256 * MIB)],
  ['deflate bomb (256 MiB inflated)', 413, 'OUT_OF_RANGE', () => compressionBomb('deflate', 256 * MIB)],
  ['br bomb (256 MiB inflated)', 413, 'OUT_OF_RANGE', () => compressionBomb('br', 256 * MIB)],
  // Its decoder would fill a 16 MiB window: refused on the stream's first byte.
  ['br bomb with a 16 MiB window', 400, 'INVALID_ARGUMENT', () => compressionBomb('br', 256 * MIB, 24)],
  ['96 MiB chunked without Content-Length', 413, 'OUT_OF_RANGE', () => chunkedBody(96 * MIB)],
  ['32 MiB with Content-Length', 413, 'OUT_OF_RANGE', () => declaredLengthBody(32 * MIB)],
];

describe('webhook bundle: oversized bodies', () => {
  it.each(hostile)('%s: %i %s, peak RSS within a few MiB, still serving', async (_, code, status, make) => {
    const body = await make();

    const { result: answer, growthBytes } = await peakGrowthDuring(pid, () => postStreamed(server.url, body));

    console.log(
      `[body-limits] ${body.name}: ${answer.status} in ${answer.msToStatus.toFixed(0)} ms, ` +
        `peak RSS +${(growthBytes / MIB).toFixed(1)} MiB, ${(answer.bytesSent / MIB).toFixed(1)} MiB sent`,
    );
    expect(answer.status).toBe(code);
    expect(JSON.parse(answer.text)).toEqual({ error: { code, status, message: expect.any(String) } });
    expect(growthBytes).toBeLessThanOrEqual(PEAK_GROWTH_LIMIT_BYTES);
    const after = await handshake();
    expect(after).toMatchObject({ status: 200, text: HANDSHAKE.secret });
  });

  it('still inflates a compressed body under the limit', async () => {
    const compressed = gzipSync(JSON.stringify(HANDSHAKE));
    const answer = await postStreamed(server.url, {
      name: 'gzip handshake',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        'content-length': String(compressed.length),
      },
      wireBytes: compressed.length,
      decodedBytes: JSON.stringify(HANDSHAKE).length,
      chunks: async function* () {
        yield compressed;
      },
    });
    expect(answer).toMatchObject({ status: 200, text: HANDSHAKE.secret });
  });

  it('answers an unknown Content-Encoding in Google error shape', async () => {
    const answer = await request(server.url, {
      method: 'POST',
      rawBody: JSON.stringify(HANDSHAKE),
      headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
    });
    expect(answer.status).toBe(415);
    expect(answer.json).toEqual({
      error: { code: 415, status: 'INVALID_ARGUMENT', message: expect.stringContaining('compress') },
    });
    expect((await handshake()).status).toBe(200);
  });
});
