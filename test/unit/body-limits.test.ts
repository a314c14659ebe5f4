/**
 * The body limits inside functions-framework's own server (its test server, the same Express app and body
 * parsers it serves with), with a function that echoes what it was handed.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import * as functions from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chunkedBody,
  compressionBomb,
  declaredLengthBody,
  postStreamed,
  type HostileBody,
} from '../../devtools/hostile-bodies.js';
import { installRequestBodyLimits } from '../../shared/http/body-limits.js';
import { rawBody } from '../../shared/http/request.js';
import { respond } from '../../shared/http/response.js';
import { createLogger } from '../../shared/log/logger.js';
import { request } from '../support/http.js';

const LIMIT = 64 * 1024;
const ECHO = 'bodyLimitsEcho';

installRequestBodyLimits({ maxBytes: LIMIT });
let invocations = 0;
functions.http(ECHO, (req, res) => {
  invocations++;
  return respond(res, createLogger({ function: ECHO }), async () => ({
    status: 200,
    body: { text: (await rawBody(req, LIMIT)).toString('utf8'), parsed: req.body ?? null },
  }));
});

let server: Server;
let url: string;

beforeAll(async () => {
  server = getTestServer(ECHO);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const json = JSON.stringify({ message: { data: 'aGVsbG8=' } });

describe('bodies within the limit', () => {
  it.each([
    ['identity', undefined, Buffer.from(json)],
    ['gzip', 'gzip', gzipSync(json)],
    ['deflate', 'deflate', deflateSync(json)],
    ['br', 'br', brotliCompressSync(json)],
  ])('a %s JSON body reaches the function decoded and parsed', async (_, encoding, wire) => {
    const answer = await postStreamed(
      url,
      body(wire, { 'content-type': 'application/json', 'content-encoding': encoding }),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ text: json, parsed: JSON.parse(json) });
  });

  it('a compressed body without Content-Type reaches the function decoded', async () => {
    const answer = await postStreamed(url, body(gzipSync(json), { 'content-encoding': 'gzip' }));
    expect(JSON.parse(answer.text)).toEqual({ text: json, parsed: null });
  });

  it('a form body is still parsed by the framework', async () => {
    const answer = await request(url, {
      method: 'POST',
      rawBody: 'a=1&b[c]=2',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.json).toEqual({ text: 'a=1&b[c]=2', parsed: { a: '1', b: { c: '2' } } });
  });

  it('a body of exactly the limit, sent chunked, is accepted', async () => {
    const answer = await postStreamed(url, chunkedBody(LIMIT));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).text).toHaveLength(LIMIT);
  });

  it('malformed JSON is answered by the function, in Google error shape', async () => {
    const answer = await request(url, {
      method: 'POST',
      rawBody: '{"message": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Request body is not valid JSON.' },
    });
  });
});

describe('bodies refused while read', () => {
  const oversized: ReadonlyArray<readonly [string, () => Promise<HostileBody> | HostileBody]> = [
    ['with Content-Length', () => declaredLengthBody(LIMIT + 1)],
    ['chunked', () => chunkedBody(64 * LIMIT)],
    [
      'chunked, without Content-Type',
      () => ({ ...chunkedBody(64 * LIMIT), headers: { 'transfer-encoding': 'chunked' } }),
    ],
    ['gzip bomb', () => compressionBomb('gzip', 256 * LIMIT)],
    ['deflate bomb', () => compressionBomb('deflate', 256 * LIMIT)],
    ['br bomb', () => compressionBomb('br', 256 * LIMIT)],
  ];

  it.each(oversized)(
    '%s: 413 OUT_OF_RANGE before the function runs, next request served',
    async (_, make) => {
      const invoked = invocations;
      const answer = await postStreamed(url, await make());
      expect(invocations).toBe(invoked);
      expect(answer.status).toBe(413);
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.text)).toEqual({
        error: { code: 413, status: 'OUT_OF_RANGE', message: `Request body exceeds ${LIMIT} bytes.` },
      });
      expect((await request(url, { method: 'POST', body: { ok: true } })).status).toBe(200);
    },
  );

  it('an unknown Content-Encoding: 415 INVALID_ARGUMENT naming the codings taken', async () => {
    const invoked = invocations;
    const answer = await request(url, {
      method: 'POST',
      rawBody: json,
      headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
    });
    expect(answer.status).toBe(415);
    expect(invocations).toBe(invoked);
    expect(answer.headers.get('accept-encoding')).toBe('gzip, deflate, br');
    expect(answer.json).toMatchObject({ error: { code: 415, status: 'INVALID_ARGUMENT' } });
  });

  it('corrupt gzip: 400 INVALID_ARGUMENT', async () => {
    const answer = await postStreamed(url, body(Buffer.from('not gzip'), { 'content-encoding': 'gzip' }));
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({
      error: { code: 400, status: 'INVALID_ARGUMENT', message: 'Request body is not valid gzip data.' },
    });
  });
});

function body(wire: Buffer, headers: Record<string, string | undefined>): HostileBody {
  const defined = Object.fromEntries(
    Object.entries({ ...headers, 'content-length': String(wire.length) }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  return {
    name: 'body',
    headers: defined,
    wireBytes: wire.length,
    decodedBytes: wire.length,
    chunks: async function* () {
      yield wire;
    },
  };
}
