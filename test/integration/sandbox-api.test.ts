/**
 * The sandbox's HTTP API against a started local stack: phone states (offline queue delivered on going online,
 * unreachable → 404 and FAILED), a phone left for a person to read, features and dropped outcomes, user replies as
 * signed callbacks, live updates over server-sent events, and the page's files.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import type { LocalStack } from '../../devtools/local-stack.js';
import type { SandboxState } from '../../sandbox/app/index.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

let stack: LocalStack;
const api = (path: string): string => `${stack.rbm.url}/sandbox/api${path}`;
const phonePath = (phone: string): string => `/phones/${encodeURIComponent(phone)}`;

beforeAll(async () => {
  stack = await startStackOnTestEmulators({
    agentId: 'api-agent',
    clientToken: 'api-test-client-token',
  });
});
beforeEach(async () => {
  await clearFirestore();
});
afterAll(async () => {
  await stack?.stop();
});

async function send(phone: string, contentMessage: unknown): Promise<{ status: number; messageId: string }> {
  const messageId = randomUUID();
  const answer = await request(
    `${stack.functions.send.url}/v1/phones/${phone}/agentMessages?messageId=${messageId}`,
    {
      method: 'POST',
      body: { contentMessage },
    },
  );
  return { status: answer.status, messageId };
}

/** Waits for the record to be in state `wanted` (and to have `field`, when given: events may arrive in any order). */
async function recordState(
  messageId: string,
  wanted: string,
  field?: string,
): Promise<Record<string, unknown>> {
  const db = firestoreAdmin();
  return pollUntil(
    async () => {
      const data = (await db.collection('agentMessages').doc(messageId).get()).data();
      return data?.state === wanted && (field === undefined || data[field] !== undefined) ? data : undefined;
    },
    { description: `agentMessages/${messageId} to be ${wanted}`, timeoutMs: 20_000 },
  );
}

async function state(): Promise<SandboxState> {
  return (await request(api('/state'))).json as SandboxState;
}

it('queues for an offline phone and delivers (DELIVERED, READ) when it goes online', async () => {
  const phone = testPhone();
  const added = await request(api('/phones'), {
    method: 'POST',
    body: { phone, state: 'offline', mode: 'auto-read', delayMs: 50 },
  });
  expect(added.status).toBe(200);
  const { status, messageId } = await send(phone, { text: 'queued while offline' });
  expect(status).toBe(200);
  await recordState(messageId, 'SENT');
  expect(
    ((await request(api(`/agentMessages/${messageId}`))).json as { phoneState: string }).phoneState,
  ).toBe('queued');

  expect(
    (await request(api(phonePath(phone)), { method: 'POST', body: { state: 'reachable' } })).status,
  ).toBe(200);
  const record = await recordState(messageId, 'READ', 'deliveredAt');
  expect(record.readAt).toBeDefined();
  const view = (await state()).phones.find((candidate) => candidate.phone === phone);
  expect(view).toMatchObject({ state: 'reachable', mode: 'auto-read' });
  expect(view?.conversation[0]).toMatchObject({ from: 'agent', messageId, phoneState: 'read' });
});

it('answers 404 for an unreachable phone: the backend records FAILED and the page shows it rejected', async () => {
  const phone = testPhone();
  await request(api('/phones'), { method: 'POST', body: { phone, state: 'unreachable' } });
  const { status, messageId } = await send(phone, { text: 'nobody home' });
  expect(status).toBe(404);
  await recordState(messageId, 'FAILED');
  const item = (await state()).phones.find((view) => view.phone === phone)?.conversation[0];
  expect(item).toMatchObject({
    from: 'agent',
    messageId,
    phoneState: 'rejected',
    backend: { state: 'FAILED' },
  });
});

it('leaves a message for a person to read (manual mode), then Mark read sends DELIVERED and READ', async () => {
  const phone = testPhone();
  await request(api('/phones'), { method: 'POST', body: { phone, mode: 'manual' } });
  const { messageId } = await send(phone, { text: 'read me by hand' });
  await recordState(messageId, 'SENT');
  expect(stack.rbm.message(messageId)?.state).toBe('pending');
  expect((await request(api(`/agentMessages/${messageId}/read`), { method: 'POST', body: {} })).status).toBe(
    200,
  );
  const record = await recordState(messageId, 'READ', 'deliveredAt');
  expect(record.readAt).toBeDefined();
});

it('sets a phone’s features without touching its mode, and drops outcomes per message or per phone', async () => {
  const phone = testPhone();
  await request(api('/phones'), { method: 'POST', body: { phone, mode: 'manual' } });
  const features = ['RICHCARD_STANDALONE', 'ACTION_DIAL'];
  expect((await request(api(phonePath(phone)), { method: 'POST', body: { features } })).status).toBe(200);
  expect((await state()).phones.find((view) => view.phone === phone)).toMatchObject({
    mode: 'manual',
    features,
  });
  const badFeatures = await request(api(phonePath(phone)), {
    method: 'POST',
    body: { features: 'ACTION_DIAL' },
  });
  expect(badFeatures.status).toBe(400);

  const { messageId } = await send(phone, { text: 'this one gets lost' });
  await recordState(messageId, 'SENT');
  const dropped = await request(api(`/agentMessages/${messageId}/drop-outcome`), {
    method: 'POST',
    body: {},
  });
  expect(dropped.json).toMatchObject({ phoneState: 'pending', outcomeDropped: true });
  await request(api(`/agentMessages/${messageId}/read`), { method: 'POST', body: {} });
  expect(stack.rbm.message(messageId)?.state).toBe('pending');
  const item = (await state()).phones.find((view) => view.phone === phone)?.conversation[0];
  expect(item).toMatchObject({ messageId, outcomeDropped: true, backend: { state: 'SENT' } });

  const silent = testPhone();
  await request(api('/phones'), { method: 'POST', body: { phone: silent, mode: 'drop-outcomes' } });
  const lost = await send(silent, { text: 'lost on arrival' });
  await recordState(lost.messageId, 'SENT');
  expect(stack.rbm.message(lost.messageId)).toMatchObject({ state: 'pending', outcomeDropped: true });
  expect((await state()).phones.find((view) => view.phone === silent)?.mode).toBe('drop-outcomes');
});

it('sends replies, locations and taps as signed callbacks that end in userMessages', async () => {
  const phone = testPhone();
  const db = firestoreAdmin();
  const reply = await request(api(`${phonePath(phone)}/reply`), {
    method: 'POST',
    body: { text: 'hello agent' },
  });
  const location = await request(api(`${phonePath(phone)}/location`), {
    method: 'POST',
    body: { latitude: 48.8584, longitude: 2.2945 },
  });
  const tap = await request(api(`${phonePath(phone)}/suggestion`), {
    method: 'POST',
    body: { postbackData: 'open-site', text: 'Website', type: 'ACTION' },
  });
  for (const answer of [reply, location, tap]) expect(answer.json).toMatchObject({ webhookStatus: 200 });
  const ids = [reply, location, tap].map((answer) => (answer.json as { messageId: string }).messageId);
  const docs = await pollUntil(
    async () => {
      const snapshots = await Promise.all(ids.map((id) => db.collection('userMessages').doc(id).get()));
      return snapshots.every((snapshot) => snapshot.exists) ? snapshots.map((s) => s.data()) : undefined;
    },
    { description: 'the three user messages', timeoutMs: 20_000 },
  );
  expect(docs[0]).toMatchObject({ kind: 'text', text: 'hello agent' });
  expect(docs[1]).toMatchObject({ kind: 'location', location: { latitude: 48.8584, longitude: 2.2945 } });
  expect(docs[2]).toMatchObject({ kind: 'suggestionResponse', suggestionResponse: { type: 'ACTION' } });
  const items = (await state()).phones.find((view) => view.phone === phone)?.conversation ?? [];
  expect(items.map((item) => item.from)).toEqual(['user', 'user', 'user']);
  expect(items.every((item) => item.from === 'user' && item.stored === true)).toBe(true);
});

it('pushes a `changed` event to the page when a message arrives', async () => {
  const controller = new AbortController();
  const response = await fetch(api('/events'), { signal: controller.signal });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  const events = (): number => received.split('event: changed').length - 1;
  const reading = (async () => {
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      received += decoder.decode(chunk.value);
    }
  })();
  await pollUntil(() => (events() >= 1 ? true : undefined), { description: 'the first event' });
  await send(testPhone(), { text: 'ping' });
  await pollUntil(() => (events() >= 2 ? true : undefined), { description: 'a changed event' });
  controller.abort();
  await reading;
});

it('serves the page and refuses bad requests with Google-style errors', async () => {
  const page = await request(`${stack.rbm.url}/sandbox/`);
  expect(page.status).toBe(200);
  expect(page.text).toContain('RBM sandbox');
  expect((await request(`${stack.rbm.url}/sandbox/app.js`)).headers.get('content-type')).toContain(
    'javascript',
  );
  expect((await request(`${stack.rbm.url}/sandbox/../server.ts`)).status).toBe(404);
  const badPhone = await request(api('/phones'), { method: 'POST', body: { phone: '12345' } });
  expect(badPhone.status).toBe(400);
  expect(badPhone.json).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  const notJson = await request(api('/phones'), { method: 'POST', rawBody: 'phone=%2B15550100001' });
  expect(notJson.status).toBe(400);
  // The RBM API on the same port is unaffected.
  expect((await request(`${stack.rbm.url}/v1/nothing`)).status).toBe(404);
});
