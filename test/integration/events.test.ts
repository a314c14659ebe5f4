import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { startFunction } from '../../devtools/function-server.js';
import { isUuid, messageIdForIdempotencyKey, readEventIdFor } from '../../shared/ids.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { outboundEnv, TEST_AGENT_ID } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';
import { maskPhone } from '../../shared/phone.js';
import { useFunctionStack, violatedFields } from '../support/function-stack.js';

const stack = useFunctionStack('events');
const eventsUrl = (phone: string, query = '', base = stack().fn.url) =>
  `${base}/v1/phones/${encodeURIComponent(phone)}/agentEvents${query}`;
const post = (phone: string, body: unknown, query = '', headers: Record<string, string> = {}) =>
  request(eventsUrl(phone, query), { method: 'POST', body, headers });
const eventCalls = () => stack().rbm.callsOf('agentEvent');
const userMessage = (id: string) => firestoreAdmin().collection('userMessages').doc(id);

describe('events: READ', () => {
  it('sends READ with the id derived from the user message, passes RBM’s answer through, and sets readByAgentAt', async () => {
    const phone = testPhone();
    await userMessage('MxHello1').set({
      messageId: 'MxHello1',
      phoneNumber: phone,
      kind: 'text',
      text: 'hi',
      sendTime: Timestamp.now(),
    });
    const answer = await post(phone, { eventType: 'READ', messageId: 'MxHello1' });
    const eventId = readEventIdFor(TEST_AGENT_ID, 'MxHello1');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('rbm-event-id')).toBe(eventId);
    expect(answer.json).toMatchObject({
      name: `phones/${phone}/agentEvents/${eventId}`,
      eventType: 'READ',
      messageId: 'MxHello1',
    });
    expect(eventCalls()[0]).toMatchObject({
      path: `/v1/phones/${phone}/agentEvents`,
      query: { eventId, agentId: TEST_AGENT_ID },
      body: { eventType: 'READ', messageId: 'MxHello1' },
    });
    const stored = (await userMessage('MxHello1').get()).data();
    const sendTime = (answer.json as { sendTime: string }).sendTime;
    expect((stored?.readByAgentAt as Timestamp).toDate().toISOString()).toBe(
      new Date(sendTime).toISOString(),
    );
    expect(stack().rbm.readByAgentAt('MxHello1')).toBeInstanceOf(Date);
  });

  it('a repeated READ carries the same event id, so RBM ignores it', async () => {
    const phone = testPhone();
    await post(phone, { eventType: 'READ', messageId: 'MxTwice' });
    await post(phone, { eventType: 'READ', messageId: 'MxTwice' });
    expect(eventCalls().map((call) => call.query.eventId)).toEqual([
      readEventIdFor(TEST_AGENT_ID, 'MxTwice'),
      readEventIdFor(TEST_AGENT_ID, 'MxTwice'),
    ]);
    expect(eventCalls()[1]?.duplicate).toBe(true);
    expect(stack().rbm.agentEvents(phone)).toHaveLength(1);
  });

  it('does not create a user message that is not stored', async () => {
    expect((await post(testPhone(), { eventType: 'READ', messageId: 'MxUnknown' })).status).toBe(200);
    expect((await userMessage('MxUnknown').get()).exists).toBe(false);
  });

  it('uses the caller’s eventId, else the Idempotency-Key’s', async () => {
    const phone = testPhone();
    const given = crypto.randomUUID();
    await post(
      phone,
      { eventType: 'READ', messageId: 'Mx1' },
      `?eventId=${given}&agentId=${TEST_AGENT_ID}@rbm.goog`,
    );
    await post(phone, { eventType: 'READ', messageId: 'Mx2' }, '', { 'Idempotency-Key': 'read-mx2' });
    expect(eventCalls().map((call) => call.query.eventId)).toEqual([
      given,
      messageIdForIdempotencyKey(TEST_AGENT_ID, 'read-mx2'),
    ]);
  });
});

describe('events: IS_TYPING', () => {
  it('shows the typing indicator, with a new event id each time', async () => {
    const phone = testPhone();
    const first = await post(phone, { eventType: 'IS_TYPING' });
    await post(phone, { eventType: 'IS_TYPING' });
    expect(first.status).toBe(200);
    expect(stack().rbm.isTyping(phone)).toBe(true);
    const ids = eventCalls().map((call) => call.query.eventId ?? '');
    expect(ids.every(isUuid)).toBe(true);
    expect(new Set(ids).size).toBe(2);
  });

  it('gives up within about 5 s however long the retry budget is', async () => {
    const patient = await startFunction({
      name: 'events',
      env: outboundEnv(stack().rbm.url, { RBM_RETRY_DEADLINE_MS: '30000', RBM_REQUEST_TIMEOUT_MS: '2000' }),
    });
    try {
      stack().rbm.failNext(1000, { status: 503 }, { only: 'agentEvent' });
      const started = Date.now();
      const answer = await request(eventsUrl(testPhone(), '', patient.url), {
        method: 'POST',
        body: { eventType: 'IS_TYPING' },
      });
      const elapsed = Date.now() - started;
      expect(answer.status).toBe(503);
      expect(answer.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
      // The budget given was 30 s: well under it shows the 5 s cap, with room for a busy machine.
      expect(elapsed).toBeLessThan(12_000);
      expect(eventCalls().length).toBeGreaterThan(1);
    } finally {
      await patient.stop();
    }
  });
});

describe('events: errors', () => {
  it('refuses anything but READ with a messageId or IS_TYPING, listing every problem, and sends nothing', async () => {
    const answer = await post(
      '12345',
      { eventType: 'IS_TYPING', messageId: 'Mx', extra: 1 },
      '?eventId=nope&x=1',
    );
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(
      ['eventId', 'extra', 'messageId', 'phoneNumber', 'x'].sort(),
    );
    expect((await post(testPhone(), { eventType: 'READ' })).status).toBe(400);
    expect((await post(testPhone(), { eventType: 'TYPE_UNSPECIFIED' })).status).toBe(400);
    expect(eventCalls()).toHaveLength(0);
  });

  it('passes RBM’s 404 through for a phone not on RCS', async () => {
    const phone = testPhone();
    await stack().rbm.setPhone(phone, 'unreachable');
    const answer = await post(phone, { eventType: 'IS_TYPING' });
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('retries a transient failure with the same event id, and answers 503 when RBM stays down', async () => {
    const phone = testPhone();
    stack().rbm.failNext(1, { status: 503 }, { only: 'agentEvent' });
    expect((await post(phone, { eventType: 'READ', messageId: 'MxRetry' })).status).toBe(200);
    expect(new Set(eventCalls().map((call) => call.query.eventId)).size).toBe(1);
    expect(eventCalls()).toHaveLength(2);

    stack().rbm.failNext(1000, { status: 503 }, { only: 'agentEvent' });
    const down = await post(phone, { eventType: 'READ', messageId: 'MxDown' });
    expect(down.status).toBe(503);
    expect(down.headers.get('rbm-event-id')).toBe(readEventIdFor(TEST_AGENT_ID, 'MxDown'));
  });
});

describe('events: logs', () => {
  it('never print a full phone number, with or without its + or %2B-encoded', async () => {
    const phone = testPhone();
    for (const encoded of [phone, encodeURIComponent(phone)]) {
      const answer = await request(`${stack().fn.url}/v1/phones/${encoded}/agentEvents`, {
        method: 'POST',
        body: { eventType: 'READ', messageId: 'MxLogs' },
      });
      expect(answer.status).toBe(200);
    }
    await stack().rbm.setPhone(phone, 'unreachable');
    expect((await post(phone, { eventType: 'IS_TYPING' })).status).toBe(404);
    stack().rbm.failNext(1000, { status: 503 }, { only: 'agentEvent' });
    expect((await post(phone, { eventType: 'READ', messageId: 'MxLogsDown' })).status).toBe(503);

    const logs = stack().fn.logs().join('\n');
    expect(logs).toContain('"httpRequest"');
    expect(logs).toContain(maskPhone(phone));
    expect(fullPhonesIn(logs)).toEqual([]);
  });
});
