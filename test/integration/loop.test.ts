/**
 * The acceptance loop of the inbound issue, all real but RBM: send → fake RBM → signed DELIVERED and READ
 * callbacks → webhook → rbm-inbound → push subscription (from Terraform) → inbound → record READ; and a
 * user reply → userMessages and one message on rbm-user-messages.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { userText } from '../../sandbox/fake-rbm/index.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { startFullStack, type FullStack } from '../support/full-stack.js';
import { request } from '../support/http.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

let stack: FullStack;

beforeAll(async () => {
  await clearFirestore();
  stack = await startFullStack({ autoEvents: { deliver: true, read: true, delayMs: 50 } });
});
afterAll(async () => {
  await stack?.stop();
});

it('a sent message ends READ through the webhook, Pub/Sub push and inbound; a reply is stored and published once', async () => {
  const phone = testPhone();
  const messageId = randomUUID();
  const sent = await request(`${stack.send.url}/v1/phones/${phone}/agentMessages?messageId=${messageId}`, {
    method: 'POST',
    body: {
      contentMessage: {
        richCard: {
          standaloneCard: {
            cardOrientation: 'VERTICAL',
            cardContent: {
              title: 'Your order shipped',
              suggestions: [{ reply: { text: 'Track', postbackData: 'track' } }],
            },
          },
        },
      },
    },
  });
  expect(sent.status).toBe(200);

  const db = firestoreAdmin();
  const record = await pollUntil(
    async () => {
      const data = (await db.collection('agentMessages').doc(messageId).get()).data();
      return data?.state === 'READ' && data.deliveredAt ? data : undefined;
    },
    { description: 'the agent message to be READ', timeoutMs: 30_000 },
  );
  expect(record).toMatchObject({ contentType: 'richCard', phoneNumber: phone, agentId: TEST_AGENT_ID });
  expect(record.sentAt.toDate().getTime()).toBeLessThanOrEqual(record.readAt.toDate().getTime() + 1000);
  expect(stack.rbm.callbacks.length).toBeGreaterThanOrEqual(2);

  const reply = userText({ phone, agentId: TEST_AGENT_ID, text: 'Where is it now?' });
  expect((await stack.rbm.callback(reply)).status).toBe(200);
  const stored = await pollUntil(
    async () => (await db.collection('userMessages').doc(reply.messageId!).get()).data(),
    { description: 'the reply in userMessages', timeoutMs: 30_000 },
  );
  expect(stored).toMatchObject({ kind: 'text', text: 'Where is it now?', phoneNumber: phone });
  const published = () =>
    stack.userMessagesTap.messages.filter((m) => m.attributes.messageId === reply.messageId);
  await pollUntil(() => (published().length ? true : undefined), {
    description: 'the reply on rbm-user-messages',
    timeoutMs: 30_000,
  });
  expect(published()).toHaveLength(1);
  expect(published()[0]?.attributes.phoneNumber).toBe(phone);
});
