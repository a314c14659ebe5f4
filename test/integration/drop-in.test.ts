/**
 * Code written for RBM with Google's generated client works against the local gateway with two changes: its
 * rootUrl and an API key. One client instance, one base URL: texts, a rich card and a carousel are sent,
 * one is revoked, READ and IS_TYPING are sent, capabilities and users:batchGet are checked, a file is
 * uploaded; each result is checked where it lands (Firestore, the RBM sandbox). Also `%2B` paths, and the
 * key refusals in Google's error shape.
 */
import { randomUUID } from 'node:crypto';
import { Timestamp } from '@google-cloud/firestore';
import { GaxiosError } from 'googleapis-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../devtools/local-stack.js';
import { COLLECTIONS } from '../../shared/store/collections.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { Rcsbusinessmessaging } from '../support/generated-rbm-client.js';
import { pollUntil } from '../support/poll.js';
import { testPhone } from '../support/phones.js';

let stack: LocalStack;
let rbm: Rcsbusinessmessaging;

beforeAll(async () => {
  stack = await startStackOnTestEmulators({
    reconcileIntervalMs: false,
    // A cold Firestore client on a loaded test machine can take longer than send's default storage deadline.
    env: { send: { FIRESTORE_DEADLINE_MS: '60000' } },
  });
  // The two lines that change in code written for RBM: where it sends, and the key instead of a token.
  rbm = new Rcsbusinessmessaging({ rootUrl: stack.gateway.url, auth: stack.gateway.apiKey, retry: false });
});
afterAll(() => stack?.stop());

const db = () => firestoreAdmin();
const record = (collection: string, id: string) =>
  pollUntil(
    async () => {
      const snapshot = await db().collection(collection).doc(id).get();
      return snapshot.exists ? snapshot.data() : undefined;
    },
    { description: `${collection}/${id}`, timeoutMs: 20_000 },
  );
const recordWhere = (collection: string, id: string, holds: (data: Record<string, unknown>) => boolean) =>
  pollUntil(
    async () => {
      const data = (await db().collection(collection).doc(id).get()).data();
      return data && holds(data) ? data : undefined;
    },
    { description: `${collection}/${id} to reach the expected state`, timeoutMs: 20_000 },
  );

/** Sends as RBM's helper does: `phones/{msisdn}` as parent, a fresh UUID, the agent id in the query. */
async function send(phone: string, agentMessage: Record<string, unknown>, parent = `phones/${phone}`) {
  const messageId = randomUUID();
  const answer = await rbm.phones.agentMessages.create({
    parent,
    messageId,
    agentId: stack.agentId,
    requestBody: agentMessage,
  });
  return { messageId, answer };
}

const card = (title: string) => ({
  title,
  description: 'Tap to choose',
  media: { height: 'MEDIUM', contentInfo: { fileUrl: `https://example.com/${title}.png` } },
  suggestions: [{ reply: { text: title, postbackData: title } }],
});

describe('Google’s generated RBM client through the local gateway', () => {
  it('sends a text, a rich card and a carousel, each recorded SENT with its content type', async () => {
    const phone = testPhone();
    const messages = {
      text: { contentMessage: { text: 'Your order has shipped.' }, messageTrafficType: 'TRANSACTION' },
      richCard: {
        contentMessage: {
          richCard: { standaloneCard: { cardOrientation: 'VERTICAL', cardContent: card('Red') } },
        },
      },
      carousel: {
        contentMessage: {
          richCard: { carouselCard: { cardWidth: 'MEDIUM', cardContents: [card('Red'), card('Blue')] } },
        },
      },
    };
    for (const [kind, agentMessage] of Object.entries(messages)) {
      const { messageId, answer } = await send(phone, agentMessage);
      expect(answer.status, kind).toBe(200);
      expect(answer.data.name).toBe(`phones/${phone}/agentMessages/${messageId}`);
      expect(await record(COLLECTIONS.agentMessages, messageId)).toMatchObject({
        phoneNumber: phone,
        state: 'SENT',
        contentType: kind === 'text' ? 'text' : 'richCard',
      });
      expect(stack.rbm.message(messageId)?.request.contentMessage).toEqual(agentMessage.contentMessage);
    }
  });

  it('revokes a message that waits for an offline phone', async () => {
    const phone = testPhone();
    await stack.rbm.setPhone(phone, 'offline');
    const { messageId } = await send(phone, { contentMessage: { text: 'Your driver is 5 minutes away.' } });
    const revoked = await rbm.phones.agentMessages.delete({
      name: `phones/${phone}/agentMessages/${messageId}`,
      agentId: stack.agentId,
    });
    expect(revoked.status).toBe(200);
    expect(revoked.data).toEqual({});
    expect(
      await recordWhere(COLLECTIONS.agentMessages, messageId, (data) => data.state === 'REVOKED'),
    ).toMatchObject({
      revokedAt: expect.any(Timestamp),
    });
    expect(stack.rbm.message(messageId)?.state).toBe('revoked');
  });

  it('sends READ for a user’s message (readByAgentAt set) and IS_TYPING', async () => {
    const phone = testPhone();
    const userMessageId = `user-${randomUUID()}`;
    await db().collection(COLLECTIONS.userMessages).doc(userMessageId).set({
      messageId: userMessageId,
      agentId: stack.agentId,
      phoneNumber: phone,
      kind: 'text',
      text: 'Is my order on its way?',
      sendTime: Timestamp.now(),
      receivedAt: Timestamp.now(),
    });
    const read = await rbm.phones.agentEvents.create({
      parent: `phones/${phone}`,
      eventId: randomUUID(),
      agentId: stack.agentId,
      requestBody: { eventType: 'READ', messageId: userMessageId },
    });
    expect(read.status).toBe(200);
    expect(
      await recordWhere(COLLECTIONS.userMessages, userMessageId, (data) => data.readByAgentAt !== undefined),
    ).toMatchObject({
      readByAgentAt: expect.any(Timestamp),
    });

    const typing = await rbm.phones.agentEvents.create({
      parent: `phones/${phone}`,
      eventId: randomUUID(),
      agentId: stack.agentId,
      requestBody: { eventType: 'IS_TYPING' },
    });
    expect(typing.status).toBe(200);
    const events = stack.rbm.callsOf('agentEvent').filter((call) => call.phone === phone);
    expect(events.map((call) => (call.body as { eventType?: string }).eventType)).toEqual([
      'READ',
      'IS_TYPING',
    ]);
  });

  it('checks capabilities and users:batchGet, both cached', async () => {
    const phone = testPhone();
    const other = testPhone();
    await stack.rbm.setPhone(other, 'unreachable');
    const capabilities = await rbm.phones.getCapabilities({
      name: `phones/${phone}`,
      requestId: randomUUID(),
      agentId: stack.agentId,
    });
    expect(capabilities.status).toBe(200);
    expect(capabilities.data.features?.length).toBeGreaterThan(0);
    expect(await record(COLLECTIONS.capabilities, phone)).toMatchObject({
      reachable: true,
      source: 'CAPABILITIES',
    });

    const batch = await rbm.users.batchGet({
      requestBody: { users: [other, testPhone()], agentId: stack.agentId },
    });
    expect(batch.status).toBe(200);
    expect(batch.data.reachableUsers).not.toContain(other);
    for (const reachable of batch.data.reachableUsers ?? []) {
      expect(await record(COLLECTIONS.capabilities, reachable)).toMatchObject({ reachable: true });
    }
  });

  it('uploads a file once; the name is cached in files', async () => {
    const fileUrl = `https://cdn.example.com/${randomUUID()}.png`;
    const upload = () => rbm.files.create({ requestBody: { fileUrl, agentId: stack.agentId } });
    const first = await upload();
    expect(first.status).toBe(200);
    expect(first.data.name).toMatch(/^files\//);
    expect((await upload()).data.name).toBe(first.data.name);
    expect(
      stack.rbm.callsOf('fileCreate').filter((call) => JSON.stringify(call.body).includes(fileUrl)),
    ).toHaveLength(1);
    const cached = await db().collection(COLLECTIONS.files).where('fileUrl', '==', fileUrl).get();
    expect(cached.docs.map((doc) => doc.data().name)).toEqual([first.data.name]);
  });

  it('takes the + of a phone as %2B, in the parent and in the name', async () => {
    const phone = testPhone();
    await stack.rbm.setPhone(phone, 'offline');
    const encoded = `phones/${phone.replace('+', '%2B')}`;
    const { messageId, answer } = await send(phone, { contentMessage: { text: 'encoded' } }, encoded);
    expect(answer.status).toBe(200);
    expect(await record(COLLECTIONS.agentMessages, messageId)).toMatchObject({
      phoneNumber: phone,
      state: 'SENT',
    });
    const revoked = await rbm.phones.agentMessages.delete({ name: `${encoded}/agentMessages/${messageId}` });
    expect(revoked.status).toBe(200);
  });

  it.each([
    ['without a key', undefined, 401, 'UNAUTHENTICATED'],
    ['with a wrong key', 'not-the-key', 400, 'INVALID_ARGUMENT'],
  ])(
    '%s the gateway refuses in Google’s error shape and nothing is sent',
    async (_name, auth, status, rpcStatus) => {
      const client = new Rcsbusinessmessaging({
        rootUrl: stack.gateway.url,
        retry: false,
        ...(auth ? { auth } : {}),
      });
      const phone = testPhone();
      const refused = await client.phones.agentMessages
        .create({
          parent: `phones/${phone}`,
          messageId: randomUUID(),
          requestBody: { contentMessage: { text: 'x' } },
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(refused).toBeInstanceOf(GaxiosError);
      const response = (refused as GaxiosError).response;
      expect(response?.status).toBe(status);
      expect(response?.data).toMatchObject({
        error: { code: status, status: rpcStatus, message: expect.any(String) },
      });
      expect(stack.rbm.callsOf('create').filter((call) => call.phone === phone)).toEqual([]);
    },
  );
});
