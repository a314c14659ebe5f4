/**
 * The fake RBM's agent events, capabilities, users:batchGet and files routes, and feature checks on create, over
 * HTTP on loopback (no emulator needed). Agent messages and callbacks are covered in test/integration/fake-rbm.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RBM_FEATURES, startFakeRbm } from '../../sandbox/fake-rbm/index.js';
import type { FakeRbm } from '../../sandbox/fake-rbm/index.js';
import type { RbmConfig } from '../../shared/config/rbm.js';
import { createLogger } from '../../shared/log/logger.js';
import { RbmClient } from '../../shared/rbm/client.js';

const AGENT_ID = 'fake-test-agent';
const TOKEN = 'expected-access-token';
const PHONE = '+15550001111';
const OTHER_PHONE = '+15550002222';

interface Answer {
  readonly status: number;
  readonly json: unknown;
}

async function request(
  method: 'GET' | 'POST',
  path: string,
  options: { query?: Record<string, string>; body?: unknown; token?: string | null } = {},
): Promise<Answer> {
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
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : JSON.parse(text) };
}

const agentEvent = (phone: string, eventId: string | undefined, body: unknown) =>
  request('POST', `/v1/phones/${encodeURIComponent(phone)}/agentEvents`, {
    query: { ...(eventId === undefined ? {} : { eventId }), agentId: AGENT_ID },
    body,
  });

const capabilities = (phone: string, requestId: string = randomUUID()) =>
  request('GET', `/v1/phones/${encodeURIComponent(phone)}/capabilities`, {
    query: { requestId, agentId: AGENT_ID },
  });

const createMessage = (phone: string, messageId: string, contentMessage: unknown) =>
  request('POST', `/v1/phones/${encodeURIComponent(phone)}/agentMessages`, {
    query: { messageId, agentId: AGENT_ID },
    body: { contentMessage },
  });

/** `agentId` null: none in the body. */
const batchGet = (users: unknown, agentId: string | null = AGENT_ID, query: Record<string, string> = {}) =>
  request('POST', '/v1/users:batchGet', { query, body: { users, ...(agentId === null ? {} : { agentId }) } });

const createFile = (body: Record<string, unknown>) =>
  request('POST', '/v1/files', { body: { agentId: AGENT_ID, ...body } });

const CAROUSEL = {
  richCard: { carouselCard: { cardWidth: 'MEDIUM', cardContents: [{ title: 'a' }, { title: 'b' }] } },
};

let fake: FakeRbm;

beforeAll(async () => {
  fake = await startFakeRbm({ agentId: AGENT_ID, requireToken: TOKEN });
});

afterEach(() => {
  fake.reset();
});

afterAll(async () => {
  await fake.close();
});

describe('fake RBM: agentEvents.create', () => {
  it('accepts READ and records it as read by the agent', async () => {
    const eventId = randomUUID();
    const answer = await agentEvent(PHONE, eventId, { eventType: 'READ', messageId: 'user-msg-1' });

    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      name: `phones/${PHONE}/agentEvents/${eventId}`,
      eventType: 'READ',
      messageId: 'user-msg-1',
      sendTime: expect.any(String),
    });
    expect(fake.agentEvents(PHONE)).toMatchObject([
      { eventId, agentId: AGENT_ID, phone: PHONE, eventType: 'READ', messageId: 'user-msg-1' },
    ]);
    expect(fake.readByAgentAt('user-msg-1')).toBeInstanceOf(Date);
    expect(fake.readByAgentAt('user-msg-2')).toBeUndefined();
    expect(fake.callsOf('agentEvent')).toMatchObject([
      { phone: PHONE, agentId: AGENT_ID, query: { eventId }, status: 200 },
    ]);
  });

  it('ignores a repeated event id: the original answer, nothing recorded again', async () => {
    const eventId = randomUUID();
    const first = await agentEvent(PHONE, eventId, { eventType: 'READ', messageId: 'user-msg-1' });
    const second = await agentEvent(PHONE, eventId, { eventType: 'IS_TYPING' });

    expect(second).toEqual(first);
    expect(fake.agentEvents()).toHaveLength(1);
    expect(fake.isTyping(PHONE)).toBe(false);
    expect(fake.callsOf('agentEvent').map((call) => call.duplicate)).toEqual([false, true]);
  });

  it('shares one id namespace with agent messages', async () => {
    const usedByMessage = randomUUID();
    const created = await createMessage(PHONE, usedByMessage, { text: 'hi' });
    const event = await agentEvent(PHONE, usedByMessage, { eventType: 'IS_TYPING' });
    expect(event).toEqual(created);
    expect(fake.agentEvents()).toHaveLength(0);

    const usedByEvent = randomUUID();
    await agentEvent(PHONE, usedByEvent, { eventType: 'IS_TYPING' });
    const message = await createMessage(PHONE, usedByEvent, { text: 'hi' });
    expect(message.status).toBe(200);
    expect(fake.message(usedByEvent)).toBeUndefined();
    expect(fake.creates()[1]?.duplicate).toBe(true);
  });

  it('shows typing after IS_TYPING until the agent’s next message', async () => {
    await agentEvent(PHONE, randomUUID(), { eventType: 'IS_TYPING' });
    expect(fake.isTyping(PHONE)).toBe(true);
    expect(fake.isTyping(OTHER_PHONE)).toBe(false);
    await createMessage(PHONE, randomUUID(), { text: 'answer' });
    expect(fake.isTyping(PHONE)).toBe(false);
  });

  it('makes an event id when none is given', async () => {
    const answer = await agentEvent(PHONE, undefined, { eventType: 'IS_TYPING' });
    expect(answer.status).toBe(200);
    const [stored] = fake.agentEvents();
    expect(stored?.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.json).toMatchObject({ name: `phones/${PHONE}/agentEvents/${stored?.eventId}` });
  });

  it('answers 404 for a phone not on RCS, 200 for an offline one', async () => {
    await fake.setPhone(OTHER_PHONE, 'unreachable');
    const refused = await agentEvent(OTHER_PHONE, randomUUID(), { eventType: 'READ', messageId: 'm' });
    expect(refused).toEqual({
      status: 404,
      json: { error: { code: 404, status: 'NOT_FOUND', message: expect.any(String) } },
    });
    expect(fake.agentEvents()).toHaveLength(0);

    await fake.setPhone(OTHER_PHONE, 'offline');
    expect((await agentEvent(OTHER_PHONE, randomUUID(), { eventType: 'READ', messageId: 'm' })).status).toBe(
      200,
    );
  });

  it.each([
    ['an unknown event type', randomUUID(), { eventType: 'TYPE_UNSPECIFIED' }],
    ['READ without messageId', randomUUID(), { eventType: 'READ' }],
    ['no body', randomUUID(), undefined],
    ['an event id that is not a UUID', 'not-a-uuid', { eventType: 'IS_TYPING' }],
  ])('answers 400 INVALID_ARGUMENT for %s', async (_name, eventId, body) => {
    const answer = await agentEvent(PHONE, eventId, body);
    expect(answer).toMatchObject({ status: 400, json: { error: { code: 400, status: 'INVALID_ARGUMENT' } } });
    expect(fake.agentEvents()).toHaveLength(0);
  });
});

describe('fake RBM: getCapabilities and per-phone features', () => {
  it('lists every RBM feature by default', async () => {
    expect(await capabilities(PHONE)).toEqual({ status: 200, json: { features: [...RBM_FEATURES] } });
    expect(fake.callsOf('capabilities')).toMatchObject([{ phone: PHONE, agentId: AGENT_ID, status: 200 }]);
  });

  it('lists the features set with setPhone, kept when later calls do not name them', async () => {
    await fake.setPhone(PHONE, 'reachable', { features: ['RICHCARD_STANDALONE', 'SOME_NEW_FEATURE'] });
    await fake.setPhone(PHONE, 'offline', { autoDeliver: false });
    expect(await capabilities(PHONE)).toEqual({
      status: 200,
      json: { features: ['RICHCARD_STANDALONE', 'SOME_NEW_FEATURE'] },
    });
    expect(fake.phones()).toMatchObject([
      { phone: PHONE, features: ['RICHCARD_STANDALONE', 'SOME_NEW_FEATURE'] },
    ]);

    await fake.setPhone(PHONE, 'reachable', { features: [] });
    expect(await capabilities(PHONE)).toEqual({ status: 200, json: {} });
    await fake.setPhone(PHONE, 'reachable', { features: null });
    expect(await capabilities(PHONE)).toEqual({ status: 200, json: { features: [...RBM_FEATURES] } });
  });

  it('answers 404 NOT_FOUND for a phone not on RCS', async () => {
    await fake.setPhone(OTHER_PHONE, 'unreachable');
    expect(await capabilities(OTHER_PHONE)).toMatchObject({
      status: 404,
      json: { error: { code: 404, status: 'NOT_FOUND' } },
    });
  });

  it('marks a repeated request id as a duplicate', async () => {
    const requestId = randomUUID();
    await capabilities(PHONE, requestId);
    await capabilities(PHONE, requestId);
    await capabilities(PHONE);
    expect(fake.callsOf('capabilities').map((call) => call.duplicate)).toEqual([false, true, false]);
  });

  it('uses the server-wide default features for phones without their own', async () => {
    const narrow = await startFakeRbm({ defaultFeatures: ['ACTION_DIAL'] });
    try {
      const answer = await fetch(`${narrow.url}/v1/phones/${encodeURIComponent(PHONE)}/capabilities`);
      expect(await answer.json()).toEqual({ features: ['ACTION_DIAL'] });
    } finally {
      await narrow.close();
    }
  });
});

describe('fake RBM: agentMessages.create refuses features the phone lacks', () => {
  it('answers 400 INVALID_ARGUMENT for a carousel to a phone without RICHCARD_CAROUSEL, and stores nothing', async () => {
    const withoutCarousel = RBM_FEATURES.filter((feature) => feature !== 'RICHCARD_CAROUSEL');
    await fake.setPhone(OTHER_PHONE, 'reachable', { features: withoutCarousel });
    const messageId = randomUUID();
    const refused = await createMessage(OTHER_PHONE, messageId, CAROUSEL);
    expect(refused).toEqual({
      status: 400,
      json: {
        error: {
          code: 400,
          status: 'INVALID_ARGUMENT',
          message: expect.stringContaining('RICHCARD_CAROUSEL'),
        },
      },
    });
    expect(fake.message(messageId)).toBeUndefined();
    expect(fake.successfulCreates()).toHaveLength(0);

    expect((await createMessage(OTHER_PHONE, randomUUID(), { text: 'plain text still works' })).status).toBe(
      200,
    );
    expect((await createMessage(PHONE, randomUUID(), CAROUSEL)).status).toBe(200);
  });

  it('refuses a webview link to a phone without ACTION_OPEN_URL_IN_WEBVIEW', async () => {
    await fake.setPhone(OTHER_PHONE, 'offline', { features: ['ACTION_OPEN_URL'] });
    const link = (application: string) => ({
      text: 'see',
      suggestions: [{ action: { text: 'open', openUrlAction: { url: 'https://a.example', application } } }],
    });
    expect((await createMessage(OTHER_PHONE, randomUUID(), link('WEBVIEW'))).status).toBe(400);
    expect((await createMessage(OTHER_PHONE, randomUUID(), link('BROWSER'))).status).toBe(200);
  });
});

describe('fake RBM: users:batchGet', () => {
  it('answers the reachable users (offline ones included) and no sample below 500 numbers', async () => {
    await fake.setPhone(OTHER_PHONE, 'unreachable');
    await fake.setPhone('+15550003333', 'offline');
    const answer = await batchGet([PHONE, OTHER_PHONE, '+15550003333', PHONE, 'not-a-number']);
    expect(answer).toEqual({
      status: 200,
      json: {
        reachableUsers: [PHONE, '+15550003333'],
        totalRandomSampleUserCount: 0,
        reachableRandomSampleUserCount: 0,
      },
    });
    expect(fake.callsOf('batchGet')).toMatchObject([{ agentId: AGENT_ID, status: 200 }]);
  });

  it('samples 75 % of 500 numbers or more', async () => {
    const users = Array.from({ length: 600 }, (_, i) => `+1555${String(1_000_000 + i)}`);
    await fake.setPhone(users[0] ?? '', 'unreachable');
    const answer = await batchGet(users);
    expect(answer.json).toMatchObject({
      totalRandomSampleUserCount: 450,
      reachableRandomSampleUserCount: 449,
    });
    expect((answer.json as { reachableUsers: string[] }).reachableUsers).toHaveLength(599);
  });

  it('checks the agent id in the body', async () => {
    expect((await batchGet([PHONE], 'other-agent')).status).toBe(403);
    expect((await batchGet([PHONE], null)).status).toBe(403);
    // Older documentation put it in the query: accepted when the body has none.
    expect((await batchGet([PHONE], null, { agentId: AGENT_ID })).status).toBe(200);
  });

  it.each([
    ['no users', []],
    ['not a list', PHONE],
    ['more than 10,000 numbers', Array.from({ length: 10_001 }, (_, i) => `+1555${String(1_000_000 + i)}`)],
  ])('answers 400 for %s', async (_name, users) => {
    expect(await batchGet(users)).toMatchObject({
      status: 400,
      json: { error: { status: 'INVALID_ARGUMENT' } },
    });
  });
});

describe('fake RBM: files.create (URL mode)', () => {
  it('creates a file and answers its name', async () => {
    const answer = await createFile({
      fileUrl: 'https://cdn.example/a.png',
      thumbnailUrl: 'https://cdn.example/a-thumb.png',
    });
    expect(answer.status).toBe(200);
    const { name } = answer.json as { name: string };
    expect(name).toMatch(/^files\/[0-9a-z]+$/);
    expect(fake.files()).toEqual([
      {
        name,
        fileUrl: 'https://cdn.example/a.png',
        thumbnailUrl: 'https://cdn.example/a-thumb.png',
        agentId: AGENT_ID,
        createdAt: expect.any(Date),
      },
    ]);
    const again = await createFile({ fileUrl: 'https://cdn.example/a.png' });
    expect((again.json as { name: string }).name).not.toBe(name);
    expect(fake.callsOf('fileCreate')).toHaveLength(2);
  });

  it.each([
    ['no fileUrl', {}],
    ['a fileUrl that is not a URL', { fileUrl: 'a.png' }],
    [
      'a thumbnailUrl that is not http(s)',
      { fileUrl: 'https://cdn.example/a.png', thumbnailUrl: 'ftp://x/y' },
    ],
  ])('answers 400 for %s', async (_name, body) => {
    expect(await createFile(body)).toMatchObject({
      status: 400,
      json: { error: { status: 'INVALID_ARGUMENT' } },
    });
    expect(fake.files()).toHaveLength(0);
  });

  it('checks the agent id in the body and the bearer token', async () => {
    expect((await createFile({ fileUrl: 'https://cdn.example/a.png', agentId: 'other' })).status).toBe(403);
    const noToken = await request('POST', '/v1/files', {
      body: { fileUrl: 'https://cdn.example/a.png', agentId: AGENT_ID },
      token: null,
    });
    expect(noToken.status).toBe(401);
    expect(fake.files()).toHaveLength(0);
  });
});

describe('fake RBM: faults on the new calls', () => {
  it('applies a fault scoped to one kind of call, and unscoped faults only to creates and deletes', async () => {
    fake.failNext(1, { status: 503 });
    fake.failNext(1, { status: 429, retryAfterSeconds: 2 }, { only: 'capabilities' });
    fake.failNext(1, { status: 500 }, { only: 'agentEvent' });
    fake.failNext(1, { status: 503 }, { only: 'batchGet' });
    fake.failNext(1, { status: 503 }, { only: 'fileCreate' });

    expect((await capabilities(PHONE)).status).toBe(429);
    expect((await capabilities(PHONE)).status).toBe(200);
    expect((await agentEvent(PHONE, randomUUID(), { eventType: 'IS_TYPING' })).status).toBe(500);
    expect((await batchGet([PHONE])).status).toBe(503);
    expect((await createFile({ fileUrl: 'https://cdn.example/a.png' })).status).toBe(503);
    expect((await createMessage(PHONE, randomUUID(), { text: 'hi' })).status).toBe(503);
    expect(fake.calls.map((call) => [call.kind, call.fault])).toEqual([
      ['capabilities', 'status'],
      ['capabilities', undefined],
      ['agentEvent', 'status'],
      ['batchGet', 'status'],
      ['fileCreate', 'status'],
      ['create', 'status'],
    ]);
    expect(fake.agentEvents()).toHaveLength(0);
    expect(fake.files()).toHaveLength(0);
  });
});

describe('RbmClient against the fake RBM', () => {
  const client = () => {
    const config: RbmConfig = {
      endpoint: fake.url,
      agentId: AGENT_ID,
      auth: { kind: 'none' },
      retry: { deadlineMs: 5_000, initialBackoffMs: 1, maxBackoffMs: 5, attemptTimeoutMs: 2_000 },
    };
    return new RbmClient(config, { tokens: async () => TOKEN, logger: createLogger({}, () => {}) });
  };

  it('reaches every new route, with the agent id where the fake expects it', async () => {
    const rbm = client();
    const eventId = randomUUID();
    expect(await rbm.sendAgentEvent(PHONE, eventId, { eventType: 'READ', messageId: 'u-1' })).toMatchObject({
      kind: 'ok',
      body: { name: `phones/${PHONE}/agentEvents/${eventId}` },
    });
    expect(await rbm.getCapabilities(PHONE, randomUUID())).toMatchObject({
      kind: 'ok',
      body: { features: [...RBM_FEATURES] },
    });
    expect(await rbm.batchGetUsers([PHONE])).toMatchObject({ kind: 'ok', body: { reachableUsers: [PHONE] } });
    const file = await rbm.createFileFromUrl('https://cdn.example/a.png');
    expect(file).toMatchObject({ kind: 'ok', body: { name: expect.stringMatching(/^files\//) } });
    expect(fake.readByAgentAt('u-1')).toBeInstanceOf(Date);
    expect(fake.files()).toHaveLength(1);
  });

  it('retries an injected 503 with the same event id, recorded once', async () => {
    fake.failNext(2, { status: 503 }, { only: 'agentEvent' });
    const eventId = randomUUID();
    const outcome = await client().sendAgentEvent(PHONE, eventId, { eventType: 'IS_TYPING' });
    expect(outcome).toMatchObject({ kind: 'ok', attempts: 3 });
    expect(fake.callsOf('agentEvent').map((call) => call.query.eventId)).toEqual([eventId, eventId, eventId]);
    expect(fake.agentEvents()).toHaveLength(1);
  });

  it('gets 404 from getCapabilities for a phone not on RCS, without retrying', async () => {
    await fake.setPhone(OTHER_PHONE, 'unreachable');
    expect(await client().getCapabilities(OTHER_PHONE, randomUUID())).toMatchObject({
      kind: 'rejected',
      status: 404,
      attempts: 1,
    });
  });
});
