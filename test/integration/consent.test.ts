/**
 * Consent end to end on the emulators with the built bundles: SUBSCRIBE/UNSUBSCRIBE events, keywords, the API,
 * history and publishing to rbm-consent-changes, and the send gate in its three modes.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionServer } from '../../devtools/function-server.js';
import { subscribeEvent, unsubscribeEvent, userText } from '../../sandbox/fake-rbm/index.js';
import { emulatorContext } from '../support/emulator-context.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { deliver } from '../support/inbound-delivery.js';
import {
  eventsOf,
  sendTo,
  settledCount,
  storedRecord,
  useOutcomeStack,
  waitForEvents,
} from '../support/outcome-stack.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';
import type { TappedMessage } from '../support/topic-tap.js';

const stack = useOutcomeStack();
const agentId = TEST_AGENT_ID;
const T = (seconds: number) => new Date(Date.UTC(2026, 1, 1, 9, 0, 0) + seconds * 1000).toISOString();

/** Delivers an RBM payload to an inbound instance as its push subscription would; answers once processed. */
async function inbound(payload: unknown, url = stack().local.functions.inbound.url): Promise<void> {
  const answer = await deliver(url, emulatorContext().projectId, { data: payload });
  expect(answer.status).toBe(204);
}

/** Delivers until acknowledged, as Pub/Sub redelivers a copy that failed (one that found the message busy). */
async function inboundUntilAcknowledged(payload: unknown): Promise<void> {
  const url = stack().local.functions.inbound.url;
  await pollUntil(
    async () =>
      (await deliver(url, emulatorContext().projectId, { data: payload })).status === 204 ? true : undefined,
    { description: 'an acknowledged delivery', timeoutMs: 30_000, intervalMs: 100 },
  );
}

// The first publish of a cold stack can outlast the publish budget of the tests' short lease (a third of 3 s),
// so one change of a phone no test looks at warms the path first (Firestore and the taps are reset after it).
beforeAll(async () => {
  await inboundUntilAcknowledged(unsubscribeEvent({ phone: testPhone(), agentId, sendTime: T(0) }));
});

async function consentDoc(phone: string) {
  return (await firestoreAdmin().collection('consents').doc(phone).get()).data();
}

async function history(phone: string) {
  const snapshot = await firestoreAdmin().collection('consents').doc(phone).collection('history').get();
  return snapshot.docs
    .map((doc) => doc.data())
    .map((entry) => ({
      subscribed: entry.subscribed as boolean,
      source: entry.source as string,
      changedAt: (entry.changedAt as { toDate(): Date }).toDate().toISOString(),
      recordedAt: entry.recordedAt !== undefined,
    }))
    .sort((a, b) => a.changedAt.localeCompare(b.changedAt));
}

const consentEventsOf = (phone: string): TappedMessage[] =>
  stack().consent.messages.filter(
    (message) => (message.json as { phoneNumber?: string }).phoneNumber === phone,
  );

function waitForConsentEvents(phone: string, count: number): Promise<TappedMessage[]> {
  return pollUntil(() => (consentEventsOf(phone).length >= count ? consentEventsOf(phone) : undefined), {
    description: `${count} consent change(s)`,
    timeoutMs: 20_000,
  });
}

/** Counts the consent changes published for `phone` once nothing more has arrived for a short while. */
async function settledConsentCount(phone: string): Promise<number> {
  const until = Date.now() + 1_500;
  await pollUntil(() => (Date.now() >= until ? true : undefined), { description: 'observation window' });
  return consentEventsOf(phone).length;
}

describe('consent changes', () => {
  it('the latest changedAt wins whatever the arrival order; each applied change is kept and published once', async () => {
    const phone = testPhone();
    const unsubscribe = unsubscribeEvent({ phone, agentId, sendTime: T(10) });
    await inbound(unsubscribe);
    await inbound(subscribeEvent({ phone, agentId, sendTime: T(5) })); // older: loses
    await inbound(unsubscribe); // duplicate: changes nothing
    expect(await consentDoc(phone)).toMatchObject({
      phoneNumber: phone,
      agentId,
      subscribed: false,
      source: 'EVENT',
    });
    await inbound(subscribeEvent({ phone, agentId, sendTime: T(20) }));

    const stored = await consentDoc(phone);
    expect(stored).toMatchObject({ subscribed: true, source: 'EVENT' });
    expect((stored?.changedAt as { toDate(): Date }).toDate().toISOString()).toBe(T(20));
    expect(await history(phone)).toEqual([
      { subscribed: false, source: 'EVENT', changedAt: T(10), recordedAt: true },
      { subscribed: true, source: 'EVENT', changedAt: T(20), recordedAt: true },
    ]);
    const published = await waitForConsentEvents(phone, 2);
    const byTime = [...published].sort((a, b) =>
      String((a.json as { changedAt: string }).changedAt).localeCompare(
        String((b.json as { changedAt: string }).changedAt),
      ),
    );
    expect(byTime.map((message) => message.json)).toEqual([
      { phoneNumber: phone, agentId, subscribed: false, changedAt: T(10), source: 'EVENT' },
      { phoneNumber: phone, agentId, subscribed: true, changedAt: T(20), source: 'EVENT' },
    ]);
    expect(byTime.map((message) => message.attributes)).toEqual([
      { subscribed: 'false', changeId: `${phone}/${T(10)}_unsubscribed` },
      { subscribed: 'true', changeId: `${phone}/${T(20)}_subscribed` },
    ]);
    expect(await settledConsentCount(phone)).toBe(2);
  });

  it('a newer change that keeps the value only moves changedAt: no history, no publish, and an older opposite change still loses', async () => {
    const phone = testPhone();
    await inbound(unsubscribeEvent({ phone, agentId, sendTime: T(10) }));
    // A STOP from another source: `source` keeps naming the change that set the value.
    await inbound(userText({ phone, agentId, text: 'STOP', sendTime: T(30) }));
    await inbound(subscribeEvent({ phone, agentId, sendTime: T(20) }));
    const stored = await consentDoc(phone);
    expect(stored).toMatchObject({ subscribed: false, source: 'EVENT' });
    expect((stored?.changedAt as { toDate(): Date }).toDate().toISOString()).toBe(T(30));
    expect(await history(phone)).toHaveLength(1);
    expect(await settledConsentCount(phone)).toBe(1);
  });

  it.each([
    { first: 'the keyword', order: ['keyword', 'event'] },
    { first: 'UNSUBSCRIBE', order: ['event', 'keyword'] },
  ] as const)(
    'the Unsubscribe tap (keyword + UNSUBSCRIBE) is one change, $first first',
    async ({ order }) => {
      const phone = testPhone();
      const payloads = {
        keyword: userText({ phone, agentId, text: 'Unsubscribe', sendTime: T(40) }),
        event: unsubscribeEvent({
          phone,
          agentId,
          sendTime: new Date(Date.parse(T(40)) + 400).toISOString(),
        }),
      };
      for (const step of order) await inbound(payloads[step]);
      // The first half sets the value and names it; a later event only moves changedAt, an earlier keyword loses.
      const stored = await consentDoc(phone);
      expect(stored).toMatchObject({
        subscribed: false,
        source: order[0] === 'keyword' ? 'KEYWORD' : 'EVENT',
      });
      expect((stored?.changedAt as { toDate(): Date }).toDate().getTime()).toBe(Date.parse(T(40)) + 400);
      expect(await history(phone)).toHaveLength(1);
      await waitForConsentEvents(phone, 1);
      expect(await settledConsentCount(phone)).toBe(1);
      expect(consentEventsOf(phone)[0]?.attributes).toMatchObject({ subscribed: 'false' });
    },
  );

  it('the API sets consent with source API, and an older event arriving later loses', async () => {
    const phone = testPhone();
    const put = await request(`${stack().local.functions.messages.url}/v1/consents/${phone}`, {
      method: 'PUT',
      body: { subscribed: false, changedAt: T(50) },
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      phoneNumber: phone,
      subscribed: false,
      source: 'API',
      changedAt: T(50),
    });
    await inbound(subscribeEvent({ phone, agentId, sendTime: T(45) }));
    expect(await consentDoc(phone)).toMatchObject({ subscribed: false, source: 'API' });
    const [published] = await waitForConsentEvents(phone, 1);
    expect(published?.json).toMatchObject({ subscribed: false, source: 'API' });
    expect(await settledConsentCount(phone)).toBe(1);
  });
});

describe('a phone without a document is subscribed', () => {
  const put = (phone: string, body: unknown) =>
    request(`${stack().local.functions.messages.url}/v1/consents/${phone}`, { method: 'PUT', body });

  it.each(['SUBSCRIBE', 'START', 'PUT'] as const)(
    'a first %s creates the document with no history and no publish; an older UNSUBSCRIBE still loses',
    async (kind) => {
      const phone = testPhone();
      const source = { SUBSCRIBE: 'EVENT', START: 'KEYWORD', PUT: 'API' }[kind];
      if (kind === 'PUT') {
        const answer = await put(phone, { subscribed: true, changedAt: T(100) });
        expect(answer.status).toBe(200);
        expect(answer.json).toEqual({
          phoneNumber: phone,
          agentId,
          subscribed: true,
          changedAt: T(100),
          source,
        });
      } else {
        await inbound(
          kind === 'SUBSCRIBE'
            ? subscribeEvent({ phone, agentId, sendTime: T(100) })
            : userText({ phone, agentId, text: 'START', sendTime: T(100) }),
        );
      }
      await inbound(unsubscribeEvent({ phone, agentId, sendTime: T(90) })); // older: loses
      const stored = await consentDoc(phone);
      expect(stored).toMatchObject({ subscribed: true, source, unpublishedChangeIds: [] });
      expect(stored).not.toHaveProperty('unpublishedSince');
      expect((stored?.changedAt as { toDate(): Date }).toDate().toISOString()).toBe(T(100));
      expect(await history(phone)).toEqual([]);
      expect(await settledConsentCount(phone)).toBe(0);
    },
  );

  it('a PUT keeping the value answers the document with only changedAt moved; a later STOP is published once', async () => {
    const phone = testPhone();
    await inbound(subscribeEvent({ phone, agentId, sendTime: T(110) }));
    // Keeps the value: the answer is the document with only changedAt moved.
    const same = await put(phone, { subscribed: true, changedAt: T(115) });
    expect(same.status).toBe(200);
    expect(same.json).toEqual({
      phoneNumber: phone,
      agentId,
      subscribed: true,
      changedAt: T(115),
      source: 'EVENT',
    });
    await inbound(userText({ phone, agentId, text: 'STOP', sendTime: T(120) }));
    expect(await history(phone)).toEqual([
      { subscribed: false, source: 'KEYWORD', changedAt: T(120), recordedAt: true },
    ]);
    const [published] = await waitForConsentEvents(phone, 1);
    expect(published?.attributes).toEqual({
      subscribed: 'false',
      changeId: `${phone}/${T(120)}_unsubscribed`,
    });
    expect(await settledConsentCount(phone)).toBe(1);
  });
});

describe('concurrent copies of one change', () => {
  it('the same STOP delivered 8 times at once, with an UNSUBSCRIBE of the same instant 8 times: published once', async () => {
    const phone = testPhone();
    const stop = userText({ phone, agentId, text: 'STOP', sendTime: T(80) });
    // The same instant: whichever is applied first, the change (and its id) is the same.
    const unsubscribe = unsubscribeEvent({ phone, agentId, sendTime: T(80) });
    // Each copy is its own Pub/Sub message, as RBM's duplicates are.
    await Promise.all([
      ...Array.from({ length: 8 }, () => inboundUntilAcknowledged(stop)),
      ...Array.from({ length: 8 }, () => inboundUntilAcknowledged(unsubscribe)),
    ]);
    expect(await consentDoc(phone)).toMatchObject({ subscribed: false, unpublishedChangeIds: [] });
    expect(await consentDoc(phone)).not.toHaveProperty('publishClaim');
    expect(await history(phone)).toHaveLength(1);
    const [published] = await waitForConsentEvents(phone, 1);
    expect(published?.attributes).toEqual({
      subscribed: 'false',
      changeId: `${phone}/${T(80)}_unsubscribed`,
    });
    expect(await settledConsentCount(phone)).toBe(1);
  });

  it('the API and inbound racing on one phone: each applied change published once', async () => {
    const phone = testPhone();
    const put = (subscribed: boolean, at: string) =>
      request(`${stack().local.functions.messages.url}/v1/consents/${phone}`, {
        method: 'PUT',
        body: { subscribed, changedAt: at },
      });
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => put(false, T(90))),
      ...Array.from({ length: 5 }, () =>
        inboundUntilAcknowledged(unsubscribeEvent({ phone, agentId, sendTime: T(90) })),
      ),
    ]);
    for (const answer of answers) if (answer !== undefined) expect(answer.status).toBe(200);
    expect(await history(phone)).toHaveLength(1);
    await waitForConsentEvents(phone, 1);
    expect(await settledConsentCount(phone)).toBe(1);
  });
});

describe('keywords', () => {
  it.each([
    ['STOP', false],
    ['stop', false],
    ['  Stop  ', false],
    ['arrêt', false],
    ['BAJA', false],
    ['start', true],
    ['Démarrer', true],
    ['COMEÇAR', true],
  ] as const)(
    'the default lists: %j sets subscribed %s (case-insensitive, trimmed)',
    async (text, subscribed) => {
      const phone = testPhone();
      // Start from the opposite, so each keyword is a change.
      await inbound((subscribed ? unsubscribeEvent : subscribeEvent)({ phone, agentId, sendTime: T(0) }));
      const message = userText({ phone, agentId, text, sendTime: T(60) });
      await inbound(message);
      const stored = await consentDoc(phone);
      expect(stored).toMatchObject({ subscribed, source: 'KEYWORD' });
      expect((stored?.changedAt as { toDate(): Date }).toDate().toISOString()).toBe(T(60));
      // The message itself is still stored as usual.
      const userMessage = await firestoreAdmin().collection('userMessages').doc(message.messageId!).get();
      expect(userMessage.data()).toMatchObject({ kind: 'text', text });
    },
  );

  it('a text that only contains a keyword changes nothing', async () => {
    const phone = testPhone();
    await inbound(userText({ phone, agentId, text: 'please stop', sendTime: T(61) }));
    await inbound(userText({ phone, agentId, text: 'STOP!', sendTime: T(62) }));
    expect(await consentDoc(phone)).toBeUndefined();
  });

  describe('configured lists', () => {
    let custom: FunctionServer | undefined;
    const customInbound = async () =>
      (custom ??= await stack().extra('inbound', {
        RBM_OPT_OUT_KEYWORDS: 'ALTO, Basta',
        RBM_OPT_IN_KEYWORDS: 'volver',
      }));

    it('replace the defaults, and still match in any case', async () => {
      const url = (await customInbound()).url;
      const phone = testPhone();
      await inbound(userText({ phone, agentId, text: 'STOP', sendTime: T(70) }), url);
      expect(await consentDoc(phone)).toBeUndefined(); // no longer a keyword
      await inbound(userText({ phone, agentId, text: 'basta', sendTime: T(71) }), url);
      expect(await consentDoc(phone)).toMatchObject({ subscribed: false, source: 'KEYWORD' });
      await inbound(userText({ phone, agentId, text: 'VOLVER', sendTime: T(72) }), url);
      expect(await consentDoc(phone)).toMatchObject({ subscribed: true, source: 'KEYWORD' });
      expect(await history(phone)).toHaveLength(2);
    });
  });
});

describe('the send gate', () => {
  const senders: Partial<Record<'strict' | 'off', FunctionServer>> = {};
  const sendUrl = async (mode: 'promotional' | 'strict' | 'off') => {
    if (mode === 'promotional') return stack().local.functions.send.url; // the default mode
    senders[mode] ??= await stack().extra('send', { RBM_CONSENT_MODE: mode });
    return senders[mode].url;
  };
  const unsubscribed = async () => {
    const phone = testPhone();
    await inbound(unsubscribeEvent({ phone, agentId, sendTime: new Date().toISOString() }));
    return phone;
  };
  const body = (trafficType: string | undefined) => ({
    contentMessage: { text: 'Offer' },
    ...(trafficType === undefined ? {} : { messageTrafficType: trafficType }),
  });

  it.each([
    ['promotional', 'PROMOTION', true],
    ['promotional', 'TRANSACTION', false],
    ['promotional', undefined, false],
    ['strict', 'PROMOTION', true],
    ['strict', 'TRANSACTION', true],
    ['strict', undefined, true],
    ['strict', 'AUTHENTICATION', false],
    ['strict', 'SERVICEREQUEST', false],
    ['strict', 'ACKNOWLEDGEMENT', false],
    ['off', 'PROMOTION', false],
    ['off', undefined, false],
  ] as const)('mode %s, traffic type %s, unsubscribed: refused %s', async (mode, trafficType, refused) => {
    const phone = await unsubscribed();
    const { id, answer } = await sendTo(await sendUrl(mode), phone, { body: body(trafficType) });
    expect(answer.status).toBe(refused ? 400 : 200);
    expect(
      stack()
        .local.rbm.creates()
        .filter((call) => call.messageId === id),
    ).toHaveLength(refused ? 0 : 1);
  });

  it('refuses nothing to a phone without a consent document, even in strict mode', async () => {
    const { answer } = await sendTo(await sendUrl('strict'), testPhone(), { body: body('PROMOTION') });
    expect(answer.status).toBe(200);
  });

  it('a refusal: 400 FAILED_PRECONDITION with the ErrorInfo, FAILED with 0 attempts, no RBM call, no fallback', async () => {
    const phone = await unsubscribed();
    const id = randomUUID();
    const headers = { 'Fallback-Policy': 'critical', 'Correlation-Id': 'promo-1' };
    const { answer } = await sendTo(stack().local.functions.send.url, phone, {
      id,
      body: body('PROMOTION'),
      headers,
    });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('rbm-message-id')).toBe(id);
    expect(answer.json).toEqual({
      error: {
        code: 400,
        status: 'FAILED_PRECONDITION',
        message: expect.any(String),
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'RECIPIENT_UNSUBSCRIBED',
            domain: 'rbm-functions',
          },
        ],
      },
    });
    const record = await storedRecord(id);
    expect(record).toMatchObject({
      state: 'FAILED',
      attempts: 0,
      error: { code: 400, status: 'FAILED_PRECONDITION', reason: 'RECIPIENT_UNSUBSCRIBED' },
      correlationId: 'promo-1',
      fallbackPolicy: 'critical',
    });
    expect(record).not.toHaveProperty('fallback');
    expect(stack().local.rbm.creates()).toHaveLength(0);

    // The status event: a record created directly in FAILED.
    const [status] = await waitForEvents(stack().status, id, [`${id}/FAILED`]);
    expect(status?.json).toMatchObject({
      state: 'FAILED',
      previousState: null,
      correlationId: 'promo-1',
      error: { code: 400, status: 'FAILED_PRECONDITION', reason: 'RECIPIENT_UNSUBSCRIBED' },
    });
    expect(status?.json).not.toHaveProperty('fallback');

    // The same request again answers the same, without RBM.
    const again = await sendTo(stack().local.functions.send.url, phone, {
      id,
      body: body('PROMOTION'),
      headers,
    });
    expect(again.answer.status).toBe(400);
    expect(again.answer.headers.get('idempotent-replayed')).toBe('true');
    expect(stack().local.rbm.creates()).toHaveLength(0);
    expect(await settledCount(stack().fallback, id)).toBe(0);
    expect(eventsOf(stack().status, id)).toHaveLength(1);
  });
});
