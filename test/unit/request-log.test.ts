/**
 * The request log line: its pure parts table-driven, then the runtime's serveHttp served in-process by
 * functions-framework's test server, with stdout and stderr captured, so every kind of answer (handler, 404,
 * 405, thrown error, body refused before the function runs) is checked for exactly one masked request line.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { storageUnavailableResult } from '../../shared/http/response.js';
import {
  formatLatency,
  REQUEST_LOG_MESSAGE,
  requestLogEntry,
  severityForStatus,
  TRACE_FIELD,
  traceIdOf,
} from '../../shared/http/request-log.js';
import { REDACTED } from '../../shared/log/redact.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { PLATFORM_ENV, type HttpFunctionSpec } from '../../shared/runtime/spec.js';
import { pollUntil } from '../support/poll.js';
import { request } from '../support/http.js';

const PHONE = '+15551234567';
const MASKED = '+*******4567';
const TRACE = '0123456789abcdef0123456789abcdef';

describe('severityForStatus (as Cloud Run request logs)', () => {
  it.each([
    [200, 'INFO'],
    [204, 'INFO'],
    [302, 'INFO'],
    [399, 'INFO'],
    [400, 'WARNING'],
    [404, 'WARNING'],
    [413, 'WARNING'],
    [499, 'WARNING'],
    [500, 'ERROR'],
    [503, 'ERROR'],
  ])('%i → %s', (status, severity) => {
    expect(severityForStatus(status)).toBe(severity);
  });
});

describe('formatLatency', () => {
  it.each([
    [0, '0.000s'],
    [0.4, '0.000s'],
    [123.4, '0.123s'],
    [1500, '1.500s'],
    [61_000.25, '61.000s'],
    [-1, '0.000s'],
  ])('%f ms → %s', (ms, text) => {
    expect(formatLatency(ms)).toBe(text);
  });
});

describe('traceIdOf', () => {
  it.each<[string, string | undefined, string | undefined, string | undefined]>([
    ['X-Cloud-Trace-Context', `${TRACE}/123;o=1`, undefined, TRACE],
    ['X-Cloud-Trace-Context without span', TRACE.toUpperCase(), undefined, TRACE],
    ['traceparent', undefined, `00-${TRACE}-00f067aa0ba902b7-01`, TRACE],
    ['X-Cloud-Trace-Context first', `${TRACE}/1`, `00-${'1'.repeat(32)}-00f067aa0ba902b7-01`, TRACE],
    ['malformed', 'not-a-trace/1', 'garbage', undefined],
    ['an all-zero traceparent', undefined, `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, undefined],
    ['none', undefined, undefined, undefined],
  ])('%s', (_name, cloud, w3c, expected) => {
    expect(traceIdOf(cloud, w3c)).toBe(expected);
  });
});

describe('requestLogEntry', () => {
  it('has the httpRequest shape, the masked URL and the trace', () => {
    expect(
      requestLogEntry({
        method: 'POST',
        url: `/v1/phones/%2B15551234567/agentMessages?messageId=m-1&phoneNumber=%2B15551234567`,
        status: 200,
        latencyMs: 12.6,
        route: 'send',
        messageId: 'm-1',
        traceId: TRACE,
        projectId: 'p',
      }),
    ).toEqual({
      severity: 'INFO',
      fields: {
        httpRequest: {
          requestMethod: 'POST',
          requestUrl: `/v1/phones/${MASKED}/agentMessages?messageId=m-1&phoneNumber=${MASKED}`,
          status: 200,
          latency: '0.013s',
        },
        latencyMs: 13,
        route: 'send',
        messageId: 'm-1',
        [TRACE_FIELD]: `projects/p/traces/${TRACE}`,
      },
    });
  });

  it('leaves out what is not known (no route, no trace without a project)', () => {
    const { fields } = requestLogEntry({
      method: 'GET',
      url: '/x',
      status: 404,
      latencyMs: 1,
      traceId: TRACE,
    });
    expect(Object.keys(fields).sort()).toEqual(['httpRequest', 'latencyMs']);
  });
});

// --- serveHttp in-process ---

const NAME = 'requestLogProbe';
const LIMIT = 1024;
const spec: HttpFunctionSpec<'list' | 'create' | 'boom' | 'down'> = {
  name: NAME,
  trigger: 'http',
  description: 'request log probe',
  env: [...PLATFORM_ENV],
  secrets: [],
  pathCarriesPhoneNumbers: true,
  maxBodyBytes: LIMIT,
  routes: {
    list: { method: 'GET', path: '/v1/phones/{phoneNumber}/agentMessages', summary: 'list' },
    create: { method: 'POST', path: '/v1/phones/{phoneNumber}/agentMessages', summary: 'create' },
    boom: { method: 'POST', path: '/v1/boom', summary: 'throws' },
    down: { method: 'GET', path: '/v1/down', summary: 'storage unavailable' },
  },
};

const printed: string[] = [];
let server: Server;
let base: string;

function capture(stream: NodeJS.WriteStream) {
  return vi.spyOn(stream, 'write').mockImplementation((chunk: unknown) => {
    printed.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
}

/** Our function's lines (other output, such as the framework's, is not JSON or not ours). */
function entries(): Array<Record<string, unknown>> {
  return printed.flatMap((line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      return entry.function === NAME ? [entry] : [];
    } catch {
      return [];
    }
  });
}
const requestLines = () => entries().filter((entry) => entry.message === REQUEST_LOG_MESSAGE);

beforeAll(async () => {
  process.env.GOOGLE_CLOUD_PROJECT = 'log-project';
  serveHttp(spec, () => ({}), {
    list: async (call) => ({
      status: 200,
      body: { phoneNumber: call.params.phoneNumber, text: 'hello there' },
    }),
    create: async (call) => {
      await call.json();
      return { status: 200, body: {}, headers: { 'Rbm-Message-Id': 'm-42' } };
    },
    boom: async () => {
      throw new Error('kaboom');
    },
    down: async () => storageUnavailableResult(),
  });
  server = getTestServer(NAME);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  capture(process.stdout);
  capture(process.stderr);
});

afterAll(async () => {
  vi.restoreAllMocks();
  delete process.env.GOOGLE_CLOUD_PROJECT;
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  printed.length = 0;
});

interface Case {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  status: number;
  severity: string;
  requestUrl: string;
  more?: Record<string, unknown>;
}

const BODY_SECRET = 'do not log this message text';

describe('serveHttp: one request line per answer', () => {
  it.each<[string, Case]>([
    [
      'a read with a phone in the path and the query',
      {
        method: 'GET',
        path: `/v1/phones/${PHONE}/agentMessages?phoneNumber=%2B15551234567&pageToken=tok123`,
        headers: { 'X-Cloud-Trace-Context': `${TRACE}/1;o=1` },
        status: 200,
        severity: 'INFO',
        requestUrl: `/v1/phones/${MASKED}/agentMessages?phoneNumber=${MASKED}&pageToken=${REDACTED}`,
        more: { route: 'list', [TRACE_FIELD]: `projects/log-project/traces/${TRACE}` },
      },
    ],
    [
      'an encoded phone in the path',
      {
        method: 'GET',
        path: '/v1/phones/%2B15551234567/agentMessages',
        status: 200,
        severity: 'INFO',
        requestUrl: `/v1/phones/${MASKED}/agentMessages`,
      },
    ],
    [
      'a write, its body never logged',
      {
        method: 'POST',
        path: `/v1/phones/${PHONE}/agentMessages?messageId=m-42`,
        body: JSON.stringify({ contentMessage: { text: BODY_SECRET }, to: PHONE }),
        status: 200,
        severity: 'INFO',
        requestUrl: `/v1/phones/${MASKED}/agentMessages?messageId=m-42`,
        more: { route: 'create', messageId: 'm-42' },
      },
    ],
    [
      'an unknown path (404)',
      {
        method: 'GET',
        path: `/v1/nowhere/${PHONE}`,
        status: 404,
        severity: 'WARNING',
        requestUrl: `/v1/nowhere/${MASKED}`,
      },
    ],
    [
      'a wrong method (405)',
      {
        method: 'DELETE',
        path: `/v1/phones/${PHONE}/agentMessages`,
        status: 405,
        severity: 'WARNING',
        requestUrl: `/v1/phones/${MASKED}/agentMessages`,
      },
    ],
    [
      'malformed JSON (400)',
      {
        method: 'POST',
        path: `/v1/phones/${PHONE}/agentMessages`,
        body: `{"text": "${BODY_SECRET}"`,
        status: 400,
        severity: 'WARNING',
        requestUrl: `/v1/phones/${MASKED}/agentMessages`,
      },
    ],
    [
      'a body over the limit, refused before the function runs (413)',
      {
        method: 'POST',
        path: `/v1/phones/${PHONE}/agentMessages`,
        body: JSON.stringify({ text: BODY_SECRET.repeat(100) }),
        status: 413,
        severity: 'WARNING',
        requestUrl: `/v1/phones/${MASKED}/agentMessages`,
      },
    ],
    [
      'a storage outage (503)',
      { method: 'GET', path: '/v1/down', status: 503, severity: 'ERROR', requestUrl: '/v1/down' },
    ],
    [
      'an unhandled error (500)',
      { method: 'POST', path: '/v1/boom', status: 500, severity: 'ERROR', requestUrl: '/v1/boom' },
    ],
  ])('%s', async (_name, c) => {
    const answer = await request(`${base}${c.path}`, {
      method: c.method,
      ...(c.body === undefined ? {} : { rawBody: c.body }),
      headers: { ...(c.body === undefined ? {} : { 'content-type': 'application/json' }), ...c.headers },
    });
    expect(answer.status).toBe(c.status);
    const [line] = await pollUntil(() => (requestLines().length > 0 ? requestLines() : undefined), {
      description: 'the request line',
    });
    expect(requestLines()).toHaveLength(1);
    expect(line).toMatchObject({
      severity: c.severity,
      message: REQUEST_LOG_MESSAGE,
      function: NAME,
      httpRequest: { requestMethod: c.method, requestUrl: c.requestUrl, status: c.status },
      ...c.more,
    });
    const { httpRequest, latencyMs } = line as { httpRequest: { latency: string }; latencyMs: number };
    expect(httpRequest.latency).toMatch(/^\d+\.\d{3}s$/);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    const out = printed.join('\n');
    expect(out).not.toContain(PHONE.slice(1));
    expect(out).not.toContain(BODY_SECRET);
    expect(out).not.toContain('hello there');
    expect(out).not.toContain('tok123');
  });

  it('explains a 500 in one more line, the error, besides the request line', async () => {
    await request(`${base}/v1/boom`, { method: 'POST' });
    await pollUntil(() => (requestLines().length > 0 ? true : undefined), {
      description: 'the request line',
    });
    expect(entries().map((entry) => entry.message)).toEqual(['Unhandled error', REQUEST_LOG_MESSAGE]);
  });
});

describe('serveHttp: request lines in all', () => {
  it('wrote one line for every request made (no more)', async () => {
    // A later line for an earlier request would come before the last one's: the list would be longer.
    const paths = ['/v1/down', `/v1/phones/${PHONE}/agentMessages`, '/v1/nowhere'];
    for (const path of paths) await request(`${base}${path}`);
    const lines = await pollUntil(
      () => (requestLines().length >= paths.length ? requestLines() : undefined),
      {
        description: 'three request lines',
      },
    );
    expect(lines.map((line) => (line.httpRequest as { status: number }).status)).toEqual([503, 200, 404]);
  });
});
