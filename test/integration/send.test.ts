import { describe, expect, it } from 'vitest';
import { startFunction } from '../../devtools/function-server.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { outboundEnv, useOutboundStack, TEST_AGENT_ID } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';

const outbound = useOutboundStack();
const db = () => firestoreAdmin();
const record = async (id: string) => (await db().collection('agentMessages').doc(id).get()).data();
const text = { contentMessage: { text: 'Your code is 424242' }, messageTrafficType: 'AUTHENTICATION' };
const sendUrl = (phone: string, query = '') =>
  `${outbound().send.url}/v1/phones/${phone}/agentMessages${query}`;
const uuid = () => crypto.randomUUID();

describe('send', () => {
  it('sends once to RBM with the RBM path, query and body, and records SENT', async () => {
    const phone = testPhone();
    const id = uuid();
    const answer = await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body: text });

    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({
      name: `phones/${phone}/agentMessages/${id}`,
      contentMessage: text.contentMessage,
    });
    const creates = outbound().rbm.creates();
    expect(creates).toHaveLength(1);
    expect(creates[0]).toMatchObject({
      method: 'POST',
      path: `/v1/phones/${phone}/agentMessages`,
      query: { messageId: id, agentId: TEST_AGENT_ID },
      body: text,
      hasToken: false, // RBM_AUTH=none: no Google token ever goes to a non-Google host
    });
    const stored = await record(id);
    expect(stored).toMatchObject({
      messageId: id,
      agentId: TEST_AGENT_ID,
      phoneNumber: phone,
      state: 'SENT',
      contentType: 'text',
      trafficType: 'AUTHENTICATION',
      attempts: 1,
      name: `phones/${phone}/agentMessages/${id}`,
    });
    expect(stored?.sentAt?.toDate()).toBeInstanceOf(Date);
    expect(stored?.createdAt?.toDate()).toBeInstanceOf(Date);
    expect(stored?.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain('424242'); // the text is never stored
    // Firestore's TTL policy deletes it after the default retention of 400 days.
    const keptMs = stored?.deleteAt?.toMillis() - stored?.createdAt?.toMillis();
    expect(keptMs).toBe(400 * 24 * 60 * 60 * 1000);
  });

  it('records expireTime from RBM when the message has a ttl, and replays name, sendTime and expireTime', async () => {
    const phone = testPhone();
    const id = uuid();
    const body = { contentMessage: { text: 'hi' }, ttl: '60s' };
    const answer = await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body });
    expect(answer.status).toBe(200);
    const { name, sendTime, expireTime } = answer.json as {
      name: string;
      sendTime: string;
      expireTime: string;
    };
    expect((await record(id))?.expireTime?.toDate().toISOString()).toBe(new Date(expireTime).toISOString());

    const replay = await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json).toEqual({
      name,
      sendTime: new Date(sendTime).toISOString(),
      expireTime: new Date(expireTime).toISOString(),
    });
    expect(outbound().rbm.creates()).toHaveLength(1);
  });

  it('accepts the agentId query as the configured id or with @rbm.goog', async () => {
    for (const agentId of [TEST_AGENT_ID, `${TEST_AGENT_ID}@rbm.goog`]) {
      const answer = await request(sendUrl(testPhone(), `?messageId=${uuid()}&agentId=${agentId}`), {
        method: 'POST',
        body: text,
      });
      expect(answer.status).toBe(200);
    }
    expect(
      outbound()
        .rbm.creates()
        .map((call) => call.query.agentId),
    ).toEqual([TEST_AGENT_ID, TEST_AGENT_ID]);
  });

  it('an unreachable phone (RBM 404) fails the message', async () => {
    const phone = testPhone();
    await outbound().rbm.setPhone(phone, 'unreachable');
    const id = uuid();
    const answer = await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body: text });

    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const stored = await record(id);
    expect(stored).toMatchObject({ state: 'FAILED', error: { code: 404, status: 'NOT_FOUND' }, attempts: 1 });
    expect(stored?.failedAt).toBeDefined();

    const again = await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body: text });
    expect(again.status).toBe(404);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(outbound().rbm.creates()).toHaveLength(1);
  });

  it.each([
    [400, 'INVALID_ARGUMENT'],
    [403, 'PERMISSION_DENIED'],
  ] as const)('RBM %i fails the message and passes RBM’s error through', async (status, rpcStatus) => {
    outbound().rbm.failNext(1, { status }, { only: 'create' });
    const id = uuid();
    const answer = await request(sendUrl(testPhone(), `?messageId=${id}`), { method: 'POST', body: text });
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ error: { code: status, status: rpcStatus } });
    expect(await record(id)).toMatchObject({ state: 'FAILED', error: { code: status, status: rpcStatus } });
    expect(outbound().rbm.creates()).toHaveLength(1); // never retried
  });

  it('429 with Retry-After is retried after the asked delay, then SENT with 2 attempts', async () => {
    outbound().rbm.failNext(1, { status: 429, retryAfterSeconds: 1 }, { only: 'create' });
    const id = uuid();
    const answer = await request(sendUrl(testPhone(), `?messageId=${id}`), { method: 'POST', body: text });

    expect(answer.status).toBe(200);
    const [first, second] = outbound().rbm.creates();
    expect(second!.at.getTime() - first!.at.getTime()).toBeGreaterThanOrEqual(1000);
    expect(await record(id)).toMatchObject({ state: 'SENT', attempts: 2 });
  });

  it('a hanging RBM is timed out and retried', async () => {
    outbound().rbm.failNext(1, { hangMs: 3000, then: 'destroy' }, { only: 'create' });
    const id = uuid();
    const answer = await request(sendUrl(testPhone(), `?messageId=${id}`), { method: 'POST', body: text });
    expect(answer.status).toBe(200);
    expect(await record(id)).toMatchObject({ state: 'SENT', attempts: 2 });
  });

  it('persistent 503 answers 503 and leaves the record PENDING with the error and attempts', async () => {
    outbound().rbm.failNext(1000, { status: 503 }, { only: 'create' });
    const id = uuid();
    const answer = await request(sendUrl(testPhone(), `?messageId=${id}`), { method: 'POST', body: text });

    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    const pending = await record(id);
    expect(pending).toMatchObject({ state: 'PENDING', error: { code: 503 } });
    expect(pending?.attempts).toBe(outbound().rbm.creates().length);
    expect(pending?.attempts).toBeGreaterThan(1);

    outbound().rbm.reset();
    const retried = await request(sendUrl(testPhone(), `?messageId=${id}`), { method: 'POST', body: text });
    // A different phone is a different request: refused, nothing sent.
    expect(retried.status).toBe(409);
    expect(outbound().rbm.creates()).toHaveLength(0);
  });

  it('re-sending a PENDING message with the same id and body completes it', async () => {
    const phone = testPhone();
    outbound().rbm.failNext(1000, { status: 503 }, { only: 'create' });
    const id = uuid();
    expect((await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body: text })).status).toBe(
      503,
    );
    const attemptsBefore = (await record(id))?.attempts as number;

    outbound().rbm.reset();
    const retried = await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body: text });
    expect(retried.status).toBe(200);
    expect(outbound().rbm.successfulCreates(id)).toHaveLength(1);
    expect(await record(id)).toMatchObject({ state: 'SENT', attempts: attemptsBefore + 1 });
  });

  it('the same Idempotency-Key twice makes one RBM call and gives the same id', async () => {
    const phone = testPhone();
    const headers = { 'Idempotency-Key': 'order-4711' };
    const first = await request(sendUrl(phone), { method: 'POST', body: text, headers });
    const second = await request(sendUrl(phone), { method: 'POST', body: text, headers });

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const id = first.headers.get('rbm-message-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get('rbm-message-id')).toBe(id);
    expect((second.json as { name: string }).name).toBe((first.json as { name: string }).name);
    expect(outbound().rbm.creates()).toHaveLength(1);
    expect(outbound().rbm.creates()[0]?.messageId).toBe(id);
  });

  it('20 concurrent identical requests make one record and agree', async () => {
    const phone = testPhone();
    const headers = { 'Idempotency-Key': 'burst-1' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(sendUrl(phone), { method: 'POST', body: text, headers })),
    );
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([200]));
    expect(new Set(answers.map((a) => a.headers.get('rbm-message-id'))).size).toBe(1);
    expect(new Set(answers.map((a) => (a.json as { name: string }).name)).size).toBe(1);
    const docs = await db().collection('agentMessages').get();
    expect(docs.size).toBe(1);
    expect(docs.docs[0]?.data().state).toBe('SENT');
    expect(outbound().rbm.successfulCreates()).toHaveLength(1);
  });

  it('a reused message id with a different body is refused with 409 and nothing is sent', async () => {
    const phone = testPhone();
    const id = uuid();
    await request(sendUrl(phone, `?messageId=${id}`), { method: 'POST', body: text });
    const other = await request(sendUrl(phone, `?messageId=${id}`), {
      method: 'POST',
      body: { contentMessage: { text: 'something else' } },
    });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ error: { code: 409, status: 'ALREADY_EXISTS' } });
    expect(outbound().rbm.creates()).toHaveLength(1);
  });

  it('invalid requests are refused with every violation, nothing recorded and nothing sent', async () => {
    const answer = await request(
      `${outbound().send.url}/v1/phones/0123/agentMessages?messageId=nope&agentId=other`,
      {
        method: 'POST',
        body: { contentMessage: { text: 'x'.repeat(3073) }, messageTrafficType: 'SPAM' },
      },
    );
    expect(answer.status).toBe(400);
    const details = (
      answer.json as {
        error: { details: Array<{ '@type': string; fieldViolations: Array<{ field: string }> }> };
      }
    ).error.details;
    expect(details[0]?.['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
    expect(details[0]?.fieldViolations.map((v) => v.field).sort()).toEqual(
      ['agentId', 'contentMessage.text', 'messageId', 'messageTrafficType', 'phoneNumber'].sort(),
    );
    expect((await db().collection('agentMessages').get()).size).toBe(0);
    expect(outbound().rbm.calls).toHaveLength(0);
  });

  it.each([
    [
      'malformed JSON',
      { rawBody: '{"contentMessage":', headers: { 'content-type': 'application/json' } },
      400,
    ],
    ['a JSON array', { rawBody: '[1]', headers: { 'content-type': 'application/json' } }, 400],
    ['plain text', { rawBody: 'hello', headers: { 'content-type': 'text/plain' } }, 400],
    ['an empty body', { rawBody: '', headers: { 'content-type': 'application/json' } }, 400],
    [
      'a body over 1 MiB',
      {
        rawBody: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
        headers: { 'content-type': 'application/json' },
      },
      413,
    ],
  ])('%s → %i in Google’s error shape', async (_name, init, status) => {
    const answer = await request(sendUrl(testPhone()), { method: 'POST', ...init });
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.json).toMatchObject({ error: { code: status } });
    expect(outbound().rbm.calls).toHaveLength(0);
  });

  it.each([
    ['form-encoded (curl -d)', 'application/x-www-form-urlencoded'],
    ['text/plain', 'text/plain'],
    ['with an empty Content-Type (no parser reads it)', ''],
  ])('a JSON body sent %s is read as JSON', async (_name, contentType) => {
    const answer = await request(sendUrl(testPhone(), `?messageId=${uuid()}`), {
      method: 'POST',
      rawBody: JSON.stringify(text),
      headers: { 'content-type': contentType },
    });
    expect(answer.status).toBe(200);
    expect(outbound().rbm.creates()[0]?.body).toEqual(text);
  });

  it('an unsupported charset is refused in Google’s error shape', async () => {
    const answer = await request(sendUrl(testPhone()), {
      method: 'POST',
      rawBody: JSON.stringify(text),
      headers: { 'content-type': 'application/json; charset=koi9' },
    });
    expect(answer.status).toBe(415);
    expect(answer.json).toMatchObject({ error: { code: 415 } });
    expect(answer.text).not.toContain('<');
  });

  it('accepts any well-formed UUID as message id, whatever its version digit', async () => {
    const id = '11111111-2222-3333-4444-555555555555';
    const answer = await request(sendUrl(testPhone(), `?messageId=${id}`), { method: 'POST', body: text });
    expect(answer.status).toBe(200);
    expect(outbound().rbm.creates()[0]?.messageId).toBe(id);
  });

  it('an invalid Idempotency-Key is a 400 naming the header', async () => {
    const answer = await request(sendUrl(testPhone()), {
      method: 'POST',
      body: text,
      headers: { 'Idempotency-Key': 'x'.repeat(257) },
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.json)).toContain('Idempotency-Key');
    expect(outbound().rbm.calls).toHaveLength(0);
  });

  it('the same Idempotency-Key with a different body is 409', async () => {
    const phone = testPhone();
    const headers = { 'Idempotency-Key': 'order-9' };
    expect((await request(sendUrl(phone), { method: 'POST', body: text, headers })).status).toBe(200);
    const other = await request(sendUrl(phone), {
      method: 'POST',
      body: { contentMessage: { text: 'changed' } },
      headers,
    });
    expect(other.status).toBe(409);
    expect(outbound().rbm.creates()).toHaveLength(1);
  });

  it('a wrong method is 405 with Allow: POST', async () => {
    const answer = await request(sendUrl(testPhone()), { method: 'PUT', body: text });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
    expect(answer.json).toMatchObject({ error: { code: 405 } });
  });

  it('never logs a full phone number or the message text', () => {
    const logs = outbound().logs().join('\n');
    expect(logs.length).toBeGreaterThan(0);
    expect(fullPhonesIn(logs)).toEqual([]);
    expect(logs).not.toContain('424242');
  });
});

describe('send configuration', () => {
  it('refuses to start with RBM_AUTH=none and a non-loopback endpoint, naming the variable', async () => {
    const logs: string[] = [];
    await expect(
      startFunction({
        name: 'send',
        env: outboundEnv('https://rcsbusinessmessaging.googleapis.com'),
        deadlineMs: 15_000,
        onLine: (line) => logs.push(line),
      }),
    ).rejects.toThrow();
    expect(logs.join('\n')).toContain('RBM_AUTH');
  });

  it('refuses to start without RBM_AGENT_ID, naming the variable', async () => {
    const logs: string[] = [];
    const env = outboundEnv('http://127.0.0.1:9');
    delete env.RBM_AGENT_ID;
    await expect(
      startFunction({ name: 'send', env, deadlineMs: 15_000, onLine: (line) => logs.push(line) }),
    ).rejects.toThrow();
    expect(logs.join('\n')).toContain('RBM_AGENT_ID');
  });
});
