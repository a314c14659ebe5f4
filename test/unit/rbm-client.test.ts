import { describe, expect, it } from 'vitest';
import type { RbmConfig } from '../../shared/config/rbm.js';
import { createLogger } from '../../shared/log/logger.js';
import { RbmClient } from '../../shared/rbm/client.js';

type Scripted = { status: number; body?: unknown; headers?: Record<string, string> } | 'network-error';

function harness(script: Scripted[], options: { token?: string; deadlineMs?: number } = {}) {
  const requests: Array<{ url: string; method: string; headers: Record<string, string>; body?: string }> = [];
  const sleeps: number[] = [];
  let clock = 0;
  const config: RbmConfig = {
    endpoint: 'https://rcsbusinessmessaging.googleapis.com',
    agentId: 'my-agent',
    auth: { kind: 'applicationDefault' },
    retry: {
      deadlineMs: options.deadlineMs ?? 10_000,
      initialBackoffMs: 100,
      maxBackoffMs: 1_000,
      attemptTimeoutMs: 1_000,
    },
  };
  const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({
      url: String(url),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    });
    const next = script.shift() ?? { status: 200, body: {} };
    if (next === 'network-error') throw new TypeError('fetch failed');
    return new Response(next.body === undefined ? '' : JSON.stringify(next.body), {
      status: next.status,
      headers: next.headers ?? {},
    });
  }) as typeof fetch;
  const client = new RbmClient(config, {
    fetch: fakeFetch,
    tokens: async () => options.token,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 1,
    logger: createLogger({}, () => {}),
  });
  return { client, requests, sleeps };
}

const message = { contentMessage: { text: 'hello' } };
const id = '6f1c2b8e-3f7a-4c1e-9a55-2d7b8c9e0f11';

describe('RbmClient', () => {
  it('creates with the RBM path, query, JSON body and bearer token', async () => {
    const { client, requests } = harness([{ status: 200, body: { name: 'n' } }], { token: 'tok' });
    const outcome = await client.createAgentMessage('+15551234567', id, message);
    expect(outcome).toEqual({ kind: 'ok', status: 200, body: { name: 'n' }, attempts: 1 });
    expect(requests[0]).toMatchObject({
      method: 'POST',
      url: `https://rcsbusinessmessaging.googleapis.com/v1/phones/+15551234567/agentMessages?messageId=${id}&agentId=my-agent`,
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(message),
    });
  });

  it('sends no Authorization header when the token source gives none', async () => {
    const { client, requests } = harness([{ status: 200, body: {} }]);
    await client.deleteAgentMessage('+15551234567', id);
    expect(requests[0]?.headers.authorization).toBeUndefined();
    expect(requests[0]?.url).toBe(
      `https://rcsbusinessmessaging.googleapis.com/v1/phones/+15551234567/agentMessages/${id}?agentId=my-agent`,
    );
  });

  it('retries 429 honouring Retry-After, then succeeds', async () => {
    const { client, requests, sleeps } = harness([
      {
        status: 429,
        headers: { 'retry-after': '3' },
        body: { error: { code: 429, status: 'RESOURCE_EXHAUSTED' } },
      },
      { status: 200, body: { name: 'n' } },
    ]);
    const outcome = await client.createAgentMessage('+15551234567', id, message);
    expect(outcome).toMatchObject({ kind: 'ok', attempts: 2 });
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([3000]);
  });

  it('retries 5xx and network errors with growing backoff', async () => {
    const { client, sleeps } = harness([
      { status: 503 },
      'network-error',
      { status: 500 },
      { status: 200, body: {} },
    ]);
    expect(await client.createAgentMessage('+15551234567', id, message)).toMatchObject({
      kind: 'ok',
      attempts: 4,
    });
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('retries 408 like 429 and 5xx', async () => {
    const { client, requests } = harness([
      { status: 408, body: { error: { code: 408, status: 'DEADLINE_EXCEEDED', message: 'slow' } } },
      { status: 200, body: { name: 'n' } },
    ]);
    expect(await client.createAgentMessage('+15551234567', id, message)).toMatchObject({
      kind: 'ok',
      attempts: 2,
    });
    expect(requests).toHaveLength(2);
  });

  it.each([400, 403, 404, 409])('does not retry %i and passes RBM’s error through', async (status) => {
    const error = { code: status, status: 'X', message: 'rbm says no' };
    const { client, requests } = harness([{ status, body: { error } }]);
    expect(await client.createAgentMessage('+15551234567', id, message)).toEqual({
      kind: 'rejected',
      status,
      error,
      attempts: 1,
    });
    expect(requests).toHaveLength(1);
  });

  it('gives up when the retry budget is spent and reports the last error', async () => {
    const { client, requests } = harness(
      Array.from({ length: 50 }, () => ({
        status: 503,
        body: { error: { code: 503, status: 'UNAVAILABLE', message: 'down' } },
      })),
      { deadlineMs: 2_000 },
    );
    const outcome = await client.createAgentMessage('+15551234567', id, message);
    expect(outcome).toMatchObject({ kind: 'unavailable', error: { code: 503, status: 'UNAVAILABLE' } });
    expect(outcome.attempts).toBe(requests.length);
    expect(requests.length).toBeGreaterThan(2);
    expect(requests.length).toBeLessThan(10);
  });

  it('does not wait for a Retry-After beyond the budget', async () => {
    const { client, requests, sleeps } = harness([{ status: 429, headers: { 'retry-after': '60' } }], {
      deadlineMs: 5_000,
    });
    expect(await client.createAgentMessage('+15551234567', id, message)).toMatchObject({
      kind: 'unavailable',
      attempts: 1,
    });
    expect(requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

const base = 'https://rcsbusinessmessaging.googleapis.com';
const requestId = '0b9d7c3e-5a41-4f2b-8c6d-1e2f3a4b5c6d';

describe('RbmClient: agent events, capabilities, batchGet, files', () => {
  it.each([
    {
      name: 'sendAgentEvent READ',
      run: (client: RbmClient) =>
        client.sendAgentEvent('+15551234567', id, { eventType: 'READ', messageId: 'user-msg-1' }),
      method: 'POST',
      url: `${base}/v1/phones/+15551234567/agentEvents?eventId=${id}&agentId=my-agent`,
      body: { eventType: 'READ', messageId: 'user-msg-1' },
    },
    {
      name: 'sendAgentEvent IS_TYPING',
      run: (client: RbmClient) => client.sendAgentEvent('+15551234567', id, { eventType: 'IS_TYPING' }),
      method: 'POST',
      url: `${base}/v1/phones/+15551234567/agentEvents?eventId=${id}&agentId=my-agent`,
      body: { eventType: 'IS_TYPING' },
    },
    {
      name: 'getCapabilities',
      run: (client: RbmClient) => client.getCapabilities('+15551234567', requestId),
      method: 'GET',
      url: `${base}/v1/phones/+15551234567/capabilities?requestId=${requestId}&agentId=my-agent`,
      body: undefined,
    },
    {
      name: 'batchGetUsers (agent id in the body)',
      run: (client: RbmClient) => client.batchGetUsers(['+15551234567', '+15557654321']),
      method: 'POST',
      url: `${base}/v1/users:batchGet`,
      body: { users: ['+15551234567', '+15557654321'], agentId: 'my-agent' },
    },
    {
      name: 'createFileFromUrl with a thumbnail (agent id in the body)',
      run: (client: RbmClient) =>
        client.createFileFromUrl('https://example.com/a.png', 'https://example.com/a-thumb.png'),
      method: 'POST',
      url: `${base}/v1/files`,
      body: {
        fileUrl: 'https://example.com/a.png',
        thumbnailUrl: 'https://example.com/a-thumb.png',
        agentId: 'my-agent',
      },
    },
    {
      name: 'createFileFromUrl without a thumbnail',
      run: (client: RbmClient) => client.createFileFromUrl('https://example.com/a.png'),
      method: 'POST',
      url: `${base}/v1/files`,
      body: { fileUrl: 'https://example.com/a.png', agentId: 'my-agent' },
    },
  ])('$name: method, path, query and body', async ({ run, method, url, body }) => {
    const { client, requests } = harness([{ status: 200, body: { answer: 'yes' } }], { token: 'tok' });
    expect(await run(client)).toEqual({ kind: 'ok', status: 200, body: { answer: 'yes' }, attempts: 1 });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method, url, headers: { authorization: 'Bearer tok' } });
    if (body === undefined) {
      expect(request?.body).toBeUndefined();
      expect(request?.headers['content-type']).toBeUndefined();
    } else {
      expect(JSON.parse(request?.body ?? 'null')).toEqual(body);
      expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
    }
  });

  it.each([
    [
      'sendAgentEvent',
      (client: RbmClient) => client.sendAgentEvent('+15551234567', id, { eventType: 'IS_TYPING' }),
    ],
    ['getCapabilities', (client: RbmClient) => client.getCapabilities('+15551234567', requestId)],
    ['batchGetUsers', (client: RbmClient) => client.batchGetUsers(['+15551234567'])],
    ['createFileFromUrl', (client: RbmClient) => client.createFileFromUrl('https://example.com/a.png')],
  ])('%s retries 408, 429, 5xx and network errors with the same request', async (_name, run) => {
    const { client, requests } = harness([
      { status: 408 },
      { status: 429 },
      { status: 503 },
      'network-error',
      { status: 200, body: {} },
    ]);
    expect(await run(client)).toMatchObject({ kind: 'ok', attempts: 5 });
    expect(new Set(requests.map((request) => `${request.url} ${request.body ?? ''}`)).size).toBe(1);
  });

  it('passes a 404 from getCapabilities through without retrying', async () => {
    const error = { code: 404, status: 'NOT_FOUND', message: 'Requested entity was not found.' };
    const { client, requests } = harness([{ status: 404, body: { error } }]);
    expect(await client.getCapabilities('+15551234567', requestId)).toEqual({
      kind: 'rejected',
      status: 404,
      error,
      attempts: 1,
    });
    expect(requests).toHaveLength(1);
  });

  it('sendAgentEvent stops retrying at maxRetryMs when that is below the configured budget', async () => {
    const failing = () => Array.from({ length: 50 }, () => ({ status: 503 }));
    const bounded = harness(failing(), { deadlineMs: 10_000 });
    const outcome = await bounded.client.sendAgentEvent(
      '+15551234567',
      id,
      { eventType: 'IS_TYPING' },
      { maxRetryMs: 500 },
    );
    // Backoff (random = 1) is 100, 200, 400 ms: the third wait would end past 500 ms.
    expect(outcome).toMatchObject({ kind: 'unavailable', attempts: 3 });
    expect(bounded.sleeps).toEqual([100, 200]);

    const unbounded = harness(failing(), { deadlineMs: 10_000 });
    const full = await unbounded.client.sendAgentEvent('+15551234567', id, { eventType: 'IS_TYPING' });
    expect(full.attempts).toBeGreaterThan(3);
  });
});
