/**
 * One user message is published once even when its first publish stalls past the claim's lease: the built
 * inbound bundle on the emulators, with the first publish attempt held (test fault injection) far longer
 * than the lease.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { emulatorContext } from '../support/emulator-context.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { inboundEnv } from '../support/full-stack.js';
import { deliver } from '../support/inbound-delivery.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';
import { tapTopic, type TopicTap } from '../support/topic-tap.js';

const LEASE_MS = 1500;
const FIRST_PUBLISH_HELD_MS = 4000;

let inbound: FunctionServer;
let tap: TopicTap;
const pubsub = () => pubsubAdmin();
const topic = `user-messages-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const admin = pubsub();
  await admin.createTopic(topic);
  tap = await tapTopic(admin, topic);
  inbound = await startFunction({
    name: 'inbound',
    env: inboundEnv({
      RBM_USER_MESSAGES_TOPIC: topic,
      INBOUND_PUBLISH_LEASE_MS: String(LEASE_MS),
      INBOUND_DEADLINE_MS: '10000',
      RBM_FAULT_PUBLISH_DELAY_FIRST_MS: String(FIRST_PUBLISH_HELD_MS),
    }),
  });
});
afterAll(async () => {
  await inbound?.stop();
  await tap?.close();
});

/** How the held first publish attempt of `messageId` ended, once it has. */
function heldAttemptOutcome(messageId: string): string | undefined {
  for (const line of inbound.logs()) {
    if (!line.includes('Injected publish delay ended')) continue;
    const entry = JSON.parse(line) as { messageId?: string; outcome?: string };
    if (entry.messageId === messageId) return entry.outcome;
  }
  return undefined;
}

describe('a user message whose first publish stalls past the lease', () => {
  it('is published once: the stalled attempt is given up before a redelivery can take the claim over', async () => {
    const messageId = `u-${randomUUID()}`;
    const input = {
      data: { senderPhoneNumber: '+15550003333', agentId: TEST_AGENT_ID, messageId, text: 'only once' },
      messageId: `pubsub-${randomUUID()}`,
    };
    const projectId = emulatorContext().projectId;
    // Pub/Sub redelivers until a delivery is acknowledged.
    await pollUntil(
      async () => ((await deliver(inbound.url, projectId, input)).status === 204 ? true : undefined),
      { description: 'an acknowledged delivery', timeoutMs: 30_000, intervalMs: 200 },
    );
    // Wait for the stalled first attempt to end, however it ends, and for the topic to show what was published.
    const firstAttempt = await pollUntil(() => heldAttemptOutcome(messageId), {
      description: 'the held first publish attempt to end',
      timeoutMs: 30_000,
    });
    await pollUntil(
      () => (tap.messages.some((m) => m.attributes.messageId === messageId) ? true : undefined),
      {
        description: 'the user message on its topic',
      },
    );
    expect(firstAttempt).toBe('gaveUp');
    expect(tap.messages.filter((m) => m.attributes.messageId === messageId)).toHaveLength(1);
    const stored = (await firestoreAdmin().collection('userMessages').doc(messageId).get()).data();
    expect(stored).toMatchObject({ publishState: 'PUBLISHED', text: 'only once' });
  });
});
