import { Timestamp } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { emulatorEnv, uniqueTopicPrefix } from '../support/emulator-context.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';
import { tapTopic, type TopicTap } from '../support/topic-tap.js';
import { violatedFields } from '../support/function-stack.js';
import { maskPhone } from '../../shared/phone.js';

const consentTopic = `${uniqueTopicPrefix()}rbm-consent-changes`;
let messages: FunctionServer;
let pubsub: PubSub;
let consentTap: TopicTap;

beforeAll(async () => {
  pubsub = pubsubAdmin();
  await pubsub.createTopic(consentTopic);
  consentTap = await tapTopic(pubsub, consentTopic);
  messages = await startFunction({
    name: 'messages',
    env: {
      ...emulatorEnv(),
      RBM_AGENT_ID: TEST_AGENT_ID,
      RBM_CONSENT_TOPIC: consentTopic,
      RBM_PAGE_TOKEN_KEY: 'test-page-token-key-0123456789',
    },
  });
});
afterAll(async () => {
  await messages?.stop();
  await consentTap?.close();
  await pubsub
    ?.topic(consentTopic)
    .delete()
    .catch(() => undefined);
  await pubsub?.close();
});
beforeEach(async () => {
  await clearFirestore();
  consentTap.clear();
});

const db = () => firestoreAdmin();
const url = (path: string) => `${messages.url}${path}`;
const get = (path: string) => request(url(path));
const base = Date.parse('2026-03-01T00:00:00Z');
const time = (minutes: number) => Timestamp.fromMillis(base + minutes * 60_000);

/** A record as send and inbound write it, bookkeeping included. */
async function seedMessage(
  id: string,
  phone: string,
  fields: { state?: string; created?: number; updated?: number; campaignId?: string } = {},
): Promise<void> {
  await db()
    .collection('agentMessages')
    .doc(id)
    .set({
      messageId: id,
      agentId: TEST_AGENT_ID,
      phoneNumber: phone,
      state: fields.state ?? 'SENT',
      contentType: 'text',
      createdAt: time(fields.created ?? 0),
      updatedAt: time(fields.updated ?? fields.created ?? 0),
      sentAt: time(fields.created ?? 0),
      attempts: 1,
      contentSha256: 'ab'.repeat(32),
      appliedEventIds: ['e1'],
      outbox: [{ eventKey: `${id}/SENT`, topic: 'status' }],
      timerRevoke: { rule: 'expiry', answer: 'revoked', at: time(1) },
      ...(fields.campaignId ? { campaignId: fields.campaignId } : {}),
    });
}

/** Every page of a list, following nextPageToken; also counts the pages. */
async function allPages(path: string, key: string): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const answer = await get(`${path}${token ? `${separator}pageToken=${encodeURIComponent(token)}` : ''}`);
    expect(answer.status).toBe(200);
    const body = answer.json as Record<string, unknown>;
    ids.push(...(body[key] as Array<{ messageId: string }>).map((item) => item.messageId));
    token = body.nextPageToken as string | undefined;
    pages += 1;
  } while (token !== undefined);
  return { ids, pages };
}

describe('messages: one agent message', () => {
  it('answers the record with RFC 3339 times and no internal bookkeeping; the phone may be %2B-encoded', async () => {
    const phone = testPhone();
    await seedMessage('m-one', phone, { created: 5 });
    for (const path of [
      `/v1/phones/${phone}/agentMessages/m-one`,
      `/v1/phones/${encodeURIComponent(phone)}/agentMessages/m-one`,
    ]) {
      const answer = await get(path);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({
        messageId: 'm-one',
        agentId: TEST_AGENT_ID,
        phoneNumber: phone,
        state: 'SENT',
        contentType: 'text',
        createdAt: '2026-03-01T00:05:00.000Z',
        updatedAt: '2026-03-01T00:05:00.000Z',
        sentAt: '2026-03-01T00:05:00.000Z',
        attempts: 1,
      });
    }
  });

  it('404 for an unknown id and for another phone’s record', async () => {
    const [owner, other] = [testPhone(), testPhone()];
    await seedMessage('m-owned', owner);
    expect((await get(`/v1/phones/${other}/agentMessages/m-owned`)).status).toBe(404);
    const unknown = await get(`/v1/phones/${owner}/agentMessages/m-unknown`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect((await get(`/v1/phones/${owner}/agentMessages/__x__`)).status).toBe(404);
  });

  it('400 for a malformed phone number or an unknown parameter', async () => {
    const answer = await get('/v1/phones/0044/agentMessages/m1?verbose=true');
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(['phoneNumber', 'verbose']);
  });
});

describe('messages: a phone’s agent messages', () => {
  it('lists newest createdAt first, in pages that cover everything once, only this phone’s', async () => {
    const [phone, other] = [testPhone(), testPhone()];
    for (let i = 0; i < 5; i++) await seedMessage(`p${i}`, phone, { created: i });
    await seedMessage('not-mine', other, { created: 10 });
    const first = await get(`/v1/phones/${phone}/agentMessages?pageSize=2`);
    expect((first.json as { agentMessages: unknown[] }).agentMessages).toHaveLength(2);
    expect(JSON.stringify(first.json)).not.toMatch(/contentSha256|appliedEventIds|outbox|timerRevoke/);
    const { ids, pages } = await allPages(`/v1/phones/${phone}/agentMessages?pageSize=2`, 'agentMessages');
    expect(ids).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
    expect(pages).toBe(3);
  });

  it('filters by state, and the default page is 50', async () => {
    const phone = testPhone();
    for (let i = 0; i < 52; i++)
      await seedMessage(`d${i}`, phone, { created: i, state: i % 2 ? 'DELIVERED' : 'SENT' });
    const page = await get(`/v1/phones/${phone}/agentMessages`);
    expect((page.json as { agentMessages: unknown[] }).agentMessages).toHaveLength(50);
    expect((page.json as { nextPageToken?: string }).nextPageToken).toEqual(expect.any(String));
    const { ids } = await allPages(
      `/v1/phones/${phone}/agentMessages?state=DELIVERED&pageSize=10`,
      'agentMessages',
    );
    expect(ids).toHaveLength(26);
    expect(ids[0]).toBe('d51');
  });

  it('refuses a token of another phone, of another filter, or altered', async () => {
    const [phone, other] = [testPhone(), testPhone()];
    for (let i = 0; i < 3; i++) {
      await seedMessage(`a${i}`, phone, { created: i });
      await seedMessage(`b${i}`, other, { created: i });
    }
    const page = await get(`/v1/phones/${phone}/agentMessages?pageSize=1`);
    const token = (page.json as { nextPageToken: string }).nextPageToken;
    const altered = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    for (const path of [
      `/v1/phones/${other}/agentMessages?pageSize=1&pageToken=${token}`,
      `/v1/phones/${phone}/agentMessages?state=SENT&pageToken=${token}`,
      `/v1/phones/${phone}/userMessages?pageToken=${token}`,
      `/v1/phones/${phone}/agentMessages?pageToken=${altered}`,
      `/v1/phones/${phone}/agentMessages?pageToken=bm90IGEgdG9rZW4`,
    ]) {
      const answer = await get(path);
      expect(answer.status, path).toBe(400);
      expect(violatedFields(answer.json)).toEqual(['pageToken']);
    }
    // The page size may change between pages.
    expect((await get(`/v1/phones/${phone}/agentMessages?pageSize=5&pageToken=${token}`)).status).toBe(200);
  });

  it('lists every violation at once', async () => {
    const answer = await get('/v1/phones/+1/agentMessages?state=LOST&pageSize=501&sort=asc');
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(['pageSize', 'phoneNumber', 'sort', 'state']);
  });
});

describe('messages: agent messages across phones', () => {
  it('by state, newest updatedAt first, bounded by updatedAfter', async () => {
    for (let i = 0; i < 4; i++) await seedMessage(`f${i}`, testPhone(), { state: 'FAILED', updated: 10 + i });
    await seedMessage('sent', testPhone(), { state: 'SENT', updated: 20 });
    expect((await allPages('/v1/agentMessages?state=FAILED&pageSize=3', 'agentMessages')).ids).toEqual([
      'f3',
      'f2',
      'f1',
      'f0',
    ]);
    const after = encodeURIComponent('2026-03-01T00:11:00Z');
    expect(
      (await allPages(`/v1/agentMessages?state=FAILED&updatedAfter=${after}`, 'agentMessages')).ids,
    ).toEqual(['f3', 'f2']);
  });

  it('by campaign, optionally in one state', async () => {
    await seedMessage('c1', testPhone(), { campaignId: 'spring', state: 'READ', updated: 1 });
    await seedMessage('c2', testPhone(), { campaignId: 'spring', state: 'SENT', updated: 2 });
    await seedMessage('c3', testPhone(), { campaignId: 'autumn', state: 'READ', updated: 3 });
    expect((await allPages('/v1/agentMessages?campaignId=spring', 'agentMessages')).ids).toEqual([
      'c2',
      'c1',
    ]);
    expect((await allPages('/v1/agentMessages?campaignId=spring&state=READ', 'agentMessages')).ids).toEqual([
      'c1',
    ]);
  });

  it('needs a state or a campaignId, and refuses bad times', async () => {
    expect(violatedFields((await get('/v1/agentMessages')).json)).toEqual(['state']);
    const answer = await get('/v1/agentMessages?state=SENT&updatedAfter=yesterday&pageSize=0');
    expect(violatedFields(answer.json).sort()).toEqual(['pageSize', 'updatedAfter']);
  });
});

describe('messages: a phone’s user messages', () => {
  it('lists newest sendTime first, without publish bookkeeping', async () => {
    const phone = testPhone();
    for (let i = 0; i < 3; i++) {
      await db()
        .collection('userMessages')
        .doc(`u${i}`)
        .set({
          messageId: `u${i}`,
          agentId: TEST_AGENT_ID,
          phoneNumber: phone,
          sendTime: time(i),
          receivedAt: time(i),
          kind: 'text',
          text: `hello ${i}`,
          publishState: 'PUBLISHED',
          pubsubMessageId: '7',
        });
    }
    await db()
      .collection('userMessages')
      .doc('other')
      .set({ messageId: 'other', phoneNumber: testPhone(), sendTime: time(9) });
    const page = await get(`/v1/phones/${phone}/userMessages?pageSize=2`);
    const body = page.json as { userMessages: Array<Record<string, unknown>>; nextPageToken: string };
    expect(body.userMessages[0]).toEqual({
      messageId: 'u2',
      agentId: TEST_AGENT_ID,
      phoneNumber: phone,
      sendTime: '2026-03-01T00:02:00.000Z',
      receivedAt: '2026-03-01T00:02:00.000Z',
      kind: 'text',
      text: 'hello 2',
    });
    expect((await allPages(`/v1/phones/${phone}/userMessages?pageSize=2`, 'userMessages')).ids).toEqual([
      'u2',
      'u1',
      'u0',
    ]);
  });
});

describe('messages: consents', () => {
  const consentUrl = (phone: string) => `/v1/consents/${encodeURIComponent(phone)}`;
  const put = (phone: string, body: unknown) => request(url(consentUrl(phone)), { method: 'PUT', body });
  const history = async (phone: string) =>
    (await db().collection('consents').doc(phone).collection('history').get()).docs.map((doc) => doc.data());

  it('404 without a document; PUT applies the change with source API, keeps history and publishes it once', async () => {
    const phone = testPhone();
    expect((await get(consentUrl(phone))).status).toBe(404);
    const answer = await put(phone, { subscribed: false, changedAt: '2026-03-01T10:00:00Z' });
    const expected = {
      phoneNumber: phone,
      agentId: TEST_AGENT_ID,
      subscribed: false,
      changedAt: '2026-03-01T10:00:00.000Z',
      source: 'API',
    };
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(expected);
    expect((await get(consentUrl(phone))).json).toEqual(expected);
    expect(await history(phone)).toEqual([
      expect.objectContaining({
        subscribed: false,
        source: 'API',
        changedAt: Timestamp.fromDate(new Date('2026-03-01T10:00:00Z')),
      }),
    ]);
    await pollUntil(() => (consentTap.messages.length >= 1 ? true : undefined), {
      description: 'the consent change on the topic',
    });
    expect(consentTap.messages[0]?.json).toEqual(expected);
    expect(consentTap.messages[0]?.attributes).toEqual({
      subscribed: 'false',
      changeId: `${phone}/2026-03-01T10:00:00.000Z_unsubscribed`,
    });
  });

  it('the latest changedAt wins: an older opposite change and a same-value change publish nothing', async () => {
    const phone = testPhone();
    await put(phone, { subscribed: false, changedAt: '2026-03-01T10:00:00Z' });
    const older = await put(phone, { subscribed: true, changedAt: '2026-03-01T09:00:00Z' });
    expect(older.status).toBe(200);
    expect(older.json).toMatchObject({ subscribed: false, changedAt: '2026-03-01T10:00:00.000Z' });
    const same = await put(phone, { subscribed: false, changedAt: '2026-03-01T11:00:00Z' });
    expect(same.json).toMatchObject({ subscribed: false, changedAt: '2026-03-01T11:00:00.000Z' });
    const again = await put(phone, { subscribed: false, changedAt: '2026-03-01T11:00:00Z' });
    expect(again.status).toBe(200);
    const back = await put(phone, { subscribed: true });
    expect(back.json).toMatchObject({ subscribed: true, source: 'API' });
    expect(Date.now() - Date.parse((back.json as { changedAt: string }).changedAt)).toBeLessThan(60_000);

    expect((await history(phone)).map((entry) => entry.subscribed)).toEqual([false, true]);
    // Each PUT answers after its publish was accepted, so a last change, once seen, comes after any wrong one.
    await put(phone, { subscribed: false, changedAt: new Date(Date.now() + 1000).toISOString() });
    await pollUntil(() => (consentTap.messages.length >= 3 ? true : undefined), {
      description: 'three consent changes on the topic',
    });
    expect(consentTap.messages.map((m) => m.attributes.subscribed)).toEqual(['false', 'true', 'false']);
  });

  it('refuses bad bodies and phone numbers, listing each problem', async () => {
    const answer = await request(url('/v1/consents/12345'), {
      method: 'PUT',
      body: { subscribed: 'yes', changedAt: 'now', source: 'EVENT' },
    });
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(['changedAt', 'phoneNumber', 'source', 'subscribed']);
    expect((await db().collection('consents').get()).size).toBe(0);
  });
});

describe('messages: logs', () => {
  /** The request lines (Cloud Logging's `httpRequest` shape) printed so far. */
  const requestLines = () =>
    messages.logs().flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { severity: string; httpRequest?: Record<string, unknown> };
        return entry.httpRequest
          ? [{ ...entry.httpRequest, severity: entry.severity } as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });

  it('leaves one masked request line per request: no phone, page token or body in it', async () => {
    const phone = testPhone();
    const masked = maskPhone(phone);
    await seedMessage('log-1', phone, { created: 1 });
    await seedMessage('log-2', phone, { created: 2 });
    const first = await get(`/v1/phones/${encodeURIComponent(phone)}/agentMessages?pageSize=1`);
    expect(first.status).toBe(200);
    const token = (first.json as { nextPageToken?: string }).nextPageToken ?? '';
    expect(token).not.toBe('');
    const calls: Array<[string, string, number]> = [
      ['GET', `/v1/phones/${phone}/agentMessages?pageSize=1&pageToken=${encodeURIComponent(token)}`, 200],
      ['GET', `/v1/phones/${phone}/agentMessages/no-such-id`, 404],
      ['GET', `/v1/agentMessages?phoneNumber=${encodeURIComponent(phone)}`, 400],
      ['PUT', `/v1/consents/${encodeURIComponent(phone)}`, 400],
      ['DELETE', `/v1/consents/${phone}`, 405],
      ['GET', `/v1/phones/${phone}/capabilities`, 404],
    ];
    for (const [method, path, status] of calls) {
      const body = method === 'PUT' ? { subscribed: 'not a boolean', note: 'text of no one' } : undefined;
      expect((await request(url(path), { method, ...(body ? { body } : {}) })).status).toBe(status);
    }
    const expected = [
      {
        severity: 'INFO',
        requestMethod: 'GET',
        requestUrl: `/v1/phones/${masked}/agentMessages?pageSize=1`,
        status: 200,
      },
      {
        severity: 'INFO',
        requestMethod: 'GET',
        requestUrl: `/v1/phones/${masked}/agentMessages?pageSize=1&pageToken=[redacted]`,
        status: 200,
      },
      {
        severity: 'WARNING',
        requestMethod: 'GET',
        requestUrl: `/v1/phones/${masked}/agentMessages/no-such-id`,
        status: 404,
      },
      {
        severity: 'WARNING',
        requestMethod: 'GET',
        requestUrl: `/v1/agentMessages?phoneNumber=${masked}`,
        status: 400,
      },
      { severity: 'WARNING', requestMethod: 'PUT', requestUrl: `/v1/consents/${masked}`, status: 400 },
      { severity: 'WARNING', requestMethod: 'DELETE', requestUrl: `/v1/consents/${masked}`, status: 405 },
      {
        severity: 'WARNING',
        requestMethod: 'GET',
        requestUrl: `/v1/phones/${masked}/capabilities`,
        status: 404,
      },
    ];
    // The lines are written in answer order: once the last is in, a second line for any earlier request would
    // be among them.
    const mine = () => requestLines().filter((line) => String(line.requestUrl).includes(masked));
    const lines = await pollUntil(() => (mine().length >= expected.length ? mine() : undefined), {
      description: 'a request line for each request',
    });
    expect(lines).toHaveLength(expected.length);
    lines.forEach((line, i) => {
      expect(line).toMatchObject(expected[i] ?? {});
      expect(line.latency).toMatch(/^\d+\.\d{3}s$/);
    });
    const logs = messages.logs().join('\n');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('text of no one');
  });

  it('never print a full phone number', () => {
    const logs = messages.logs().join('\n');
    expect(logs).toContain('"httpRequest"');
    expect(fullPhonesIn(logs)).toEqual([]);
  });
});
