/**
 * The local gateway in-process, in front of recording servers standing in for the functions: each route
 * reaches its own function with the path, query, headers and body as sent (`%2B` as `+`), the function's answer
 * comes back as it is, and a request without the right key never reaches a function.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { gatewayFunctions, loadOpenApiDocument } from '../../devtools/openapi/document.js';
import { startLocalGateway, type LocalGateway } from '../../devtools/local-gateway.js';
import { request } from '../support/http.js';
import { startRecordingServer, type RecordingServer } from '../support/recording-server.js';

const document = await loadOpenApiDocument();
const functions = gatewayFunctions(document);
const backends = new Map<string, RecordingServer>(
  await Promise.all(functions.map(async (name) => [name, await startRecordingServer()] as const)),
);
const gateway: LocalGateway = await startLocalGateway({
  document,
  apiKey: 'test-key',
  backends: Object.fromEntries([...backends].map(([name, server]) => [name, server.url])),
});
/** What each function received since the test began. */
const before = new Map<string, number>();
const received = () =>
  [...backends].flatMap(([name, server]) =>
    server.requests.slice(before.get(name) ?? 0).map((r) => ({ name, ...r })),
  );

afterAll(async () => {
  await gateway.close();
  await Promise.all([...backends.values()].map((server) => server.close()));
});

beforeEach(() => {
  for (const [name, server] of backends) {
    before.set(name, server.requests.length);
    server.respondWith(200);
  }
});

describe('local gateway', () => {
  it.each([
    [
      'POST',
      '/v1/phones/%2B15551234567/agentMessages?messageId=m1&key=test-key',
      'send',
      '/v1/phones/+15551234567/agentMessages?messageId=m1&key=test-key',
    ],
    [
      'DELETE',
      '/v1/phones/+15551234567/agentMessages/m1?key=test-key',
      'revoke',
      '/v1/phones/+15551234567/agentMessages/m1?key=test-key',
    ],
    [
      'GET',
      '/v1/phones/+15551234567/agentMessages/m1?key=test-key',
      'messages',
      '/v1/phones/+15551234567/agentMessages/m1?key=test-key',
    ],
    [
      'POST',
      '/v1/phones/+15551234567/agentEvents?key=test-key',
      'events',
      '/v1/phones/+15551234567/agentEvents?key=test-key',
    ],
    [
      'GET',
      '/v1/phones/%2B15551234567/capabilities?key=test-key',
      'capabilities',
      '/v1/phones/+15551234567/capabilities?key=test-key',
    ],
    ['POST', '/v1/users:batchGet?key=test-key', 'capabilities', '/v1/users:batchGet?key=test-key'],
    ['POST', '/v1/files?key=test-key', 'files', '/v1/files?key=test-key'],
    ['POST', '/v1/campaigns/c-1:cancel?key=test-key', 'campaigns', '/v1/campaigns/c-1:cancel?key=test-key'],
  ])('%s %s reaches %s at %s', async (method, path, name, forwarded) => {
    const answer = await request(`${gateway.url}${path}`, {
      method,
      ...(method === 'POST' ? { body: {} } : {}),
    });
    expect(answer.status).toBe(200);
    expect(received().map((r) => [r.name, r.method, r.path])).toEqual([[name, method, forwarded]]);
  });

  it('forwards the body and the headers, and passes the function’s answer back as it is', async () => {
    backends.get('send')?.respondWith(409);
    const answer = await request(`${gateway.url}/v1/phones/+15551234567/agentMessages`, {
      method: 'POST',
      body: { contentMessage: { text: 'hi' } },
      headers: { 'x-api-key': 'test-key', 'Idempotency-Key': 'order-42', 'Correlation-Id': 'c-9' },
    });
    expect(answer.status).toBe(409);
    expect(answer.text).toBe('ok');
    const [forwarded] = received();
    expect(forwarded?.body).toBe('{"contentMessage":{"text":"hi"}}');
    expect(forwarded?.headers).toMatchObject({
      'idempotency-key': 'order-42',
      'correlation-id': 'c-9',
      'content-type': 'application/json',
      host: new URL(backends.get('send')?.url ?? '').host,
    });
  });

  it.each([
    ['no key', {}, '', 401, 'UNAUTHENTICATED'],
    ['a wrong key in the query', {}, '?key=nope', 400, 'INVALID_ARGUMENT'],
    ['a wrong key in the header', { 'x-api-key': 'nope' }, '', 400, 'INVALID_ARGUMENT'],
  ])(
    '%s: %s in Google’s error shape, nothing forwarded',
    async (_name, headers, query, status, rpcStatus) => {
      const answer = await request(`${gateway.url}/v1/files${query}`, { method: 'POST', body: {}, headers });
      expect(answer.status).toBe(status);
      expect(answer.json).toMatchObject({
        error: { code: status, status: rpcStatus, message: expect.any(String) },
      });
      expect(received()).toEqual([]);
    },
  );

  it.each([
    ['POST', '/', 404],
    ['POST', '/v1/campaigns/c-1:dispatch?key=test-key', 404],
    ['GET', '/nothing/here?key=test-key', 404],
    ['PATCH', '/v1/files?key=test-key', 405],
  ])('%s %s → %d, nothing forwarded', async (method, path, status) => {
    const answer = await request(`${gateway.url}${path}`, { method });
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ error: { code: status } });
    if (status === 405) expect(answer.headers.get('allow')).toBe('POST');
    expect(received()).toEqual([]);
  });

  it('answers 503 in Google’s error shape when the function does not answer', async () => {
    const closed = await startRecordingServer();
    const url = closed.url;
    await closed.close();
    const alone = await startLocalGateway({
      document,
      apiKey: 'k',
      backends: Object.fromEntries(functions.map((name) => [name, url])),
    });
    try {
      const answer = await request(`${alone.url}/v1/files?key=k`, { method: 'POST', body: {} });
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    } finally {
      await alone.close();
    }
  });

  it('refuses to start without a URL for a function it routes to', async () => {
    await expect(startLocalGateway({ document, backends: { send: 'http://127.0.0.1:9' } })).rejects.toThrow(
      /has no local URL/,
    );
  });
});
