import { randomUUID } from 'node:crypto';
import { Timestamp } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { isUuid } from '../../shared/ids.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { outboundEnv, TEST_AGENT_ID } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';
import { maskPhone } from '../../shared/phone.js';
import { useFunctionStack, violatedFields } from '../support/function-stack.js';

const stack = useFunctionStack('capabilities');
const capabilitiesUrl = (phone: string, query = '') =>
  `${stack().fn.url}/v1/phones/${encodeURIComponent(phone)}/capabilities${query}`;
const get = (phone: string, query = '') => request(capabilitiesUrl(phone, query));
const batchGet = (body: unknown) => request(`${stack().fn.url}/v1/users:batchGet`, { method: 'POST', body });
const rbmChecks = () => stack().rbm.callsOf('capabilities');
const cached = async (phone: string) =>
  (await firestoreAdmin().collection('capabilities').doc(phone).get()).data();
const seed = (phone: string, entry: Record<string, unknown>, secondsAgo: number) =>
  firestoreAdmin()
    .collection('capabilities')
    .doc(phone)
    .set({ phoneNumber: phone, ...entry, checkedAt: Timestamp.fromMillis(Date.now() - secondsAgo * 1000) });

describe('capabilities: GET /v1/phones/{E.164}/capabilities', () => {
  it('asks RBM once (fresh requestId), caches the answer, then answers from the cache with its age', async () => {
    const phone = testPhone();
    await stack().rbm.setPhone(phone, 'reachable', { features: ['RICHCARD_STANDALONE', 'SOMETHING_NEW'] });
    const first = await get(phone);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ features: ['RICHCARD_STANDALONE', 'SOMETHING_NEW'] });
    expect(first.headers.get('rbm-cache')).toBe('MISS');
    expect(first.headers.get('age')).toBe('0');
    expect(rbmChecks()).toHaveLength(1);
    expect(rbmChecks()[0]?.query.agentId).toBe(TEST_AGENT_ID);
    expect(isUuid(rbmChecks()[0]?.query.requestId ?? '')).toBe(true);
    expect(await cached(phone)).toMatchObject({
      phoneNumber: phone,
      reachable: true,
      features: ['RICHCARD_STANDALONE', 'SOMETHING_NEW'],
      source: 'CAPABILITIES',
    });

    const second = await get(phone);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(second.headers.get('rbm-cache')).toBe('HIT');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(rbmChecks()).toHaveLength(1);
  });

  it('maxAgeSeconds=0 forces a call, each with a new requestId; older entries than maxAgeSeconds are refreshed', async () => {
    const phone = testPhone();
    await get(phone);
    await get(phone, '?maxAgeSeconds=0');
    expect(rbmChecks()).toHaveLength(2);
    expect(rbmChecks()[0]?.query.requestId).not.toBe(rbmChecks()[1]?.query.requestId);

    await seed(phone, { reachable: true, features: ['ACTION_DIAL'], source: 'CAPABILITIES' }, 120);
    const young = await get(phone, '?maxAgeSeconds=300');
    expect(young.headers.get('rbm-cache')).toBe('HIT');
    expect(Number(young.headers.get('age'))).toBeGreaterThanOrEqual(120);
    expect(young.json).toEqual({ features: ['ACTION_DIAL'] });
    expect((await get(phone, '?maxAgeSeconds=60')).headers.get('rbm-cache')).toBe('MISS');
    expect(rbmChecks()).toHaveLength(3);
  });

  it('a phone not on RCS: 404 with RBM’s error, cached as not reachable, then 404 from the cache', async () => {
    const phone = testPhone();
    await stack().rbm.setPhone(phone, 'unreachable');
    const first = await get(phone);
    expect(first.status).toBe(404);
    expect(first.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect(first.headers.get('rbm-cache')).toBe('MISS');
    expect(await cached(phone)).toMatchObject({ reachable: false, source: 'CAPABILITIES' });

    const second = await get(phone);
    expect(second.status).toBe(404);
    expect(second.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect(second.headers.get('rbm-cache')).toBe('HIT');
    expect(rbmChecks()).toHaveLength(1);
  });

  it.each([
    ['reachable, younger than 86400 s', true, 86_390, 'HIT'],
    ['reachable, older than 86400 s', true, 86_410, 'MISS'],
    ['not reachable, younger than 21600 s', false, 21_590, 'HIT'],
    ['not reachable, older than 21600 s', false, 21_610, 'MISS'],
  ])('TTLs: %s → %s', async (_label, reachable, secondsAgo, expected) => {
    const phone = testPhone();
    await seed(phone, { reachable, features: [], source: 'CAPABILITIES' }, secondsAgo);
    expect((await get(phone)).headers.get('rbm-cache')).toBe(expected);
  });

  it('a phone with no features: RBM answers {}; the answer is an empty list, and it is cached', async () => {
    const phone = testPhone();
    await stack().rbm.setPhone(phone, 'reachable', { features: [] });
    const first = await get(phone);
    expect(first.json).toEqual({ features: [] });
    expect((await get(phone)).headers.get('rbm-cache')).toBe('HIT');
  });

  it('an entry whose features are unknown (from users:batchGet) does not answer: RBM is asked', async () => {
    const phone = testPhone();
    await seed(phone, { reachable: true, source: 'BATCH_GET' }, 10);
    const answer = await get(phone);
    expect(answer.headers.get('rbm-cache')).toBe('MISS');
    expect(rbmChecks()).toHaveLength(1);
  });

  it('refuses bad parameters, listing each, without calling RBM', async () => {
    const answer = await get('+0123', '?maxAgeSeconds=-1&requestId=abc&colour=red&agentId=other');
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(
      ['agentId', 'colour', 'maxAgeSeconds', 'phoneNumber', 'requestId'].sort(),
    );
    expect(rbmChecks()).toHaveLength(0);
  });

  it('passes other RBM refusals through uncached, and answers 503 when RBM stays down', async () => {
    const phone = testPhone();
    stack().rbm.failNext(1, { status: 403 }, { only: 'capabilities' });
    expect((await get(phone)).status).toBe(403);
    expect(await cached(phone)).toBeUndefined();
    stack().rbm.failNext(100, { status: 503 }, { only: 'capabilities' });
    expect((await get(phone)).status).toBe(503);
  });
});

describe('capabilities: what a send learns', () => {
  let send: FunctionServer | undefined;
  beforeAll(async () => {
    send = await startFunction({ name: 'send', env: outboundEnv(stack().rbm.url) });
  });
  afterAll(() => send?.stop());

  it('a send answered 404 caches the phone as not reachable (source SEND): the next check is a HIT', async () => {
    const phone = testPhone();
    await stack().rbm.setPhone(phone, 'unreachable');
    const sent = await request(`${send?.url}/v1/phones/${phone}/agentMessages?messageId=${randomUUID()}`, {
      method: 'POST',
      body: { contentMessage: { text: 'Your parcel ships today' } },
    });
    expect(sent.status).toBe(404);
    expect(await cached(phone)).toMatchObject({ phoneNumber: phone, reachable: false, source: 'SEND' });

    const check = await get(phone);
    expect(check.status).toBe(404);
    expect(check.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect(check.headers.get('rbm-cache')).toBe('HIT');
    expect(rbmChecks()).toHaveLength(0);
  });

  it('a send RBM accepts leaves the cache alone', async () => {
    const phone = testPhone();
    const sent = await request(`${send?.url}/v1/phones/${phone}/agentMessages?messageId=${randomUUID()}`, {
      method: 'POST',
      body: { contentMessage: { text: 'Your parcel ships today' } },
    });
    expect(sent.status).toBe(200);
    expect(await cached(phone)).toBeUndefined();
  });
});

describe('capabilities: POST /v1/users:batchGet', () => {
  it('passes RBM’s answer through and caches the reachable numbers, keeping known features', async () => {
    const [known, fresh, offRcs] = [testPhone(), testPhone(), testPhone()];
    await stack().rbm.setPhone(offRcs, 'unreachable');
    await seed(known, { reachable: false, features: ['ACTION_DIAL'], source: 'CAPABILITIES' }, 100);
    const answer = await batchGet({ users: [known, fresh, offRcs, fresh] });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      reachableUsers: [known, fresh],
      totalRandomSampleUserCount: 0,
      reachableRandomSampleUserCount: 0,
    });
    const call = stack().rbm.callsOf('batchGet')[0];
    expect(call?.body).toEqual({ users: [known, fresh, offRcs], agentId: TEST_AGENT_ID });
    expect(await cached(known)).toMatchObject({
      reachable: true,
      features: ['ACTION_DIAL'],
      source: 'BATCH_GET',
    });
    expect(await cached(fresh)).toMatchObject({ reachable: true, source: 'BATCH_GET' });
    expect((await cached(fresh))?.features).toBeUndefined();
    expect(await cached(offRcs)).toBeUndefined();
  });

  it('takes 1 to 10,000 distinct E.164 numbers and lists every bad one', async () => {
    const bad = await batchGet({ users: ['+15550100001', '12345', 'x'], extra: true });
    expect(bad.status).toBe(400);
    expect(violatedFields(bad.json)).toEqual(['extra', 'users[1]', 'users[2]']);
    expect((await batchGet({ users: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 10_001 }, (_, i) => `+1555${String(2_000_000 + i)}`);
    expect((await batchGet({ users: tooMany })).status).toBe(400);
    expect(stack().rbm.callsOf('batchGet')).toHaveLength(0);
  });
});

describe('capabilities: logs', () => {
  it('never print a full phone number, with or without its + or %2B-encoded', async () => {
    const [phone, offRcs] = [testPhone(), testPhone()];
    for (const encoded of [phone, encodeURIComponent(phone)]) {
      const answer = await request(`${stack().fn.url}/v1/phones/${encoded}/capabilities?maxAgeSeconds=0`);
      expect(answer.status).toBe(200);
    }
    await stack().rbm.setPhone(offRcs, 'unreachable');
    expect((await get(offRcs)).status).toBe(404);
    expect((await batchGet({ users: [phone, offRcs] })).status).toBe(200);
    stack().rbm.failNext(1000, { status: 503 }, { only: 'capabilities' });
    expect((await get(phone, '?maxAgeSeconds=0')).status).toBe(503);

    const logs = stack().fn.logs().join('\n');
    expect(logs).toContain('"httpRequest"');
    expect(logs).toContain(maskPhone(phone));
    expect(fullPhonesIn(logs)).toEqual([]);
  });
});
