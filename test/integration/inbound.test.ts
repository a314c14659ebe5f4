import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFunction } from '../../devtools/function-server.js';
import {
  agentLaunchEvent,
  deliveredEvent,
  isTypingEvent,
  readEvent,
  subscribeEvent,
  suggestionActionTap,
  suggestionReply,
  ttlRevokedEvent,
  ttlRevokeFailedEvent,
  unsubscribeEvent,
  userFileMessage,
  userLocation,
  userText,
} from '../../sandbox/fake-rbm/index.js';
import { emulatorContext } from '../support/emulator-context.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { inboundEnv, startFullStack, type FullStack } from '../support/full-stack.js';
import { request } from '../support/http.js';
import { deliver, processedEntries, type DeliveryShape } from '../support/inbound-delivery.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { tapTopic } from '../support/topic-tap.js';

let stack: FullStack;
const db = () => firestoreAdmin();
const agentId = TEST_AGENT_ID;
const doc = async (collection: string, id: string) =>
  (await db().collection(collection).doc(id).get()).data();
const waitForDoc = (
  collection: string,
  id: string,
  predicate: (d: Record<string, unknown>) => boolean = () => true,
) =>
  pollUntil(
    async () => {
      const data = await doc(collection, id);
      return data && predicate(data) ? data : undefined;
    },
    { description: `${collection}/${id}`, timeoutMs: 20_000 },
  );
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds)).toISOString();

beforeAll(async () => {
  stack = await startFullStack({ autoDeliver: false });
});
afterAll(async () => {
  await stack?.stop();
});
beforeEach(async () => {
  await clearFirestore();
  stack.rbm.reset();
  stack.inboundTap.clear();
  stack.userMessagesTap.clear();
});

async function sendText(phone: string): Promise<string> {
  const id = randomUUID();
  const answer = await request(`${stack.send.url}/v1/phones/${phone}/agentMessages?messageId=${id}`, {
    method: 'POST',
    body: { contentMessage: { text: 'hello' } },
  });
  expect(answer.status).toBe(200);
  return id;
}

describe('webhook', () => {
  it('answers the verification handshake with the raw secret for the right token only', async () => {
    const good = await stack.rbm.handshake('s3cret-value');
    expect(good).toEqual({ status: 200, body: 's3cret-value' });
    const bad = await stack.rbm.handshake('s3cret-value', 'wrong-token');
    expect(bad.status).toBe(403);
    expect(bad.body).not.toContain('s3cret-value');

    const direct = await request(stack.webhook.url, {
      method: 'POST',
      body: { clientToken: 'test-client-token-0123456789', secret: 'exactly this' },
    });
    expect(direct.text).toBe('exactly this');
    expect(direct.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it.each([
    ['missing', { signature: null }],
    ['wrong', { signature: 'AAAA' }],
    ['signed with another token', { clientToken: 'someone-else' }],
    ['valid for other data (tampered)', { tamperData: true }],
  ])('a %s signature is refused with 401 and nothing is published', async (_name, options) => {
    const phone = testPhone();
    const result = await stack.rbm.callback(userText({ phone, agentId, text: 'hi' }), options);
    expect(result.status).toBe(401);
    // A correctly signed callback sent afterwards is the only one that arrives.
    const marker = userText({ phone, agentId, text: 'marker' });
    expect((await stack.rbm.callback(marker)).status).toBe(200);
    // Taps see everything on the topic, also late work of earlier tests: look at this phone only.
    const fromThisPhone = () =>
      stack.inboundTap.messages.filter(
        (m) => (m.json as { senderPhoneNumber?: string }).senderPhoneNumber === phone,
      );
    await pollUntil(() => (fromThisPhone().length > 0 ? true : undefined), {
      description: 'marker on rbm-inbound',
    });
    expect(fromThisPhone().map((m) => (m.json as { messageId: string }).messageId)).toEqual([
      marker.messageId,
    ]);
  });

  it('publishes the decoded data with the envelope attributes kept', async () => {
    const launch = agentLaunchEvent({ agentId, newLaunchState: 'LAUNCHED' });
    expect((await stack.rbm.callback(launch.payload, { attributes: launch.attributes })).status).toBe(200);
    const message = await pollUntil(
      () =>
        stack.inboundTap.messages.find(
          (m) => (m.json as { eventId?: string }).eventId === launch.payload.eventId,
        ),
      { description: 'callback on rbm-inbound' },
    );
    expect(message?.json).toEqual(launch.payload);
    expect(message?.attributes).toMatchObject(launch.attributes);
  });

  it.each([
    ['not JSON', '{', 400],
    ['no message', '{"subscription":"x"}', 400],
    ['data not base64', '{"message":{"data":"!!!"}}', 400],
  ])('a malformed body (%s) is %s', async (_name, rawBody, status) => {
    const answer = await request(stack.webhook.url, {
      method: 'POST',
      rawBody,
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(status);
  });

  it('a method other than POST is 405', async () => {
    const answer = await request(stack.webhook.url, { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.json).toMatchObject({ error: { code: 405 } });
  });

  it('a body over 1 MiB is 413', async () => {
    const answer = await request(stack.webhook.url, {
      method: 'POST',
      body: { message: { data: Buffer.alloc(1_100_000, 'a').toString('base64') } },
    });
    expect(answer.status).toBe(413);
  });

  it('answers 500 when Pub/Sub does not accept the callback, so RBM retries', async () => {
    const webhook = await startFunction({
      name: 'webhook',
      env: { ...inboundEnv(), RBM_WEBHOOK_CLIENT_TOKEN: 'tok-2', RBM_INBOUND_TOPIC: 'no-such-topic-here' },
    });
    try {
      stack.rbm.configureWebhook({ url: webhook.url, clientToken: 'tok-2' });
      const result = await stack.rbm.callback(userText({ phone: testPhone(), agentId, text: 'x' }));
      expect(result.status).toBe(500);
    } finally {
      stack.rbm.configureWebhook({ url: stack.webhook.url, clientToken: 'test-client-token-0123456789' });
      await webhook.stop();
    }
  });
});

describe('inbound through the push subscription', () => {
  it('stores a user text once and publishes it once with the phoneNumber attribute', async () => {
    const phone = testPhone();
    const message = userText({ phone, agentId, text: 'Is my order ready?', sendTime: at(1) });
    await stack.rbm.callback(message);
    await stack.rbm.callback(message); // RBM redelivers

    const stored = await waitForDoc('userMessages', message.messageId!);
    expect(stored).toMatchObject({
      messageId: message.messageId,
      agentId,
      phoneNumber: phone,
      kind: 'text',
      text: 'Is my order ready?',
    });
    expect((stored.sendTime as { toDate(): Date }).toDate().toISOString()).toBe(at(1));
    expect((stored.receivedAt as { toDate(): Date }).toDate()).toBeInstanceOf(Date);

    const published = () =>
      stack.userMessagesTap.messages.filter((m) => m.attributes.messageId === message.messageId);
    await pollUntil(() => (published().length ? true : undefined), { description: 'user message published' });
    await pollUntil(
      () =>
        processedEntries(stack.inbound.logs()).filter((e) => e.messageId === message.messageId).length >= 2
          ? true
          : undefined,
      { description: 'both copies processed', timeoutMs: 20_000 },
    );
    expect(published()).toHaveLength(1);
    expect(published()[0]?.attributes.phoneNumber).toBe(phone);
    expect(published()[0]?.json).toEqual({
      messageId: message.messageId,
      agentId,
      phoneNumber: phone,
      sendTime: at(1),
      receivedAt: (stored.receivedAt as { toDate(): Date }).toDate().toISOString(),
      kind: 'text',
      text: 'Is my order ready?',
    });
  });

  it.each([
    ['userFile', (phone: string) => userFileMessage({ phone, agentId })],
    [
      'location',
      (phone: string) => userLocation({ phone, agentId, location: { latitude: 52.5, longitude: 13.4 } }),
    ],
    [
      'suggestionResponse',
      (phone: string) => suggestionReply({ phone, agentId, postbackData: 'yes', text: 'Yes' }),
    ],
  ])('stores a %s user message with its payload', async (kind, build) => {
    const message = build(testPhone()) as unknown as Record<string, unknown> & { messageId: string };
    await stack.rbm.callback(message);
    const stored = await waitForDoc('userMessages', message.messageId!);
    expect(stored).toMatchObject({ kind, [kind]: message[kind] });
  });

  it('keys a suggested-action tap without messageId by its eventId', async () => {
    const tap = suggestionActionTap({
      phone: testPhone(),
      agentId,
      postbackData: 'open-map',
      eventId: `ev-${randomUUID()}`,
    });
    await stack.rbm.callback(tap);
    const stored = await waitForDoc('userMessages', tap.eventId as string);
    expect(stored).toMatchObject({
      kind: 'suggestionResponse',
      suggestionResponse: { postbackData: 'open-map' },
    });
  });

  it('READ before DELIVERED ends READ with both timestamps', async () => {
    const phone = testPhone();
    const id = await sendText(phone);
    await stack.rbm.callback(readEvent({ phone, agentId, messageId: id, sendTime: at(20) }));
    await waitForDoc('agentMessages', id, (d) => d.state === 'READ');
    await stack.rbm.callback(deliveredEvent({ phone, agentId, messageId: id, sendTime: at(10) }));
    const stored = await waitForDoc('agentMessages', id, (d) => d.deliveredAt !== undefined);
    expect(stored.state).toBe('READ');
    expect((stored.readAt as { toDate(): Date }).toDate().toISOString()).toBe(at(20));
    expect((stored.deliveredAt as { toDate(): Date }).toDate().toISOString()).toBe(at(10));
  });

  it('DELIVERED after a revoke moves the message to DELIVERED', async () => {
    const phone = testPhone();
    await stack.rbm.setPhone(phone, 'offline');
    const id = await sendText(phone);
    expect(
      (await request(`${stack.revoke.url}/v1/phones/${phone}/agentMessages/${id}`, { method: 'DELETE' }))
        .status,
    ).toBe(200);
    await stack.rbm.callback(deliveredEvent({ phone, agentId, messageId: id }));
    const stored = await waitForDoc('agentMessages', id, (d) => d.state === 'DELIVERED');
    expect(stored.revokedAt).toBeDefined();
  });

  it('TTL events: REVOKED → EXPIRED, REVOKE_FAILED → revokeFailed; unknown ids get a record', async () => {
    const phone = testPhone();
    const sent = await sendText(phone);
    const unknown = randomUUID();
    await stack.rbm.callback(ttlRevokedEvent({ phone, agentId, messageId: sent }));
    await stack.rbm.callback(ttlRevokeFailedEvent({ phone, agentId, messageId: unknown }));
    const expired = await waitForDoc('agentMessages', sent, (d) => d.state === 'EXPIRED');
    expect(expired.expiredAt).toBeDefined();
    expect(await waitForDoc('agentMessages', unknown)).toMatchObject({
      phoneNumber: phone,
      agentId,
      revokeFailed: true,
      state: 'SENT',
    });
  });

  it('DELIVERED for a message id with no record creates the record', async () => {
    const phone = testPhone();
    const id = randomUUID();
    await stack.rbm.callback(deliveredEvent({ phone, agentId, messageId: id, sendTime: at(5) }));
    const stored = await waitForDoc('agentMessages', id);
    expect(stored).toMatchObject({ messageId: id, phoneNumber: phone, agentId, state: 'DELIVERED' });
  });

  it('the same event delivered 10 times concurrently is applied once', async () => {
    const phone = testPhone();
    const id = await sendText(phone);
    const event = deliveredEvent({
      phone,
      agentId,
      messageId: id,
      eventId: `ev-${randomUUID()}`,
      sendTime: at(7),
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => stack.rbm.callback(event)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    await pollUntil(
      () =>
        processedEntries(stack.inbound.logs()).filter((e) => e.eventId === event.eventId).length === 10
          ? true
          : undefined,
      { description: '10 deliveries processed', timeoutMs: 30_000 },
    );
    const outcomes = processedEntries(stack.inbound.logs())
      .filter((e) => e.eventId === event.eventId)
      .map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'deliveryEventApplied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(9);
    const stored = await doc('agentMessages', id);
    expect(stored).toMatchObject({ state: 'DELIVERED', appliedEventIds: [event.eventId] });
  });

  it('50 events for 10 messages, shuffled and duplicated, leave every message READ', async () => {
    const phone = testPhone();
    const ids = await Promise.all(Array.from({ length: 10 }, () => sendText(phone)));
    const events = ids.flatMap((messageId, i) => [
      deliveredEvent({ phone, agentId, messageId, sendTime: at(i) }),
      readEvent({ phone, agentId, messageId, sendTime: at(30 + i) }),
    ]);
    const all = [...events, ...events, ...events.slice(0, 10)];
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    expect(all).toHaveLength(50);
    const results = await Promise.all(all.map((event) => stack.rbm.callback(event)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    for (const [i, id] of ids.entries()) {
      const stored = await waitForDoc(
        'agentMessages',
        id,
        (d) => d.state === 'READ' && d.deliveredAt !== undefined,
      );
      expect((stored.deliveredAt as { toDate(): Date }).toDate().toISOString()).toBe(at(i));
      expect((stored.readAt as { toDate(): Date }).toDate().toISOString()).toBe(at(30 + i));
      expect((stored.appliedEventIds as string[]).length).toBe(2);
    }
  });

  it('SUBSCRIBE/UNSUBSCRIBE keep the latest by sendTime', async () => {
    const phone = testPhone();
    await stack.rbm.callback(unsubscribeEvent({ phone, agentId, sendTime: at(50) }));
    await waitForDoc('consents', phone);
    const older = subscribeEvent({ phone, agentId, sendTime: at(40) }); // older: loses
    await stack.rbm.callback(older);
    await pollUntil(
      () =>
        processedEntries(stack.inbound.logs()).some(
          (e) => e.kind === 'consent' && e.eventId === older.eventId,
        )
          ? true
          : undefined,
      { description: 'the older consent event processed' },
    );
    const consent = await doc('consents', phone);
    expect(consent).toMatchObject({ phoneNumber: phone, agentId, subscribed: false });
    expect((consent?.changedAt as { toDate(): Date }).toDate().toISOString()).toBe(at(50));
  });

  it('IS_TYPING changes no state', async () => {
    const phone = testPhone();
    const event = isTypingEvent({ phone, agentId, eventId: `typing-${randomUUID()}` });
    await stack.rbm.callback(event);
    await pollUntil(
      () =>
        processedEntries(stack.inbound.logs()).some(
          (e) => e.kind === 'typing' && e.eventId === event.eventId && e.outcome === 'ignored',
        )
          ? true
          : undefined,
      { description: 'typing processed' },
    );
    // Nothing about this phone was written (other tests' late work may still land elsewhere).
    for (const collection of ['agentMessages', 'userMessages', 'consents']) {
      expect((await db().collection(collection).where('phoneNumber', '==', phone).get()).size).toBe(0);
    }
    const rejects = await db().collection('inboundRejects').get();
    expect(rejects.docs.filter((d) => String(d.data().reason).includes('IS_TYPING'))).toHaveLength(0);
  });

  it('keeps agent launch events', async () => {
    const launch = agentLaunchEvent({
      agentId,
      newLaunchState: 'LAUNCHED',
      eventId: `launch-${randomUUID()}`,
    });
    await stack.rbm.callback(launch.payload, { attributes: launch.attributes });
    const stored = await waitForDoc('agentLaunchEvents', launch.payload.eventId);
    expect(stored).toMatchObject({ newLaunchState: 'LAUNCHED', eventId: launch.payload.eventId });
  });

  it('rejects a message for another agent into inboundRejects', async () => {
    await stack.rbm.callback(userText({ phone: testPhone(), agentId: 'someone-else', text: 'x' }));
    const rejects = await pollUntil(
      async () => {
        const snapshot = await db().collection('inboundRejects').get();
        return snapshot.size > 0 ? snapshot.docs.map((d) => d.data()) : undefined;
      },
      { description: 'a reject' },
    );
    expect(rejects[0]?.reason).toContain('another agent');
  });

  it('never logs a full phone number or message text', async () => {
    // Its own traffic first, so the assertion never passes on an empty log when the test runs alone.
    const phone = testPhone();
    const text = `Where is parcel ${randomUUID()}?`;
    const message = userText({ phone, agentId, text });
    await stack.rbm.callback(message);
    await waitForDoc('userMessages', message.messageId!);
    await pollUntil(
      () =>
        processedEntries(stack.inbound.logs()).some((e) => e.messageId === message.messageId)
          ? true
          : undefined,
      { description: 'inbound logged the message' },
    );
    const logs = stack.logs().join('\n');
    expect(logs).toContain(message.messageId);
    expect(fullPhonesIn(logs)).toEqual([]);
    expect(logs).not.toContain(text);
    expect(logs).not.toContain('Is my order ready?');
  });
});

describe('inbound delivered directly', () => {
  const projectId = () => emulatorContext().projectId;

  it.each<DeliveryShape>(['raw-push', 'binary-cloudevent', 'structured-cloudevent'])(
    'accepts a %s delivery',
    async (shape) => {
      const message = userText({ phone: testPhone(), agentId, text: 'shape test' });
      const answer = await deliver(stack.inbound.url, projectId(), { data: message }, shape);
      expect(answer.status).toBeLessThan(300);
      expect(await doc('userMessages', message.messageId!)).toMatchObject({ kind: 'text' });
    },
  );

  it('garbage becomes one inboundRejects record and is acknowledged, also when redelivered', async () => {
    const input = { data: 'this is not json', messageId: `garbage-${Date.now()}` };
    const first = await deliver(stack.inbound.url, projectId(), input);
    const second = await deliver(stack.inbound.url, projectId(), input);
    expect(first.status).toBe(204);
    expect(second.status).toBe(204);
    const rejects = await db().collection('inboundRejects').get();
    expect(rejects.size).toBe(1);
    expect(rejects.docs[0]?.data()).toMatchObject({
      reason: 'message data is not JSON',
      data: Buffer.from('this is not json').toString('base64'),
    });
    expect(rejects.docs[0]?.data().receivedAt).toBeDefined();
  });

  it.each([
    ['an unknown shape', { hello: 'world' }, 'unknown payload shape'],
    [
      'an unknown event type',
      { senderPhoneNumber: '+15550009999', eventType: 'NEW_THING', eventId: 'x' },
      'unknown eventType',
    ],
  ])('%s is rejected and acknowledged', async (_name, data, reason) => {
    expect((await deliver(stack.inbound.url, projectId(), { data })).status).toBe(204);
    const rejects = await db().collection('inboundRejects').get();
    expect(rejects.docs[0]?.data().reason).toContain(reason);
  });

  it('a user message whose publish failed is stored once and published once on redelivery', async () => {
    const topic = `late-topic-${randomUUID().slice(0, 8)}`;
    const inbound = await startFunction({
      name: 'inbound',
      env: inboundEnv({ RBM_USER_MESSAGES_TOPIC: topic }),
    });
    const pubsub = pubsubAdmin();
    try {
      const message = userText({ phone: testPhone(), agentId, text: 'retry me' });
      const input = { data: message, messageId: `pub-${randomUUID()}` };
      const failed = await deliver(inbound.url, projectId(), input);
      expect(failed.status).toBe(500); // the topic does not exist yet: transient, Pub/Sub will redeliver
      expect(await doc('userMessages', message.messageId!)).toMatchObject({ kind: 'text' });

      await pubsub.createTopic(topic);
      const tap = await tapTopic(pubsub, topic);
      try {
        expect((await deliver(inbound.url, projectId(), input)).status).toBe(204);
        expect((await deliver(inbound.url, projectId(), input)).status).toBe(204);
        await pollUntil(() => (tap.messages.length ? true : undefined), { description: 'published once' });
        expect(
          (await db().collection('userMessages').where('messageId', '==', message.messageId!).get()).size,
        ).toBe(1);
        expect(tap.messages).toHaveLength(1);
        expect(tap.messages[0]?.json).toMatchObject({ messageId: message.messageId, text: 'retry me' });
        expect(await doc('userMessages', message.messageId!)).toMatchObject({ publishState: 'PUBLISHED' });
      } finally {
        await tap.close();
      }
    } finally {
      await inbound.stop();
      await pubsub.close();
    }
  });

  it('Firestore unavailable fails the delivery (so Pub/Sub retries) and the redelivery succeeds', async () => {
    const proxy = await startTcpProxy(emulatorContext().firestoreHost);
    const inbound = await startFunction({
      name: 'inbound',
      env: inboundEnv({ FIRESTORE_EMULATOR_HOST: proxy.host, INBOUND_DEADLINE_MS: '2000' }),
    });
    try {
      const phone = testPhone();
      const id = randomUUID();
      const input = {
        data: deliveredEvent({ phone, agentId, messageId: id }),
        messageId: `fs-${randomUUID()}`,
      };
      proxy.cut();
      const failed = await deliver(inbound.url, projectId(), input);
      expect(failed.status).toBe(500);
      proxy.restore();
      const redelivered = await pollUntil(
        async () => {
          const answer = await deliver(inbound.url, projectId(), input);
          return answer.status === 204 ? answer : undefined;
        },
        { description: 'a successful redelivery', timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(redelivered.status).toBe(204);
      expect(await doc('agentMessages', id)).toMatchObject({ state: 'DELIVERED' });
    } finally {
      await inbound.stop();
      await proxy.close();
    }
  });
});
