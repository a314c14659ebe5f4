/**
 * Fallback decisions end to end, on the emulators with the built bundles: every rule of the decision table
 * (docs/status-and-fallback.md) for each Fallback-Policy, what is stored on the record and what reaches
 * rbm-fallback, the timer rules driven through the served reconcile with one-second grace and timeout, and a
 * late DELIVERED after a decision.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deliveredEvent, ttlRevokeFailedEvent } from '../../sandbox/fake-rbm/index.js';
import type { MessageState } from '../../shared/delivery-state.js';
import type { FallbackCertainty, FallbackPolicy, FallbackReason } from '../../shared/fallback-decision.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import {
  eventsOf,
  sendTo,
  settledCount,
  storedRecord,
  TEST_GRACE_S,
  TEXT,
  useOutcomeStack,
  waitForEvents,
  waitForRecord,
} from '../support/outcome-stack.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

// The fake RBM keeps each accepted message pending (revocable) until the test delivers it.
const stack = useOutcomeStack({ autoDeliver: false });
const agentId = TEST_AGENT_ID;
const POLICIES: readonly FallbackPolicy[] = ['none', 'safe', 'critical'];

const rbm = () => stack().local.rbm;
const sendUrl = () => stack().local.functions.send.url;

async function send(phone: string, policy: FallbackPolicy, body: unknown = TEXT) {
  return sendTo(sendUrl(), phone, {
    body,
    headers: { 'Fallback-Policy': policy, 'Correlation-Id': `ref-${policy}` },
  });
}

async function sentMessage(policy: FallbackPolicy, body: unknown = TEXT) {
  const phone = testPhone();
  const { id, answer } = await send(phone, policy, body);
  expect(answer.status).toBe(200);
  return { id, phone };
}

async function revoke(phone: string, id: string) {
  return request(`${stack().local.functions.revoke.url}/v1/phones/${phone}/agentMessages/${id}`, {
    method: 'DELETE',
  });
}

type StoredRecord = Record<string, unknown>;
const hadTimerRevoke = (record: StoredRecord) => record.timerRevoke !== undefined;

/** Calls reconcile until every record is `done` (a timer revoke by default; grace and timeout are one second here). */
async function reconcileUntilRevoked(
  ids: readonly string[],
  done: (record: StoredRecord) => boolean = hadTimerRevoke,
): Promise<void> {
  await pollUntil(
    async () => {
      await stack().reconcile();
      const records = await Promise.all(ids.map(storedRecord));
      return records.every((record) => record !== undefined && done(record)) ? true : undefined;
    },
    { description: 'reconcile revoking every due message', timeoutMs: 20_000, intervalMs: 250 },
  );
}

/**
 * What a revoke that stopped after noting its intent leaves (the process died, or the write of RBM's answer
 * failed): the record SENT with `revokeRequestedAt`. `applied` says whether RBM had revoked the message.
 */
async function revokeLeftUnrecorded(policy: FallbackPolicy, applied: boolean): Promise<string> {
  const { id, phone } = await sentMessage(policy);
  await new AgentMessageStore(firestoreAdmin()).applyFact(id, { kind: 'revokeRequested', at: new Date() });
  expect(await storedRecord(id)).toMatchObject({ state: 'SENT', revokeRequestedAt: expect.any(Date) });
  if (applied) {
    const atRbm = await request(`${rbm().url}/v1/phones/${phone}/agentMessages/${id}?agentId=${agentId}`, {
      method: 'DELETE',
    });
    expect(atRbm.status).toBe(200);
  }
  return id;
}

interface Row {
  trigger: string;
  reason: FallbackReason;
  certainty: FallbackCertainty;
  /** The state the message ends in. */
  state: MessageState;
  /** Drives one message with `policy` up to the decision (reconcile excluded); answers its id. */
  start(policy: FallbackPolicy): Promise<string>;
  /** Runs once every policy's message was started (the fake RBM's reset forgets every message). */
  afterStarts?(ids: readonly string[]): Promise<void>;
  /** A timer rule: reconcile makes the decision. */
  timer?: boolean;
  /** When reconcile is done with a record, if not once it has had its timer revoke. */
  reconciled?: (record: StoredRecord) => boolean;
}

const ROWS: Row[] = [
  {
    trigger: 'create answered 404',
    reason: 'NOT_REACHABLE',
    certainty: 'NOT_DELIVERED',
    state: 'FAILED',
    start: async (policy) => {
      const phone = testPhone();
      await rbm().setPhone(phone, 'unreachable');
      const { id, answer } = await send(phone, policy);
      expect(answer.status).toBe(404);
      return id;
    },
  },
  {
    trigger: 'create answered another permanent 4xx',
    reason: 'REJECTED',
    certainty: 'NOT_DELIVERED',
    state: 'FAILED',
    start: async (policy) => {
      rbm().failNext(1, { status: 400 }, { only: 'create' });
      const { id, answer } = await send(testPhone(), policy);
      expect(answer.status).toBe(400);
      return id;
    },
  },
  {
    trigger: 'revoke answered 200',
    reason: 'REVOKED',
    certainty: 'NOT_DELIVERED',
    state: 'REVOKED',
    start: async (policy) => {
      const { id, phone } = await sentMessage(policy);
      expect((await revoke(phone, id)).status).toBe(200);
      return id;
    },
  },
  {
    trigger: 'TTL_EXPIRATION_REVOKED',
    reason: 'EXPIRED',
    certainty: 'NOT_DELIVERED',
    state: 'EXPIRED',
    start: async (policy) => {
      const { id } = await sentMessage(policy);
      await rbm().expire(id);
      await waitForRecord(id, (r) => r.state === 'EXPIRED');
      return id;
    },
  },
  {
    trigger: 'TTL_EXPIRATION_REVOKE_FAILED (at once)',
    reason: 'EXPIRY_UNCONFIRMED',
    certainty: 'UNKNOWN',
    state: 'SENT',
    start: async (policy) => {
      const { id } = await sentMessage(policy);
      await rbm().deliver(id, { callback: false }); // the phone has it; RBM cannot take it back
      await rbm().expire(id);
      await waitForRecord(id, (r) => r.revokeFailed === true);
      return id;
    },
  },
  {
    trigger: 'a failed revoke, no DELIVERED within grace, reconcile revoke answered 200',
    reason: 'REVOKED',
    certainty: 'NOT_DELIVERED',
    state: 'REVOKED',
    timer: true,
    start: async (policy) => {
      const { id, phone } = await sentMessage(policy);
      rbm().failNext(1, { status: 404 }, { only: 'delete' });
      expect((await revoke(phone, id)).status).toBe(404);
      return id;
    },
  },
  {
    trigger: 'a failed revoke, no DELIVERED within grace, reconcile revoke answered 404',
    reason: 'REVOKE_UNCONFIRMED',
    certainty: 'UNKNOWN',
    state: 'SENT',
    timer: true,
    start: async (policy) => {
      const { id, phone } = await sentMessage(policy);
      await rbm().deliver(id, { callback: false }); // delivered, and the DELIVERED event never comes
      expect((await revoke(phone, id)).status).toBe(404);
      return id;
    },
  },
  {
    trigger:
      'a revoke whose answer was never recorded and that never reached RBM, reconcile revoke answered 200',
    reason: 'REVOKED',
    certainty: 'NOT_DELIVERED',
    state: 'REVOKED',
    timer: true,
    reconciled: (record) => record.state === 'REVOKED' && record.revokeRequestedAt === undefined,
    start: (policy) => revokeLeftUnrecorded(policy, false),
  },
  {
    // RBM answers the second revoke 404, so it ends as a failed revoke (whose timer then decides), never REVOKED.
    trigger: 'a revoke RBM applied whose answer was never recorded, reconcile revokes answered 404',
    reason: 'REVOKE_UNCONFIRMED',
    certainty: 'UNKNOWN',
    state: 'SENT',
    timer: true,
    start: (policy) => revokeLeftUnrecorded(policy, true),
  },
  {
    trigger: 'SENT with an expireTime, no outcome by expireTime + grace, reconcile revoke answered 200',
    reason: 'REVOKED',
    certainty: 'NOT_DELIVERED',
    state: 'REVOKED',
    timer: true,
    start: async (policy) => (await sentMessage(policy, { ...TEXT, ttl: '1s' })).id,
  },
  {
    trigger: 'SENT with an expireTime, no outcome by expireTime + grace, reconcile revoke answered 404',
    reason: 'NO_OUTCOME',
    certainty: 'UNKNOWN',
    state: 'SENT',
    timer: true,
    start: async (policy) => {
      const { id } = await sentMessage(policy, { ...TEXT, ttl: '1s' });
      await rbm().deliver(id, { callback: false });
      return id;
    },
  },
  {
    trigger: 'PENDING past the timeout, reconcile revoke answered 200 (an attempt had reached RBM)',
    reason: 'REVOKED',
    certainty: 'NOT_DELIVERED',
    state: 'REVOKED',
    timer: true,
    start: async (policy) => {
      rbm().failNext(200, { status: 503 }, { only: 'create' });
      const { id, answer } = await send(testPhone(), policy);
      expect(answer.status).toBe(503);
      return id;
    },
    afterStarts: async (ids) => {
      rbm().reset(); // RBM works again; the attempts whose answers were lost are there
      for (const id of ids) {
        const phone = (await storedRecord(id))?.phoneNumber as string;
        const atRbm = await request(
          `${rbm().url}/v1/phones/${phone}/agentMessages?messageId=${id}&agentId=${agentId}`,
          { method: 'POST', body: TEXT },
        );
        expect(atRbm.status).toBe(200);
      }
    },
  },
  {
    trigger: 'PENDING past the timeout, reconcile revoke answered 404 (never sent)',
    reason: 'NOT_SENT',
    certainty: 'UNKNOWN',
    state: 'FAILED',
    timer: true,
    start: async (policy) => {
      rbm().failNext(200, { status: 503 }, { only: 'create' });
      const { id, answer } = await send(testPhone(), policy);
      expect(answer.status).toBe(503);
      return id;
    },
    afterStarts: async () => {
      rbm().reset(); // RBM works again, and has none of the messages
    },
  },
];

const decides = (policy: FallbackPolicy, certainty: FallbackCertainty) =>
  certainty === 'NOT_DELIVERED' || policy === 'critical';
const publishes = (policy: FallbackPolicy, certainty: FallbackCertainty) =>
  policy === 'critical' || (policy === 'safe' && certainty === 'NOT_DELIVERED');

describe('fallback decisions, per policy', () => {
  it.each(ROWS)('$trigger → $reason / $certainty', async (row) => {
    const ids: Record<FallbackPolicy, string> = { none: '', safe: '', critical: '' };
    for (const policy of POLICIES) ids[policy] = await row.start(policy);
    await row.afterStarts?.(Object.values(ids));
    if (row.timer) await reconcileUntilRevoked(Object.values(ids), row.reconciled);

    for (const policy of POLICIES) {
      const id = ids[policy];
      const record = await waitForRecord(id, (r) => r.outbox === undefined, 'events confirmed');
      expect(record.state).toBe(row.state);
      if (row.reason === 'NOT_SENT') {
        expect(record.error).toEqual({
          code: 504,
          status: 'DEADLINE_EXCEEDED',
          message: expect.any(String),
          reason: 'PENDING_TIMEOUT',
        });
      }
      if (decides(policy, row.certainty)) {
        expect(record.fallback).toEqual({
          reason: row.reason,
          certainty: row.certainty,
          decidedAt: expect.any(Date),
        });
      } else {
        expect(record).not.toHaveProperty('fallback');
      }
      if (publishes(policy, row.certainty)) {
        const [event] = await waitForEvents(stack().fallback, id, [`${id}/fallback`]);
        expect(event?.attributes).toEqual({
          messageId: id,
          reason: row.reason,
          certainty: row.certainty,
          eventKey: `${id}/fallback`,
        });
        expect(event?.json).toEqual({
          messageId: id,
          agentId,
          phoneNumber: record.phoneNumber,
          reason: row.reason,
          certainty: row.certainty,
          decidedAt: (record.fallback as { decidedAt: Date }).decidedAt.toISOString(),
          correlationId: `ref-${policy}`,
        });
      }
      if (row.state !== 'SENT') {
        // The status event of the change that made the decision carries it.
        const [status] = await waitForEvents(stack().status, id, [`${id}/${row.state}`]);
        const carried = (status?.json as { fallback?: unknown }).fallback;
        if (decides(policy, row.certainty)) {
          expect(carried).toMatchObject({ reason: row.reason, certainty: row.certainty });
        } else {
          expect(carried).toBeUndefined();
        }
      }
    }
    // Published once, and only where the policy publishes.
    for (const policy of POLICIES) {
      expect(await settledCount(stack().fallback, ids[policy], 500)).toBe(
        publishes(policy, row.certainty) ? 1 : 0,
      );
    }
  });
});

describe('fallback decisions', () => {
  it('a late DELIVERED keeps the decision, sets deliveredAfter, and its status event carries it', async () => {
    const { id, phone } = await sentMessage('safe');
    expect((await revoke(phone, id)).status).toBe(200);
    const [decision] = await waitForEvents(stack().fallback, id, [`${id}/fallback`]);
    const decided = await waitForRecord(id, (r) => r.outbox === undefined);

    await rbm().callback(deliveredEvent({ phone, agentId, messageId: id }));
    const [delivered] = await waitForEvents(stack().status, id, [`${id}/DELIVERED`]);
    const record = await storedRecord(id);
    expect(record).toMatchObject({
      state: 'DELIVERED',
      fallback: {
        reason: 'REVOKED',
        certainty: 'NOT_DELIVERED',
        decidedAt: (decided.fallback as { decidedAt: Date }).decidedAt,
        deliveredAfter: true,
      },
    });
    expect(delivered?.json).toMatchObject({
      state: 'DELIVERED',
      previousState: 'REVOKED',
      fallback: {
        reason: 'REVOKED',
        certainty: 'NOT_DELIVERED',
        decidedAt: (decision?.json as { decidedAt: string }).decidedAt,
        deliveredAfter: true,
      },
    });
    // No second decision: the fallback event stays the one.
    expect(await settledCount(stack().fallback, id)).toBe(1);
  });

  it('a DELIVERED within grace never yields a decision, and reconcile leaves the message alone', async () => {
    const { id, phone } = await sentMessage('critical');
    await rbm().deliver(id, { callback: false });
    expect((await revoke(phone, id)).status).toBe(404);
    await rbm().callback(deliveredEvent({ phone, agentId, messageId: id }));
    const record = await waitForRecord(id, (r) => r.state === 'DELIVERED');
    const deletesBefore = rbm().deletes().length;

    // Past the grace, the timer would be due had the DELIVERED not come.
    const dueAt = (record.revokeFailedAt as Date).getTime() + TEST_GRACE_S * 1000;
    await pollUntil(() => (Date.now() > dueAt ? true : undefined), { description: 'the grace to pass' });
    const summary = await stack().reconcile();
    expect(summary.timers.afterFailedRevoke.due).toBe(0);
    expect(rbm().deletes()).toHaveLength(deletesBefore);
    expect(await storedRecord(id)).not.toHaveProperty('fallback');
    expect(await settledCount(stack().fallback, id)).toBe(0);
  });

  it('the grace after TTL_EXPIRATION_REVOKE_FAILED counts from its receipt, not its sendTime', async () => {
    const { id, phone } = await sentMessage('safe');
    const before = Date.now();
    const anHourAgo = new Date(before - 3_600_000).toISOString();
    await rbm().callback(ttlRevokeFailedEvent({ phone, agentId, messageId: id, sendTime: anHourAgo }));
    const record = await waitForRecord(id, (r) => r.revokeFailed === true);
    expect((record.revokeFailedAt as Date).getTime()).toBeGreaterThanOrEqual(before - 1_000);
  });

  it('a decision is stored once: later facts and reconcile passes leave it as it was', async () => {
    const { id, phone } = await sentMessage('critical');
    expect((await revoke(phone, id)).status).toBe(200);
    const first = await waitForRecord(id, (r) => r.outbox === undefined);
    await rbm().callback(ttlRevokeFailedEvent({ phone, agentId, messageId: id }));
    await waitForRecord(id, (r) => r.revokeFailed === true);
    await stack().reconcile();
    const after = await storedRecord(id);
    expect(after?.fallback).toEqual(first.fallback);
    expect(after?.state).toBe('REVOKED');
    expect(await settledCount(stack().fallback, id)).toBe(1);
    expect(eventsOf(stack().fallback, id)[0]?.attributes.reason).toBe('REVOKED');
  });

  it('a critical TTL revoke failure falls back at once, and reconcile still takes the message back after the grace', async () => {
    const { id, phone } = await sentMessage('critical');
    await rbm().callback(ttlRevokeFailedEvent({ phone, agentId, messageId: id }));
    const decided = await waitForRecord(id, (r) => r.revokeFailed === true && r.outbox === undefined);
    expect(decided.fallback).toMatchObject({ reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN' });
    // The message is still waiting at RBM (the phone is offline): the revoke once more takes it back.
    await reconcileUntilRevoked([id]);
    const after = await waitForRecord(id, (r) => r.outbox === undefined, 'events confirmed');
    expect(after.state).toBe('REVOKED');
    expect(after.fallback).toEqual(decided.fallback);
    await waitForEvents(stack().status, id, [`${id}/SENT`, `${id}/REVOKED`]);
    expect(await settledCount(stack().fallback, id)).toBe(1);
    expect(eventsOf(stack().fallback, id)[0]?.attributes.reason).toBe('EXPIRY_UNCONFIRMED');
  });

  it('an unknown id in an event is never a decision, whatever arrives', async () => {
    const phone = testPhone();
    const id = randomUUID();
    await rbm().callback(ttlRevokeFailedEvent({ phone, agentId, messageId: id }));
    await waitForRecord(id, (r) => r.revokeFailed === true);
    expect(await storedRecord(id)).not.toHaveProperty('fallback'); // no policy: none
  });
});
