import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeRbm } from '../../sandbox/fake-rbm/server.js';
import type { FakeRbm } from '../../sandbox/fake-rbm/server.js';
import { agentLaunchEvent, userText } from '../../sandbox/fake-rbm/payloads.js';
import { pollUntil } from '../support/poll.js';
import { startRecordingServer } from '../support/recording-server.js';
import type { RecordedRequest, RecordingServer } from '../support/recording-server.js';

const AGENT_ID = 'fake-test-agent';
const TOKEN = 'expected-access-token';
const CLIENT_TOKEN = 'webhook-client-token';
const PHONE = '+15550001111';
const OTHER_PHONE = '+15550002222';
const BODY = { contentMessage: { text: 'Hello from the agent' }, messageTrafficType: 'TRANSACTION' };

interface ApiAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly json: unknown;
}

async function call(
  fake: FakeRbm,
  method: 'POST' | 'DELETE',
  path: string,
  options: { query?: Record<string, string>; token?: string | null; body?: unknown; timeoutMs?: number } = {},
): Promise<ApiAnswer> {
  const url = new URL(`${fake.url}${path}`);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const token = options.token === undefined ? TOKEN : options.token;
  const response = await fetch(url, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

const create = (fake: FakeRbm, phone: string, messageId: string, extra: Parameters<typeof call>[3] = {}) =>
  call(fake, 'POST', `/v1/phones/${encodeURIComponent(phone)}/agentMessages`, {
    query: { messageId, agentId: AGENT_ID },
    body: BODY,
    ...extra,
  });

const revoke = (fake: FakeRbm, phone: string, messageId: string, extra: Parameters<typeof call>[3] = {}) =>
  call(fake, 'DELETE', `/v1/phones/${encodeURIComponent(phone)}/agentMessages/${messageId}`, {
    query: { agentId: AGENT_ID },
    ...extra,
  });

function decodedData(request: RecordedRequest): Buffer {
  const envelope = JSON.parse(request.body) as { message: { data: string } };
  return Buffer.from(envelope.message.data, 'base64');
}

function payloadOf(request: RecordedRequest): Record<string, unknown> {
  return JSON.parse(decodedData(request).toString('utf8')) as Record<string, unknown>;
}

let fake: FakeRbm;
let webhook: RecordingServer;

beforeAll(async () => {
  webhook = await startRecordingServer();
  fake = await startFakeRbm({ agentId: AGENT_ID, requireToken: TOKEN });
});

afterEach(async () => {
  await fake.callbacksSettled();
  fake.reset();
  fake.configureWebhook(undefined);
  fake.setCallbackRetries({ maxAttempts: 1, backoffMs: 10 });
  webhook.respondWith(200);
  (webhook.requests as RecordedRequest[]).length = 0;
});

afterAll(async () => {
  await fake.close();
  await webhook.close();
});

describe('fake RBM: agentMessages.create', () => {
  it('accepts a message and answers the AgentMessage', async () => {
    const messageId = randomUUID();
    const answer = await create(fake, PHONE, messageId, { body: { ...BODY, ttl: '60s' } });

    expect(answer.status).toBe(200);
    const body = answer.json as Record<string, string>;
    expect(body).toMatchObject({
      name: `phones/${PHONE}/agentMessages/${messageId}`,
      contentMessage: BODY.contentMessage,
      messageTrafficType: 'TRANSACTION',
    });
    const sendTime = Date.parse(body.sendTime ?? '');
    expect(Date.parse(body.expireTime ?? '') - sendTime).toBe(60_000);
    const [recorded] = fake.successfulCreates(messageId);
    expect(recorded).toMatchObject({
      phone: PHONE,
      agentId: AGENT_ID,
      hasToken: true,
      token: TOKEN,
      body: { ...BODY, ttl: '60s' },
    });
    expect(recorded?.headers).not.toHaveProperty('authorization');
    expect(fake.message(messageId)?.state).toBe('delivered');
  });

  it('ignores a duplicate message id: same answer, not counted again', async () => {
    const messageId = randomUUID();
    const first = await create(fake, PHONE, messageId);
    const second = await create(fake, PHONE, messageId, { body: { contentMessage: { text: 'different' } } });

    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(fake.creates()).toHaveLength(2);
    expect(fake.successfulCreates()).toHaveLength(1);
    expect(fake.creates()[1]?.duplicate).toBe(true);
  });

  it('answers 404 NOT_FOUND for an unreachable phone', async () => {
    await fake.setPhone(OTHER_PHONE, 'unreachable');
    const answer = await create(fake, OTHER_PHONE, randomUUID());
    expect(answer.status).toBe(404);
    expect(answer.json).toEqual({ error: { code: 404, status: 'NOT_FOUND', message: expect.any(String) } });
    expect(fake.successfulCreates()).toHaveLength(0);
  });

  it('rejects a messageId that is not a UUID', async () => {
    const answer = await create(fake, PHONE, 'not-a-uuid');
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });

  it('rejects a wrong or missing agentId with 403 PERMISSION_DENIED', async () => {
    const wrong = await create(fake, PHONE, randomUUID(), {
      query: { messageId: randomUUID(), agentId: 'other' },
    });
    const missing = await create(fake, PHONE, randomUUID(), { query: { messageId: randomUUID() } });
    for (const answer of [wrong, missing]) {
      expect(answer.status).toBe(403);
      expect(answer.json).toMatchObject({
        error: { code: 403, status: 'PERMISSION_DENIED', message: 'error looking up the RBM agent' },
      });
    }
  });

  it('rejects a missing or wrong bearer token with 401', async () => {
    expect((await create(fake, PHONE, randomUUID(), { token: null })).status).toBe(401);
    expect((await create(fake, PHONE, randomUUID(), { token: 'wrong' })).status).toBe(401);
    expect(fake.calls.map((recorded) => recorded.hasToken)).toEqual([false, true]);
    expect(fake.successfulCreates()).toHaveLength(0);
  });
});

describe('fake RBM: agentMessages.delete', () => {
  it('revokes an undelivered (offline, queued) message: 200 {}, then 404', async () => {
    await fake.setPhone(OTHER_PHONE, 'offline');
    const messageId = randomUUID();
    expect((await create(fake, OTHER_PHONE, messageId)).status).toBe(200);
    expect(fake.message(messageId)?.state).toBe('queued');

    const first = await revoke(fake, OTHER_PHONE, messageId);
    expect(first).toMatchObject({ status: 200, json: {} });
    expect(fake.message(messageId)?.state).toBe('revoked');
    expect((await revoke(fake, OTHER_PHONE, messageId)).status).toBe(404);
  });

  it('answers 200 while undelivered and 404 once delivered', async () => {
    fake.setAutoDeliver(false);
    const revocable = randomUUID();
    const delivered = randomUUID();
    await create(fake, PHONE, revocable);
    await create(fake, PHONE, delivered);
    expect(fake.message(delivered)?.state).toBe('pending');

    await fake.deliver(delivered);
    expect((await revoke(fake, PHONE, revocable)).status).toBe(200);
    const late = await revoke(fake, PHONE, delivered);
    expect(late.status).toBe(404);
    expect(late.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('delivers the queue when an offline phone comes online', async () => {
    await fake.setPhone(OTHER_PHONE, 'offline');
    const messageId = randomUUID();
    await create(fake, OTHER_PHONE, messageId);
    await fake.setPhone(OTHER_PHONE, 'reachable');
    expect(fake.message(messageId)?.state).toBe('delivered');
    expect((await revoke(fake, OTHER_PHONE, messageId)).status).toBe(404);
  });

  it('answers 404 for an unknown message id', async () => {
    expect((await revoke(fake, PHONE, randomUUID())).status).toBe(404);
    expect(fake.deletes()).toHaveLength(1);
  });
});

describe('fake RBM: fault injection', () => {
  it('answers 429 RESOURCE_EXHAUSTED with Retry-After for the next n calls, then normally', async () => {
    fake.failNext(2, { status: 429, retryAfterSeconds: 3 });
    const messageId = randomUUID();
    const first = await create(fake, PHONE, messageId);
    const second = await create(fake, PHONE, messageId);
    const third = await create(fake, PHONE, messageId);

    for (const answer of [first, second]) {
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('3');
      expect(answer.json).toMatchObject({ error: { code: 429, status: 'RESOURCE_EXHAUSTED' } });
    }
    expect(third.status).toBe(200);
    expect(fake.successfulCreates(messageId)).toHaveLength(1);
    expect(fake.calls.map((recorded) => recorded.fault)).toEqual(['status', 'status', undefined]);
  });

  it('answers 500 INTERNAL and 503 UNAVAILABLE, and scopes faults to one call kind', async () => {
    fake.failNext(1, { status: 500 });
    fake.failNext(1, { status: 503 }, { only: 'delete' });
    const messageId = randomUUID();
    const failed = await create(fake, PHONE, messageId);
    expect(failed.status).toBe(500);
    expect(failed.headers.get('retry-after')).toBeNull();
    expect(failed.json).toMatchObject({ error: { status: 'INTERNAL' } });
    expect((await create(fake, PHONE, messageId)).status).toBe(200);
    const unavailable = await revoke(fake, PHONE, messageId);
    expect(unavailable.status).toBe(503);
    expect(unavailable.json).toMatchObject({ error: { status: 'UNAVAILABLE' } });
  });

  it('hangs past a client timeout, and still processes the call', async () => {
    fake.failNext(1, { hangMs: 1_500 });
    const messageId = randomUUID();
    await expect(create(fake, PHONE, messageId, { timeoutMs: 200 })).rejects.toThrow();
    // The client gave up while the fake was still holding the call (not yet answered).
    expect(fake.calls[0]?.status).toBeUndefined();

    await pollUntil(() => fake.calls[0]?.status, {
      description: 'the hung call to be answered',
      timeoutMs: 5_000,
    });
    expect(fake.calls[0]).toMatchObject({ fault: 'hang', status: 200 });
    // The client retries with the same id: a duplicate, answered 200, the message counted once.
    expect((await create(fake, PHONE, messageId)).status).toBe(200);
    expect(fake.successfulCreates(messageId)).toHaveLength(1);
  });

  it('can destroy the connection', async () => {
    fake.failNext(1, { hangMs: 0, then: 'destroy' });
    await expect(create(fake, PHONE, randomUUID())).rejects.toThrow();
    expect(fake.calls[0]).toMatchObject({ fault: 'destroy', status: 0 });
    expect(fake.successfulCreates()).toHaveLength(0);
  });
});

describe('fake RBM: webhook callbacks', () => {
  it('POSTs the RBM envelope signed with HMAC-SHA512 of the decoded data', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    const payload = userText({ agentId: AGENT_ID, phone: PHONE, text: 'hi there' });
    const result = await fake.callback(payload);

    expect(result).toMatchObject({ status: 200, attempts: 1, copies: 1 });
    const [request] = webhook.requests;
    if (!request) throw new Error('no callback arrived');
    const envelope = JSON.parse(request.body) as {
      message: { data: string; messageId: string; publishTime: string };
      subscription: string;
    };
    expect(envelope.subscription).toBe('projects/rbm-partner/subscriptions/rbm-sub');
    expect(envelope.message.messageId).toMatch(/^\d+$/);
    expect(payloadOf(request)).toEqual(payload);
    const independent = createHmac('sha512', CLIENT_TOKEN).update(decodedData(request)).digest('base64');
    expect(request.headers['x-goog-signature']).toBe(independent);
  });

  it('sends envelope attributes (agent launch event)', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    const launch = agentLaunchEvent({ agentId: AGENT_ID });
    await fake.callback(launch.payload, { attributes: launch.attributes });
    const envelope = JSON.parse(webhook.requests[0]?.body ?? '{}') as {
      message: { attributes: Record<string, string> };
    };
    expect(envelope.message.attributes.type).toBe('agent_launch_event');
  });

  it('can send a wrong, missing or tampered signature', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    const payload = userText({ agentId: AGENT_ID, phone: PHONE, text: 'x' });
    await fake.callback(payload, { signature: null });
    await fake.callback(payload, { clientToken: 'wrong-token' });
    await fake.callback(payload, { tamperData: true });
    const [missing, wrong, tampered] = webhook.requests;
    expect(missing?.headers['x-goog-signature']).toBeUndefined();
    const verifies = (request: RecordedRequest | undefined): boolean =>
      request !== undefined &&
      createHmac('sha512', CLIENT_TOKEN).update(decodedData(request)).digest('base64') ===
        request.headers['x-goog-signature'];
    expect(verifies(wrong)).toBe(false);
    expect(verifies(tampered)).toBe(false);
  });

  it('POSTs the verification handshake', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    const answer = await fake.handshake('random-secret');
    expect(answer.status).toBe(200);
    expect(JSON.parse(webhook.requests[0]?.body ?? '{}')).toEqual({
      clientToken: CLIENT_TOKEN,
      secret: 'random-secret',
    });
  });

  it('retries a callback the webhook does not answer 200, within bounds', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setCallbackRetries({ maxAttempts: 3, backoffMs: 10 });
    webhook.respondWith((_request, index) => (index < 2 ? 500 : 200));
    const result = await fake.callback(userText({ agentId: AGENT_ID, phone: PHONE, text: 'retry me' }));
    expect(result).toMatchObject({ status: 200, attempts: 3 });
    expect(new Set(webhook.requests.map((request) => request.body)).size).toBe(1);

    webhook.respondWith(503);
    const givenUp = await fake.callback(userText({ agentId: AGENT_ID, phone: PHONE, text: 'never' }));
    expect(givenUp).toMatchObject({ status: 503, attempts: 3 });
  });

  it('sends DELIVERED then READ after a successful create for a reachable phone', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setAutoEvents({ deliver: true, read: true });
    const messageId = randomUUID();
    await create(fake, PHONE, messageId);
    await fake.callbacksSettled();

    expect(webhook.requests.map((request) => payloadOf(request))).toEqual([
      expect.objectContaining({
        eventType: 'DELIVERED',
        messageId,
        senderPhoneNumber: PHONE,
        agentId: `${AGENT_ID}@rbm.goog`,
      }),
      expect.objectContaining({ eventType: 'READ', messageId, senderPhoneNumber: PHONE }),
    ]);
    expect(fake.message(messageId)?.state).toBe('read');
  });

  it('sends no automatic events for an offline phone until it comes online', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setAutoEvents({ deliver: true, read: false });
    await fake.setPhone(OTHER_PHONE, 'offline');
    const messageId = randomUUID();
    await create(fake, OTHER_PHONE, messageId);
    await fake.callbacksSettled();
    expect(webhook.requests).toHaveLength(0);

    await fake.setPhone(OTHER_PHONE, 'reachable');
    await fake.callbacksSettled();
    expect(webhook.requests.map((request) => payloadOf(request).eventType)).toEqual(['DELIVERED']);
  });

  it('duplicates callbacks with the same envelope', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setCallbackChaos({ duplicate: 2 });
    const result = await fake.callback(userText({ agentId: AGENT_ID, phone: PHONE, text: 'dup' }));
    expect(result.copies).toBe(3);
    expect(webhook.requests).toHaveLength(3);
    expect(new Set(webhook.requests.map((request) => request.body)).size).toBe(1);
  });

  it('reorders: automatic READ before DELIVERED, and held callbacks released in reverse', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setCallbackChaos({ reorder: true, reorderWindowMs: 0 });
    fake.setAutoEvents({ deliver: true, read: true });
    await create(fake, PHONE, randomUUID());
    await fake.callbacksSettled();
    expect(webhook.requests.map((request) => payloadOf(request).eventType)).toEqual(['READ', 'DELIVERED']);

    (webhook.requests as RecordedRequest[]).length = 0;
    fake.setCallbackChaos({});
    fake.holdCallbacks();
    const sent = ['one', 'two', 'three'].map((text) =>
      fake.callback(userText({ agentId: AGENT_ID, phone: PHONE, text })),
    );
    expect(webhook.requests).toHaveLength(0);
    fake.releaseCallbacks('reverse');
    await Promise.all(sent);
    expect(webhook.requests.map((request) => payloadOf(request).text).sort()).toEqual([
      'one',
      'three',
      'two',
    ]);
    expect(fake.callbacks.slice(-3).map((record) => (record.payload as { text?: string }).text)).toEqual([
      'three',
      'two',
      'one',
    ]);
  });

  it('delays callbacks', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setCallbackChaos({ delayMs: 300 });
    const startedAt = Date.now();
    await fake.callback(userText({ agentId: AGENT_ID, phone: PHONE, text: 'later' }));
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
  });

  it('sends TTL server events on expiry', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    await fake.setPhone(OTHER_PHONE, 'offline');
    const queued = randomUUID();
    const delivered = randomUUID();
    await create(fake, OTHER_PHONE, queued);
    await create(fake, PHONE, delivered);
    await fake.expire(queued);
    await fake.expire(delivered);
    expect(webhook.requests.map((request) => payloadOf(request))).toEqual([
      expect.objectContaining({
        eventType: 'TTL_EXPIRATION_REVOKED',
        messageId: queued,
        phoneNumber: OTHER_PHONE,
      }),
      expect.objectContaining({
        eventType: 'TTL_EXPIRATION_REVOKE_FAILED',
        messageId: delivered,
        phoneNumber: PHONE,
      }),
    ]);
    expect(fake.message(queued)?.state).toBe('expired');
  });

  it('makes a TTL revoke fail on request: REVOKE_FAILED sent, the message still queued and delivered later', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    await fake.setPhone(OTHER_PHONE, 'offline', { autoEvents: { deliver: true, read: false } });
    const queued = randomUUID();
    await create(fake, OTHER_PHONE, queued);
    await fake.expire(queued, { revokeFails: true });
    expect(fake.message(queued)?.state).toBe('queued');
    await fake.setPhone(OTHER_PHONE, 'reachable');
    await fake.callbacksSettled();
    expect(webhook.requests.map((request) => payloadOf(request).eventType)).toEqual([
      'TTL_EXPIRATION_REVOKE_FAILED',
      'DELIVERED',
    ]);
    expect(fake.message(queued)?.state).toBe('delivered');
  });

  it('drops an outcome: never delivered, no callback of its own, a revoke still finds it', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    fake.setAutoEvents({ deliver: true, read: true });
    await fake.setPhone(OTHER_PHONE, 'offline');
    const dropped = randomUUID();
    await create(fake, OTHER_PHONE, dropped);
    expect(fake.dropOutcome(dropped)).toBe(true);
    await fake.setPhone(OTHER_PHONE, 'reachable');
    await fake.deliver(dropped);
    await fake.read(dropped);
    await fake.expire(dropped);
    await fake.callbacksSettled();
    expect(webhook.requests).toEqual([]);
    expect(fake.message(dropped)).toMatchObject({ state: 'queued', outcomeDropped: true });

    // A phone whose every outcome is dropped: accepted (pending), never delivered although reachable.
    await fake.setPhone(PHONE, 'reachable', { dropOutcomes: true });
    const silent = randomUUID();
    await create(fake, PHONE, silent);
    await fake.callbacksSettled();
    expect(fake.message(silent)).toMatchObject({ state: 'pending', outcomeDropped: true });
    expect(webhook.requests).toEqual([]);
    expect((await revoke(fake, PHONE, silent)).status).toBe(200);
    expect(fake.message(silent)?.state).toBe('revoked');
    expect(fake.dropOutcome(silent)).toBe(false);
  });

  it('races a revoke on request: answered 200, delivered all the same, the next revoke a plain 404', async () => {
    fake.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
    await fake.setPhone(OTHER_PHONE, 'offline', { autoEvents: { deliver: true, read: false } });
    const raced = randomUUID();
    const plain = randomUUID();
    await create(fake, OTHER_PHONE, raced);
    await create(fake, OTHER_PHONE, plain);
    expect(fake.raceRevoke(raced)).toBe(true);

    expect(await revoke(fake, OTHER_PHONE, raced)).toMatchObject({ status: 200, json: {} });
    expect(await revoke(fake, OTHER_PHONE, plain)).toMatchObject({ status: 200, json: {} });
    await fake.callbacksSettled();
    expect(fake.message(raced)?.state).toBe('delivered');
    expect(fake.message(plain)?.state).toBe('revoked');
    expect(webhook.requests.map((request) => payloadOf(request))).toEqual([
      expect.objectContaining({ eventType: 'DELIVERED', messageId: raced }),
    ]);
    expect(fake.deletes().map((call) => [call.messageId, call.fault])).toEqual([
      [raced, 'revokeRace'],
      [plain, undefined],
    ]);
    expect((await revoke(fake, OTHER_PHONE, raced)).status).toBe(404);
    // Only a message still waiting for the phone can race: one delivered, revoked or dropped cannot.
    expect(fake.raceRevoke(raced)).toBe(false);
    expect(fake.raceRevoke(plain)).toBe(false);
  });
});
