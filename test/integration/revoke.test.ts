import { describe, expect, it } from 'vitest';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { useOutboundStack } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';

const outbound = useOutboundStack();
const db = () => firestoreAdmin();
const record = async (id: string) => (await db().collection('agentMessages').doc(id).get()).data();
const uuid = () => crypto.randomUUID();
const body = { contentMessage: { text: 'Your table is ready' } };

async function send(phone: string): Promise<string> {
  const id = uuid();
  const answer = await request(`${outbound().send.url}/v1/phones/${phone}/agentMessages?messageId=${id}`, {
    method: 'POST',
    body,
  });
  expect(answer.status).toBe(200);
  return id;
}

const revoke = (phone: string, id: string, method = 'DELETE') =>
  request(`${outbound().revoke.url}/v1/phones/${phone}/agentMessages/${id}`, { method });

describe('revoke', () => {
  it('revokes a message queued for an offline phone: 200 {} and REVOKED', async () => {
    const phone = testPhone();
    await outbound().rbm.setPhone(phone, 'offline');
    const id = await send(phone);

    const answer = await revoke(phone, id);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({});
    expect(outbound().rbm.deletes()).toHaveLength(1);
    expect(outbound().rbm.deletes()[0]).toMatchObject({
      path: `/v1/phones/${phone}/agentMessages/${id}`,
      query: { agentId: 'test-agent' },
    });
    const stored = await record(id);
    expect(stored).toMatchObject({ state: 'REVOKED' });
    expect(stored?.revokedAt).toBeDefined();
    expect(outbound().rbm.message(id)?.state).toBe('revoked');
  });

  it('RBM 404 (already delivered) answers 404 and flags revokeFailed without changing the state', async () => {
    const phone = testPhone();
    const id = await send(phone); // reachable: the fake delivers at once

    const answer = await revoke(phone, id);
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    expect(await record(id)).toMatchObject({ state: 'SENT', revokeFailed: true });
  });

  it('a record already DELIVERED is answered 404 without calling RBM', async () => {
    const phone = testPhone();
    const id = await send(phone);
    await db().collection('agentMessages').doc(id).update({ state: 'DELIVERED', deliveredAt: new Date() });
    outbound().rbm.reset();

    const answer = await revoke(phone, id);
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({
      error: { status: 'NOT_FOUND', message: expect.stringContaining('already delivered') },
    });
    expect(outbound().rbm.calls).toHaveLength(0);
  });

  it('an unknown message id is passed to RBM and no record is created', async () => {
    const id = uuid();
    const answer = await revoke(testPhone(), id);
    expect(answer.status).toBe(404);
    expect(outbound().rbm.deletes()).toHaveLength(1);
    expect(await record(id)).toBeUndefined();
  });

  it('RBM unavailable answers 503 and leaves the state alone', async () => {
    const phone = testPhone();
    await outbound().rbm.setPhone(phone, 'offline');
    const id = await send(phone);
    outbound().rbm.failNext(1000, { status: 503 }, { only: 'delete' });

    const answer = await revoke(phone, id);
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { status: 'UNAVAILABLE' } });
    expect(outbound().rbm.deletes().length).toBeGreaterThan(1);
    const stored = await record(id);
    expect(stored?.state).toBe('SENT');
    expect(stored?.revokeFailed).toBeUndefined();
  });

  it('revoking again after REVOKED answers 200 without calling RBM (its 404 would read as delivered)', async () => {
    const phone = testPhone();
    await outbound().rbm.setPhone(phone, 'offline');
    const id = await send(phone);
    expect((await revoke(phone, id)).status).toBe(200);
    const again = await revoke(phone, id);
    expect(again.status).toBe(200);
    expect(again.json).toEqual({});
    expect(outbound().rbm.deletes()).toHaveLength(1);
    const stored = await record(id);
    expect(stored?.state).toBe('REVOKED');
    expect(stored?.revokeFailed).toBeUndefined();
  });

  it.each([
    ['a bad message id', (phone: string) => revoke(phone, 'not-a-uuid'), 400],
    ['a bad phone', () => revoke('12345', uuid()), 400],
    ['POST', (phone: string) => revoke(phone, uuid(), 'POST'), 405],
  ])('%s → %i', async (_name, call, status) => {
    const answer = await call(testPhone());
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ error: { code: status } });
    expect(outbound().rbm.deletes()).toHaveLength(0);
  });

  it('never logs a full phone number', () => {
    const logs = outbound().logs().join('\n');
    expect(fullPhonesIn(logs)).toEqual([]);
  });
});
