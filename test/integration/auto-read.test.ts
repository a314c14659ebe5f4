/**
 * Automatic READs (RBM_AUTO_READ) end to end: fake RBM → signed callback → webhook → rbm-inbound → push
 * subscription → inbound → READ agent event at the fake RBM, with the same event id the events function uses.
 * A READ that RBM keeps refusing fails the push, and Pub/Sub's redelivery sends it again once RBM recovers.
 */
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFunction } from '../../devtools/function-server.js';
import { functionEnv, type LocalStack } from '../../devtools/local-stack.js';
import { userText, type UserMessagePayload } from '../../sandbox/fake-rbm/index.js';
import { readEventIdFor } from '../../shared/ids.js';
import { emulatorContext, emulatorEnv } from '../support/emulator-context.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { processedEntries } from '../support/inbound-delivery.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';
import { tapTopic, type TopicTap } from '../support/topic-tap.js';

/** inbound's whole RBM retry budget for one delivery: short, so a READ that keeps failing fails the push soon. */
const RETRY_DEADLINE_MS = 1500;

let stack: LocalStack;
let pubsub: PubSub;
let userMessagesTap: TopicTap;
let pushSubscription: string;
const agentId = TEST_AGENT_ID;
const userMessage = (id: string) => firestoreAdmin().collection('userMessages').doc(id);

beforeAll(async () => {
  await clearFirestore();
  stack = await startStackOnTestEmulators({
    agentId,
    reconcileIntervalMs: false,
    env: {
      inbound: {
        RBM_AUTO_READ: 'true',
        RBM_RETRY_DEADLINE_MS: String(RETRY_DEADLINE_MS),
        RBM_RETRY_INITIAL_BACKOFF_MS: '50',
        RBM_RETRY_MAX_BACKOFF_MS: '400',
        RBM_REQUEST_TIMEOUT_MS: '800',
        INBOUND_DEADLINE_MS: '5000',
        INBOUND_PUBLISH_LEASE_MS: '3000',
      },
    },
  });
  pubsub = pubsubAdmin();
  userMessagesTap = await tapTopic(pubsub, stack.topics.userMessages);
  const prefix = stack.topics.inbound.slice(0, -'rbm-inbound'.length);
  pushSubscription = `${prefix}rbm-inbound-to-inbound`;
  // Redeliver within a second rather than after Terraform's 10 s minimum backoff.
  await pubsub.subscription(pushSubscription).setMetadata({
    retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
  });
});
afterAll(async () => {
  await userMessagesTap?.close();
  await stack?.stop();
  await pubsub?.close();
});
beforeEach(() => {
  stack.rbm.reset();
});

/** The READ calls the fake RBM received for one user message, in arrival order. */
const readCalls = (userMessageId: string) =>
  stack.rbm
    .callsOf('agentEvent')
    .filter((call) => (call.body as { messageId?: string } | undefined)?.messageId === userMessageId);
const published = (userMessageId: string) =>
  userMessagesTap.messages.filter((m) => m.attributes.messageId === userMessageId);
const inboundProcessed = (userMessageId: string) =>
  processedEntries(stack.functions.inbound.logs()).filter((entry) => entry.messageId === userMessageId);

async function callback(payload: UserMessagePayload): Promise<void> {
  expect((await stack.rbm.callback(payload)).status).toBe(200);
}

/**
 * Waits until a later message from the same phone is on rbm-user-messages, and inbound has finished with it (its
 * own READ included): whatever inbound published for the earlier ones has reached the tap by then too, and no
 * READ of this test is still in flight when the next test makes RBM refuse them.
 */
async function publishedMarker(phone: string): Promise<void> {
  const marker = userText({ phone, agentId, text: 'marker' });
  await callback(marker);
  await pollUntil(
    () =>
      published(marker.messageId!).length > 0 && inboundProcessed(marker.messageId!).length > 0
        ? true
        : undefined,
    { description: 'the marker on rbm-user-messages and processed', timeoutMs: 30_000 },
  );
}

async function readByAgent(userMessageId: string): Promise<Record<string, unknown>> {
  return pollUntil(
    async () => {
      const data = (await userMessage(userMessageId).get()).data();
      return data?.readByAgentAt ? data : undefined;
    },
    { description: `readByAgentAt on userMessages/${userMessageId}`, timeoutMs: 30_000 },
  );
}

describe('RBM_AUTO_READ=true', () => {
  it('sends one READ with the deterministic event id for a new user message and notes readByAgentAt; a duplicate sends at most the same event again and publishes nothing more', async () => {
    const phone = testPhone();
    const message = userText({ phone, agentId, text: 'Is my order on its way?' });
    const messageId = message.messageId!;
    const eventId = readEventIdFor(agentId, messageId);
    await callback(message);

    const stored = await readByAgent(messageId);
    expect(stored).toMatchObject({ messageId, phoneNumber: phone, kind: 'text' });
    expect(readCalls(messageId)).toHaveLength(1);
    expect(readCalls(messageId)[0]).toMatchObject({
      method: 'POST',
      path: `/v1/phones/${phone}/agentEvents`,
      query: { eventId, agentId },
      body: { eventType: 'READ', messageId },
      status: 200,
      duplicate: false,
    });
    // readByAgentAt is RBM's sendTime of the accepted READ.
    const accepted = stack.rbm.agentEvents(phone);
    expect(accepted).toHaveLength(1);
    expect((stored.readByAgentAt as { toDate(): Date }).toDate().toISOString()).toBe(
      new Date(accepted[0]!.response.sendTime).toISOString(),
    );

    // The same user message again: RBM retried its callback, or Pub/Sub delivered it twice.
    await callback(message);
    await pollUntil(
      () => (inboundProcessed(messageId).some((entry) => entry.outcome === 'duplicate') ? true : undefined),
      { description: 'inbound to process the duplicate', timeoutMs: 30_000 },
    );
    await publishedMarker(phone);
    expect(readCalls(messageId).length).toBeGreaterThanOrEqual(1);
    expect(new Set(readCalls(messageId).map((call) => call.query.eventId))).toEqual(new Set([eventId]));
    expect(
      readCalls(messageId)
        .slice(1)
        .every((call) => call.duplicate),
    ).toBe(true);
    expect(stack.rbm.agentEvents(phone).filter((event) => event.messageId === messageId)).toHaveLength(1);
    expect(published(messageId)).toHaveLength(1);
    const fromPhone = await firestoreAdmin()
      .collection('userMessages')
      .where('phoneNumber', '==', phone)
      .get();
    expect(fromPhone.docs.map((doc) => doc.id).filter((id) => id === messageId)).toHaveLength(1);
  });

  it('a READ RBM refuses past the retry budget fails the push; the redelivery sends it with the same event id once RBM recovers, and the message is published once', async () => {
    const phone = testPhone();
    const message = userText({ phone, agentId, text: 'Can I change the address?' });
    const messageId = message.messageId!;
    const eventId = readEventIdFor(agentId, messageId);
    // Far more failures than one delivery's budget can use up: RBM stays down until reset below.
    stack.rbm.failNext(100_000, { status: 503 }, { only: 'agentEvent' });
    await callback(message);

    // inbound gave up on RBM within its budget and answered the push with an error.
    const failure = await pollUntil(
      () =>
        stack.functions.inbound
          .logs()
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .find(
            (entry) =>
              entry.message === 'Event failed; Pub/Sub will redeliver' &&
              JSON.stringify(entry.error).includes('automatic READ not sent'),
          ),
      { description: 'the push answered with an error', timeoutMs: 30_000 },
    );
    const failedPubsubMessageId = failure.pubsubMessageId;
    expect(typeof failedPubsubMessageId).toBe('string');
    const failedCalls = readCalls(messageId);
    expect(failedCalls.length).toBeGreaterThan(1);
    expect(failedCalls.every((call) => call.status === undefined || call.status === 503)).toBe(true);
    // The message was stored and published before the READ was tried.
    expect((await userMessage(messageId).get()).exists).toBe(true);

    // RBM recovers (the call log is read first: reset forgets it, and nothing runs between the two lines).
    const callsWhileDown = readCalls(messageId);
    stack.rbm.reset();

    const stored = await readByAgent(messageId);
    const callsAfter = readCalls(messageId);
    expect(callsAfter.some((call) => call.status === 200)).toBe(true);
    expect(new Set([...callsWhileDown, ...callsAfter].map((call) => call.query.eventId))).toEqual(
      new Set([eventId]),
    );
    expect(stack.rbm.readByAgentAt(messageId)).toBeInstanceOf(Date);
    expect(stored).toMatchObject({ messageId, phoneNumber: phone });
    // The READ came with Pub/Sub's redelivery of the same message, not a new callback.
    const redelivered = await pollUntil(
      () => inboundProcessed(messageId).find((entry) => entry.pubsubMessageId === failedPubsubMessageId),
      { description: 'the redelivery processed', timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      const related = stack.functions.inbound
        .logs()
        .filter((line) =>
          [messageId, eventId, String(failedPubsubMessageId)].some((id) => line.includes(id)),
        );
      throw new Error(`${String(error)}; inbound's lines about it:\n${related.join('\n')}`);
    });
    expect(redelivered.outcome).toBe('duplicate');

    await publishedMarker(phone);
    expect(published(messageId)).toHaveLength(1);
  });
});

describe('RBM_AUTO_READ unset (the default)', () => {
  it('sends no agent event for a new user message', async () => {
    // The stack's own inbound configuration, RBM endpoint included, without RBM_AUTO_READ.
    const settings = {
      agentId,
      clientToken: stack.clientToken,
      rbmUrl: stack.rbm.url,
      topics: stack.topics,
    };
    const env = functionEnv('inbound', emulatorEnv(), settings);
    expect(env.RBM_API_ENDPOINT).toBe(stack.rbm.url);
    expect(env.RBM_AUTO_READ).toBeUndefined();
    const plain = await startFunction({ name: 'inbound', env });
    const subscription = pubsub.subscription(pushSubscription);
    const endpointOf = (url: string) =>
      `${url}/projects/${emulatorContext().projectId}/topics/${stack.topics.inbound}`;
    try {
      await subscription.modifyPushConfig({ pushEndpoint: endpointOf(plain.url) });
      const phone = testPhone();
      const message = userText({ phone, agentId, text: 'Just saying hello' });
      const messageId = message.messageId!;
      await callback(message);
      await pollUntil(
        () =>
          processedEntries(plain.logs()).some(
            (entry) => entry.messageId === messageId && entry.outcome === 'userMessagePublished',
          )
            ? true
            : undefined,
        { description: 'the plain inbound to process the message', timeoutMs: 30_000 },
      );
      const stored = (await userMessage(messageId).get()).data();
      expect(stored).toMatchObject({ messageId, phoneNumber: phone });
      expect(stored?.readByAgentAt).toBeUndefined();
      // Only this phone's calls: the auto-read instance may still be reading earlier tests' messages.
      expect(stack.rbm.callsOf('agentEvent').filter((call) => call.phone === phone)).toHaveLength(0);
      expect(stack.rbm.readByAgentAt(messageId)).toBeUndefined();
    } finally {
      await subscription.modifyPushConfig({ pushEndpoint: endpointOf(stack.functions.inbound.url) });
      await plain.stop();
    }
  });
});
