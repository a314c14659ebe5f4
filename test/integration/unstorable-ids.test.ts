/**
 * Inbound payloads whose ids or field names Firestore refuses are kept as rejects and acknowledged, on the
 * built inbound bundle against the emulators, instead of failing every redelivery.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { emulatorContext } from '../support/emulator-context.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { inboundEnv } from '../support/full-stack.js';
import { deliver } from '../support/inbound-delivery.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';

const agentId = TEST_AGENT_ID;
const phone = '+15550001234';
const long = 'x'.repeat(1501);
let inbound: FunctionServer;
const db = () => firestoreAdmin();
const projectId = () => emulatorContext().projectId;

beforeAll(async () => {
  // Status and fallback events of applied DELIVERED events need their topics.
  const suffix = randomUUID().slice(0, 8);
  const topics = { RBM_STATUS_TOPIC: `status-${suffix}`, RBM_FALLBACK_TOPIC: `fallback-${suffix}` };
  const pubsub = pubsubAdmin();
  try {
    await Promise.all(Object.values(topics).map((topic) => pubsub.createTopic(topic)));
  } finally {
    await pubsub.close();
  }
  inbound = await startFunction({ name: 'inbound', env: inboundEnv(topics) });
});
afterAll(async () => {
  await inbound?.stop();
});
beforeEach(async () => {
  await clearFirestore();
});

async function rejects(): Promise<Array<Record<string, unknown>>> {
  return (await db().collection('inboundRejects').get()).docs.map((d) => d.data());
}

/** Delivers the message twice (a redelivery) and expects both to be acknowledged. */
async function deliverTwice(data: unknown, attributes?: Record<string, string>): Promise<void> {
  const input = { data, messageId: `m-${randomUUID()}`, ...(attributes ? { attributes } : {}) };
  expect((await deliver(inbound.url, projectId(), input)).status).toBe(204);
  expect((await deliver(inbound.url, projectId(), input)).status).toBe(204);
}

const userText = (messageId: string) => ({ senderPhoneNumber: phone, agentId, messageId, text: 'hi' });
const delivered = (messageId: string) => ({
  senderPhoneNumber: phone,
  agentId,
  eventType: 'DELIVERED',
  eventId: `e-${randomUUID()}`,
  messageId,
});

describe('ids and field names Firestore cannot store', () => {
  it.each([
    ['a user message id __x__', userText('__x__'), 'user message id "__x__" is reserved'],
    ['a user message id ..', userText('..'), 'user message id ".." is reserved'],
    ['a user message id .', userText('.'), 'user message id "." is reserved'],
    ['a user message id with /', userText('a/b'), 'contains "/"'],
    ['a user message id over 1,500 bytes', userText(long), 'longer than 1500 bytes'],
    ['a DELIVERED for message id __y__', delivered('__y__'), 'DELIVERED messageId "__y__" is reserved'],
    ['a DELIVERED for message id ..', delivered('..'), 'DELIVERED messageId ".." is reserved'],
    ['a DELIVERED for a message id over 1,500 bytes', delivered(long), 'longer than 1500 bytes'],
    [
      'a userFile with the key __k__',
      { senderPhoneNumber: phone, agentId, messageId: 'f1', userFile: { payload: { __k__: 'v' } } },
      'field name "__k__" is reserved',
    ],
  ])('%s becomes one reject, acknowledged also when redelivered', async (_name, data, reason) => {
    await deliverTwice(data);
    const kept = await rejects();
    expect(kept).toHaveLength(1);
    expect(kept[0]?.reason).toContain(reason);
    expect(kept[0]?.data).toBe(Buffer.from(JSON.stringify(data)).toString('base64'));
    for (const collection of ['userMessages', 'agentMessages']) {
      expect((await db().collection(collection).get()).size).toBe(0);
    }
  });

  it('an agent launch event with a reserved id becomes a reject', async () => {
    await deliverTwice(
      { agentId, eventId: '__l__', newLaunchState: 'LAUNCHED' },
      { type: 'agent_launch_event' },
    );
    const kept = await rejects();
    expect(kept).toHaveLength(1);
    expect(kept[0]?.reason).toContain('agent launch event id "__l__" is reserved');
    expect((await db().collection('agentLaunchEvents').get()).size).toBe(0);
  });

  it('a reject whose attributes have reserved names keeps them as JSON text', async () => {
    await deliverTwice('not json', { __a__: 'x', type: 'y' });
    const kept = await rejects();
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatchObject({ reason: 'message data is not JSON' });
    expect(JSON.parse(String(kept[0]?.attributesJson))).toEqual({ __a__: 'x', type: 'y' });
  });

  it('a DELIVERED with a huge event id is applied once and stores only a digest of the id', async () => {
    const messageId = randomUUID();
    const event = { ...delivered(messageId), eventId: `e${'v'.repeat(200_000)}` };
    await deliverTwice(event);
    const stored = (await db().collection('agentMessages').doc(messageId).get()).data();
    expect(stored).toMatchObject({ state: 'DELIVERED' });
    expect(stored?.appliedEventIds).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    expect(await rejects()).toHaveLength(0);
  });
});
