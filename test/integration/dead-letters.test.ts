/**
 * Dead letters on the emulators: a callback that inbound keeps failing (its Firestore refuses connections) is
 * dead-lettered into the hold subscription after the push subscription's attempts; `dead-letters list` shows it
 * without acknowledging it; `dead-letters replay` republishes it to rbm-inbound, where a healthy inbound stores
 * it, and acknowledges it.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterClients, type DeadLetterClients } from '../../devtools/clients/dead-letter-clients.js';
import {
  formatList,
  listDeadLetters,
  replayDeadLetters,
  type ListResult,
} from '../../devtools/dead-letters.js';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { functionEnv, type LocalStack } from '../../devtools/local-stack.js';
import { freePort } from '../../devtools/ports.js';
import { COLLECTIONS } from '../../shared/store/collections.js';
import { emulatorContext, emulatorEnv } from '../support/emulator-context.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';

/** The lowest value Pub/Sub allows; Terraform's 10 would only make the test slower. */
const MAX_DELIVERY_ATTEMPTS = 5;

const context = emulatorContext();
let stack: LocalStack;
let failingInbound: FunctionServer;
let pubsub: PubSub;
let db: Firestore;
let clients: DeadLetterClients;
let prefix: string;

function pushEndpoint(server: FunctionServer): string {
  return `${server.url}/projects/${context.projectId}/topics/${stack.topics.inbound}`;
}

beforeAll(async () => {
  await clearFirestore();
  stack = await startStackOnTestEmulators({ agentId: TEST_AGENT_ID });
  prefix = stack.topics.inbound.slice(0, -'rbm-inbound'.length);
  pubsub = pubsubAdmin();
  db = firestoreAdmin();
  // inbound with a Firestore that refuses every connection: each delivery fails as a transient error.
  const refusing = `127.0.0.1:${await freePort()}`;
  const settings = {
    agentId: TEST_AGENT_ID,
    clientToken: stack.clientToken,
    rbmUrl: stack.rbm.url,
    topics: stack.topics,
  };
  failingInbound = await startFunction({
    name: 'inbound',
    env: {
      ...functionEnv('inbound', emulatorEnv(), settings),
      FIRESTORE_EMULATOR_HOST: refusing,
      INBOUND_DEADLINE_MS: '1000',
    },
  });
  const push = pubsub.subscription(`${prefix}rbm-inbound-to-inbound`);
  await push.setMetadata({
    deadLetterPolicy: {
      deadLetterTopic: pubsub.topic(`${prefix}rbm-inbound-dead-letter`).name,
      maxDeliveryAttempts: MAX_DELIVERY_ATTEMPTS,
    },
    // Redeliver at once rather than after Terraform's 10 s to 600 s backoff.
    retryPolicy: { minimumBackoff: { seconds: 0 }, maximumBackoff: { seconds: 1 } },
  });
  await push.modifyPushConfig({ pushEndpoint: pushEndpoint(failingInbound) });
  clients = deadLetterClients({
    projectId: context.projectId,
    namePrefix: prefix,
    pubsubEmulatorHost: context.pubsubHost,
    firestoreEmulatorHost: context.firestoreHost,
  });
});

afterAll(async () => {
  await clients?.close();
  await failingInbound?.stop();
  await stack?.stop();
  await pubsub?.close();
  await db?.terminate();
});

describe('dead letters', () => {
  const phone = testPhone();
  const userMessageId = `dl-${randomUUID()}`;
  const payload = Buffer.from(
    JSON.stringify({
      senderPhoneNumber: phone,
      messageId: userMessageId,
      sendTime: new Date().toISOString(),
      text: 'hello after an outage',
      agentId: `${TEST_AGENT_ID}@rbm.goog`,
    }),
  );
  let listed: ListResult;

  it('a message inbound fails on every attempt lands in the hold subscription', async () => {
    await pubsub
      .topic(stack.topics.inbound)
      .publishMessage({ data: payload, attributes: { origin: 'test' } });
    listed = await pollUntil(
      async () => {
        const result = await listDeadLetters({
          hold: clients.hold,
          rejectReasons: clients.rejectReasons,
          max: 10,
        });
        return result.messages.length > 0 ? result : undefined;
      },
      { description: 'the message in the dead-letter hold', timeoutMs: 75_000, intervalMs: 1_000 },
    );
    expect(listed.messages).toHaveLength(1);
    const [held] = listed.messages;
    expect(held?.deliveryAttempts).toBe(MAX_DELIVERY_ATTEMPTS);
    expect(held?.sizeBytes).toBe(payload.length);
    expect(held?.publishTime).toBeInstanceOf(Date);
    expect(held?.payload).toBe(`user text from +*******${phone.slice(-4)}, id ${userMessageId}`);
    // Nothing reached the store: the failing inbound never got through.
    expect((await db.collection(COLLECTIONS.userMessages).doc(userMessageId).get()).exists).toBe(false);
  });

  it('list shows it again (it acknowledged nothing), with the reason of a reject holding the same bytes', async () => {
    await db
      .collection(COLLECTIONS.inboundRejects)
      .doc('pubsub-probe')
      .create({
        reason: 'probe reject with the same bytes',
        data: payload.toString('base64'),
        receivedAt: new Date(),
      });
    const again = await listDeadLetters({
      hold: clients.hold,
      rejectReasons: clients.rejectReasons,
      max: 10,
    });
    expect(again.messages.map((m) => m.messageId)).toEqual(listed.messages.map((m) => m.messageId));
    expect(again.messages[0]?.rejectReason).toBe('probe reject with the same bytes');
    const lines = formatList(again, clients.subscriptionName);
    expect(lines.join('\n')).not.toContain(phone);
    expect(lines.join('\n')).not.toContain('hello after an outage');
  });

  it('replay republishes it to rbm-inbound, a healthy inbound stores it, and the hold is empty', async () => {
    await pubsub
      .subscription(`${prefix}rbm-inbound-to-inbound`)
      .modifyPushConfig({ pushEndpoint: pushEndpoint(stack.functions.inbound) });

    const result = await replayDeadLetters({ hold: clients.hold, republish: clients.republish, max: 10 });
    expect(result.failure).toBeUndefined();
    expect(result.replayed.map((r) => r.heldMessageId)).toEqual([listed.messages[0]?.messageId]);

    const stored = await pollUntil(
      async () => {
        const snapshot = await db.collection(COLLECTIONS.userMessages).doc(userMessageId).get();
        return snapshot.exists ? snapshot.data() : undefined;
      },
      { description: 'the replayed user message in Firestore', timeoutMs: 30_000 },
    );
    expect(stored).toMatchObject({ messageId: userMessageId, phoneNumber: phone, kind: 'text' });

    const after = await listDeadLetters({
      hold: clients.hold,
      rejectReasons: clients.rejectReasons,
      max: 10,
    });
    expect(after.messages).toEqual([]);
  });
});
