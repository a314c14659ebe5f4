/** revokeMessage against in-memory storage and a scripted RBM. */
import { describe, expect, it } from 'vitest';
import type { AgentMessageRecord } from '../../../shared/delivery-state.js';
import { createLogger } from '../../../shared/log/logger.js';
import { revokeMessage } from '../../../shared/outbound/revoke-message.js';
import { OutcomePublisher } from '../../../shared/publishing/outcome-publisher.js';
import { reconcile, type ReconcileSettings } from '../../../shared/reconcile/reconcile.js';
import type { RbmOutcome } from '../../../shared/rbm/client.js';
import { InMemoryAgentMessages } from '../../support/in-memory-agent-messages.js';
import { ScriptedRbm, rejected, unavailable } from '../../support/fake-rbm-port.js';

const PHONE = '+15550101234';
const ID = '6f1c3b0e-9d2a-4c1e-8b7a-2f3d4e5f6a7b';
const silent = createLogger({}, () => undefined);

const REQUESTED_AT = new Date('2026-03-01T12:00:00Z');
const SETTINGS: ReconcileSettings = {
  graceMs: 600_000,
  pendingTimeoutMs: 3_600_000,
  unconfirmedAfterMs: 60_000,
  batchSize: 50,
};

function harness(state?: AgentMessageRecord['state'], phoneNumber = PHONE) {
  const store = new InMemoryAgentMessages(() => REQUESTED_AT);
  if (state) {
    store.records.set(ID, {
      messageId: ID,
      agentId: 'agent',
      phoneNumber,
      state,
      createdAt: new Date(0),
      updatedAt: new Date(0),
      attempts: 1,
      fallbackPolicy: 'safe',
    });
  }
  const rbm = new ScriptedRbm();
  const revoke = () =>
    revokeMessage(
      { phoneNumber: PHONE, messageId: ID, agentId: undefined },
      { agentId: 'agent', store, rbm, logger: silent, now: () => REQUESTED_AT },
    );
  return { store, rbm, revoke };
}

describe('revokeMessage', () => {
  it('SENT → RBM 200 → REVOKED with a REVOKED decision', async () => {
    const h = harness('SENT');
    expect(await h.revoke()).toEqual({ kind: 'revoked', alreadyRevoked: false });
    expect(h.store.records.get(ID)).toMatchObject({
      state: 'REVOKED',
      fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED' },
    });
  });

  it.each(['DELIVERED', 'READ'] as const)('%s: answered without calling RBM', async (state) => {
    const h = harness(state);
    expect(await h.revoke()).toEqual({ kind: 'alreadyDelivered' });
    expect(h.rbm.deletes).toHaveLength(0);
  });

  it('REVOKED: 200 again without calling RBM (its 404 would read as delivered)', async () => {
    const h = harness('REVOKED');
    expect(await h.revoke()).toEqual({ kind: 'revoked', alreadyRevoked: true });
    expect(h.rbm.deletes).toHaveLength(0);
  });

  it('RBM 404: the state stays, revokeFailed is noted with when it was learnt', async () => {
    const h = harness('SENT');
    h.rbm.answerDeletes(rejected(404, 'NOT_FOUND'));
    expect(await h.revoke()).toMatchObject({ kind: 'rejected', status: 404 });
    expect(h.store.records.get(ID)).toMatchObject({ state: 'SENT', revokeFailed: true });
    expect(h.store.records.get(ID)?.revokeFailedAt).toBeInstanceOf(Date);
  });

  it('RBM unavailable: state unchanged', async () => {
    const h = harness('SENT');
    h.rbm.answerDeletes(unavailable());
    expect(await h.revoke()).toEqual({ kind: 'rbmUnavailable', attempts: 3, rbmStatus: 'UNAVAILABLE' });
    expect(h.store.records.get(ID)?.state).toBe('SENT');
  });

  it('RBM revoked it but the record write failed: still revoked, the request left open for reconcile', async () => {
    const h = harness('SENT');
    const original = h.rbm.deleteAgentMessage.bind(h.rbm);
    h.rbm.deleteAgentMessage = async (...args) => {
      const answer = await original(...args);
      h.store.failNext = 1;
      return answer;
    };
    expect(await h.revoke()).toEqual({ kind: 'revoked', alreadyRevoked: false });
    expect(h.store.records.get(ID)).toMatchObject({ state: 'SENT', revokeRequestedAt: REQUESTED_AT });
    h.rbm.deleteAgentMessage = original;

    // Reconcile, after the grace: revokes once more, and RBM's 200 is recorded with its status event.
    const published: Array<{ topic: string; data: Record<string, unknown> }> = [];
    const events = new OutcomePublisher({
      publish: async (topic, data) => {
        published.push({ topic, data: JSON.parse(data.toString()) as Record<string, unknown> });
        return String(published.length);
      },
      topics: { status: 'status', fallback: 'fallback' },
      store: h.store,
      logger: silent,
    });
    const later = new Date(REQUESTED_AT.getTime() + SETTINGS.graceMs);
    const summary = await reconcile(SETTINGS, {
      store: h.store,
      rbm: h.rbm,
      events,
      logger: silent,
      now: () => later,
    });
    expect(summary.revokeRequests).toMatchObject({ due: 1, revoked: 1 });
    expect(h.rbm.deletes).toHaveLength(2);
    const record = h.store.records.get(ID);
    expect(record).toMatchObject({ state: 'REVOKED', fallback: { reason: 'REVOKED' } });
    expect(record?.revokeRequestedAt).toBeUndefined();
    expect(published).toContainEqual({
      topic: 'status',
      data: expect.objectContaining({ messageId: ID, state: 'REVOKED' }),
    });
  });

  it.each([
    { rbm: 'RBM 200', answer: undefined, expected: { kind: 'revoked' }, failure: 'transient' },
    { rbm: 'RBM 200', answer: undefined, expected: { kind: 'revoked' }, failure: 'permanent' },
    { rbm: 'RBM 404', answer: () => rejected(404), expected: { status: 404 }, failure: 'transient' },
    { rbm: 'RBM 404', answer: () => rejected(404), expected: { status: 404 }, failure: 'permanent' },
  ] as const)(
    '$rbm, then a $failure failure writing it: RBM’s answer stands, the request stays open',
    async ({ answer, expected, failure }) => {
      const h = harness('SENT');
      if (answer) h.rbm.answerDeletes(answer());
      const original = h.store.applyFact.bind(h.store);
      h.store.applyFact = async (id, fact) => {
        if (fact.kind === 'revokeRequested') return original(id, fact);
        throw failure === 'transient'
          ? Object.assign(new Error('14 UNAVAILABLE: storage down'), { code: 14 })
          : Object.assign(new Error('9 FAILED_PRECONDITION: index missing'), { code: 9 });
      };
      expect(await h.revoke()).toMatchObject(expected);
      expect(h.store.records.get(ID)).toMatchObject({ state: 'SENT', revokeRequestedAt: REQUESTED_AT });
    },
  );

  it('the request is written before RBM is asked; a failed write means RBM is not asked', async () => {
    const h = harness('SENT');
    const original = h.store.get.bind(h.store);
    h.store.get = async (id) => {
      const found = await original(id);
      h.store.failNext = 1;
      return found;
    };
    await expect(h.revoke()).rejects.toThrow(/UNAVAILABLE/);
    expect(h.rbm.deletes).toHaveLength(0);
  });

  it.each<[string, boolean, () => RbmOutcome | undefined]>([
    ['RBM 200', false, () => undefined],
    ['RBM 404', false, () => rejected(404, 'NOT_FOUND')],
    ['RBM 403', false, () => rejected(403, 'PERMISSION_DENIED')],
    ['RBM unavailable (it may have revoked it)', true, () => unavailable()],
  ])('%s: the revoke request left open → %s', async (_name, open, answer) => {
    const h = harness('SENT');
    const scripted = answer();
    if (scripted) h.rbm.answerDeletes(scripted);
    await h.revoke();
    expect(h.store.records.get(ID)?.revokeRequestedAt !== undefined).toBe(open);
  });

  it('a record of another phone is left alone and RBM decides', async () => {
    const h = harness('SENT', '+15550109999');
    expect(await h.revoke()).toEqual({ kind: 'revoked', alreadyRevoked: false });
    expect(h.rbm.deletes).toHaveLength(1);
    expect(h.store.records.get(ID)?.state).toBe('SENT');
  });

  it('an unknown id is passed to RBM and no record is created', async () => {
    const h = harness();
    await h.revoke();
    expect(h.rbm.deletes).toHaveLength(1);
    expect(h.store.records.size).toBe(0);
  });
});
