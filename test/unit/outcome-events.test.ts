import { describe, expect, it } from 'vitest';
import { applyDeliveryEvent, applyFact } from '../../shared/delivery-state.js';
import {
  policyPublishes,
  type FallbackCertainty,
  type FallbackPolicy,
} from '../../shared/fallback-decision.js';
import {
  addedEntries,
  confirmPublished,
  outboxFor,
  unconfirmedEntries,
  withOutbox,
  type OutboxEntry,
} from '../../shared/events/outbox.js';
import { statusEventFor } from '../../shared/events/status-event.js';
import { fallbackEventFor } from '../../shared/events/fallback-event.js';
import { messageRecord as record, T0 } from '../support/message-records.js';

const at = (s: number) => new Date(T0.getTime() + s * 1000);
const iso = (s: number) => at(s).toISOString();

const tagged = { correlationId: 'order-42', campaignId: 'c7', trafficType: 'TRANSACTION' };

describe('status events', () => {
  it('a state change publishes the new state, the previous one and when it happened', () => {
    const after = applyFact(
      record('PENDING', tagged),
      { kind: 'sent', at: at(1), attempts: 1, name: 'phones/+15550000001/agentMessages/m1' },
      at(2),
    )!;
    expect(after.outbox).toEqual([
      {
        eventKey: 'm1/SENT',
        topic: 'status',
        data: {
          messageId: 'm1',
          agentId: 'agent',
          phoneNumber: '+15550000001',
          state: 'SENT',
          previousState: 'PENDING',
          at: iso(1),
          correlationId: 'order-42',
          campaignId: 'c7',
        },
        attributes: { messageId: 'm1', state: 'SENT', eventKey: 'm1/SENT' },
        queuedAt: iso(2),
      },
    ]);
  });

  it('a DELIVERED event is stamped with the time the user got it', () => {
    const after = applyFact(record('SENT'), { kind: 'delivered', at: at(5) }, at(9))!;
    expect(after.outbox?.[0]?.data).toMatchObject({ state: 'DELIVERED', previousState: 'SENT', at: iso(5) });
  });

  it('creating a PENDING record is not a change', () => {
    expect(outboxFor(undefined, record('PENDING'))).toEqual([]);
    expect(withOutbox(undefined, record('PENDING'))).not.toHaveProperty('outbox');
  });

  it('a record created refused publishes FAILED from null with the refusal, and no fallback', () => {
    const refused = record('FAILED', {
      ...tagged,
      fallbackPolicy: 'critical',
      failedAt: at(1),
      error: {
        code: 400,
        status: 'FAILED_PRECONDITION',
        message: 'unsubscribed',
        reason: 'RECIPIENT_UNSUBSCRIBED',
      },
    });
    const created = withOutbox(undefined, refused);
    expect(created.outbox).toHaveLength(1);
    expect(created.outbox?.[0]).toMatchObject({
      eventKey: 'm1/FAILED',
      data: {
        state: 'FAILED',
        previousState: null,
        at: iso(1),
        error: {
          code: 400,
          status: 'FAILED_PRECONDITION',
          message: 'unsubscribed',
          reason: 'RECIPIENT_UNSUBSCRIBED',
        },
      },
    });
  });

  it('an event for an unknown message publishes its state from null', () => {
    const created = applyDeliveryEvent(
      undefined,
      {
        eventId: 'e1',
        messageId: 'm1',
        agentId: 'agent',
        phoneNumber: '+15550000001',
        fact: { kind: 'read', at: at(3) },
      },
      at(4),
    )!;
    expect(created.outbox?.map((entry) => [entry.eventKey, entry.data])).toEqual([
      ['m1/READ', expect.objectContaining({ state: 'READ', previousState: null, at: iso(3) })],
    ]);
  });

  it('an event for a known message publishes from its stored state', () => {
    const after = applyDeliveryEvent(
      record('SENT'),
      {
        eventId: 'e1',
        messageId: 'm1',
        agentId: 'agent',
        phoneNumber: '+15550000001',
        fact: { kind: 'read', at: at(3) },
      },
      at(4),
    )!;
    expect(after.outbox?.[0]?.data).toMatchObject({ state: 'READ', previousState: 'SENT' });
  });

  it('a change without a state change publishes nothing', () => {
    const after = applyFact(record('SENT'), { kind: 'revokeFailed', source: 'revoke', at: at(1) }, at(1))!;
    expect(after.outbox).toBeUndefined();
    const late = applyFact(record('READ', { readAt: at(2) }), { kind: 'delivered', at: at(1) }, at(3))!;
    expect(late.deliveredAt).toEqual(at(1));
    expect(late.outbox).toBeUndefined();
  });

  it('an old RBM error is not published with a later success', () => {
    const unavailable = applyFact(
      record('PENDING'),
      { kind: 'unavailable', attempts: 3, error: { code: 503, status: 'UNAVAILABLE', message: 'down' } },
      at(1),
    )!;
    const sent = applyFact(unavailable, { kind: 'sent', at: at(2), attempts: 1 }, at(2))!;
    expect(sent.error).toBeDefined();
    expect(sent.outbox?.[0]?.data).not.toHaveProperty('error');
  });

  it('carries revokeFailed and a decision made with the change', () => {
    const after = applyFact(
      record('SENT', { revokeFailed: true, revokeFailedAt: at(1), fallbackPolicy: 'none' }),
      { kind: 'timerRevoke', rule: 'afterFailedRevoke', answer: 'revoked', at: at(5) },
      at(6),
    )!;
    expect(after.outbox?.map((entry) => entry.data)).toEqual([
      expect.objectContaining({
        state: 'REVOKED',
        revokeFailed: true,
        fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED', decidedAt: iso(6) },
      }),
    ]);
  });

  it('statusEventFor is undefined when the state is unchanged', () => {
    expect(statusEventFor(record('SENT'), record('SENT', { updatedAt: at(5) }))).toBeUndefined();
  });
});

describe('fallback events', () => {
  it('a published decision has its own event, after the status event', () => {
    const after = applyFact(
      record('PENDING', { ...tagged, fallbackPolicy: 'safe' }),
      {
        kind: 'failed',
        at: at(1),
        attempts: 1,
        error: { code: 404, status: 'NOT_FOUND', message: 'no RCS' },
      },
      at(2),
    )!;
    expect(after.outbox?.map((entry) => entry.eventKey)).toEqual(['m1/FAILED', 'm1/fallback']);
    expect(after.outbox?.[1]).toEqual({
      eventKey: 'm1/fallback',
      topic: 'fallback',
      data: {
        messageId: 'm1',
        agentId: 'agent',
        phoneNumber: '+15550000001',
        reason: 'NOT_REACHABLE',
        certainty: 'NOT_DELIVERED',
        decidedAt: iso(2),
        correlationId: 'order-42',
        campaignId: 'c7',
        trafficType: 'TRANSACTION',
      },
      attributes: {
        messageId: 'm1',
        reason: 'NOT_REACHABLE',
        certainty: 'NOT_DELIVERED',
        eventKey: 'm1/fallback',
      },
      queuedAt: iso(2),
    });
  });

  // [policy, certainty, published]
  const publishing: Array<[FallbackPolicy, FallbackCertainty, boolean]> = [
    ['none', 'NOT_DELIVERED', false],
    ['none', 'UNKNOWN', false],
    ['safe', 'NOT_DELIVERED', true],
    ['safe', 'UNKNOWN', false],
    ['critical', 'NOT_DELIVERED', true],
    ['critical', 'UNKNOWN', true],
  ];
  it.each(publishing)('policy %s, certainty %s: published %s', (policy, certainty, published) => {
    expect(policyPublishes(policy, certainty)).toBe(published);
    const decided = record('SENT', {
      fallbackPolicy: policy,
      fallback: { reason: 'NO_OUTCOME', certainty, decidedAt: at(1) },
    });
    expect(fallbackEventFor(record('SENT', { fallbackPolicy: policy }), decided) !== undefined).toBe(
      published,
    );
  });

  it('a decision made earlier is not published again', () => {
    const decided = record('SENT', {
      fallbackPolicy: 'critical',
      fallback: { reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN', decidedAt: at(1) },
    });
    expect(fallbackEventFor(decided, { ...decided, state: 'EXPIRED' })).toBeUndefined();
  });
});

describe('the outbox', () => {
  const sent = () =>
    applyFact(
      record('PENDING', { fallbackPolicy: 'critical' }),
      { kind: 'sent', at: at(1), attempts: 1 },
      at(1),
    )!;

  it('queues new events behind unconfirmed ones, each once', () => {
    const revoked = applyFact(sent(), { kind: 'revoked', at: at(2) }, at(2))!;
    expect(revoked.outbox?.map((entry) => entry.eventKey)).toEqual(['m1/SENT', 'm1/REVOKED', 'm1/fallback']);
    expect(addedEntries(sent(), revoked).map((entry) => entry.eventKey)).toEqual([
      'm1/REVOKED',
      'm1/fallback',
    ]);
    expect(withOutbox(sent(), revoked)).toEqual(revoked);
  });

  it('confirmed entries leave the outbox, and an empty outbox leaves the record', () => {
    const revoked = applyFact(sent(), { kind: 'revoked', at: at(2) }, at(2))!;
    const partly = confirmPublished(revoked, ['m1/SENT'])!;
    expect(partly.outbox?.map((entry) => entry.eventKey)).toEqual(['m1/REVOKED', 'm1/fallback']);
    expect(partly.updatedAt).toEqual(revoked.updatedAt);
    const all = confirmPublished(partly, ['m1/REVOKED', 'm1/fallback'])!;
    expect(all).not.toHaveProperty('outbox');
    expect(confirmPublished(all, ['m1/SENT'])).toBeUndefined();
  });

  it('unconfirmedEntries picks the entries queued by a given time', () => {
    const revoked = applyFact(sent(), { kind: 'revoked', at: at(2) }, at(2))!;
    expect(unconfirmedEntries(revoked, at(1)).map((entry) => entry.eventKey)).toEqual(['m1/SENT']);
    expect(unconfirmedEntries(revoked, at(0))).toEqual([]);
    expect(unconfirmedEntries(revoked, at(5))).toHaveLength(3);
  });

  it('is plain JSON with no undefined values, so it is stored as it is', () => {
    const records = [
      applyFact(
        record('PENDING', { ...tagged, fallbackPolicy: 'critical' }),
        { kind: 'timerRevoke', rule: 'pendingTimeout', answer: 'notFound', at: at(3) },
        at(3),
      )!,
      applyFact(
        applyFact(record('SENT', { fallbackPolicy: 'critical' }), { kind: 'revoked', at: at(1) }, at(1))!,
        { kind: 'delivered', at: at(2) },
        at(2),
      )!,
    ];
    for (const subject of records) {
      const outbox = subject.outbox as OutboxEntry[];
      expect(outbox.length).toBeGreaterThan(0);
      expect(JSON.parse(JSON.stringify(outbox))).toEqual(outbox);
      expect(hasUndefined(outbox)).toBe(false);
    }
  });
});

function hasUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some(hasUndefined);
}
