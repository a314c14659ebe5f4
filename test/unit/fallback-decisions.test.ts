import { describe, expect, it } from 'vitest';
import {
  PENDING_TIMEOUT_ERROR,
  applyDeliveryEvent,
  applyFact,
  type AgentMessageRecord,
  type DeliveryFact,
  type MessageState,
} from '../../shared/delivery-state.js';
import {
  FALLBACK_POLICIES,
  type FallbackCertainty,
  type FallbackPolicy,
  type FallbackReason,
} from '../../shared/fallback-decision.js';
import { messageRecord as record, T0 } from '../support/message-records.js';

const at = (s: number) => new Date(T0.getTime() + s * 1000);
const NOW = at(100);

const error = (code: number, status: string, reason?: string) => ({
  code,
  status,
  message: 'x',
  ...(reason === undefined ? {} : { reason }),
});
const failed = (code: number, status: string, reason?: string): DeliveryFact => ({
  kind: 'failed',
  at: at(1),
  attempts: 1,
  error: error(code, status, reason),
});
const timer = (
  rule: 'afterFailedRevoke' | 'afterExpireTime' | 'pendingTimeout',
  answer: 'revoked' | 'notFound',
): DeliveryFact => ({ kind: 'timerRevoke', rule, answer, at: at(50) });

const SENT_WITH_FAILED_REVOKE = { revokeFailed: true, revokeFailedAt: at(10) };
const SENT_WITH_EXPIRY = { expireTime: at(20) };

interface Row {
  trigger: string;
  before: AgentMessageRecord;
  fact: DeliveryFact;
  state: MessageState;
  decision?: [FallbackReason, FallbackCertainty];
}

// One row per trigger of the decision table (and the triggers that must decide nothing).
const rows: Row[] = [
  {
    trigger: 'create answered 404',
    before: record('PENDING'),
    fact: failed(404, 'NOT_FOUND'),
    state: 'FAILED',
    decision: ['NOT_REACHABLE', 'NOT_DELIVERED'],
  },
  {
    trigger: 'create answered 400',
    before: record('PENDING'),
    fact: failed(400, 'INVALID_ARGUMENT'),
    state: 'FAILED',
    decision: ['REJECTED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'create answered 403',
    before: record('PENDING'),
    fact: failed(403, 'PERMISSION_DENIED'),
    state: 'FAILED',
    decision: ['REJECTED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'create answered 408',
    before: record('PENDING'),
    fact: failed(408, 'DEADLINE_EXCEEDED'),
    state: 'FAILED',
  },
  {
    trigger: 'create answered 409',
    before: record('PENDING'),
    fact: failed(409, 'ALREADY_EXISTS'),
    state: 'FAILED',
  },
  {
    trigger: 'create answered 429',
    before: record('PENDING'),
    fact: failed(429, 'RESOURCE_EXHAUSTED'),
    state: 'FAILED',
  },
  {
    trigger: 'create answered 500',
    before: record('PENDING'),
    fact: failed(500, 'INTERNAL'),
    state: 'FAILED',
  },
  {
    trigger: 'consent refusal',
    before: record('PENDING', { attempts: 0 }),
    fact: failed(400, 'FAILED_PRECONDITION', 'RECIPIENT_UNSUBSCRIBED'),
    state: 'FAILED',
  },
  {
    trigger: 'revoke answered 200',
    before: record('SENT'),
    fact: { kind: 'revoked', at: at(5) },
    state: 'REVOKED',
    decision: ['REVOKED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'revoke answered 200 while PENDING',
    before: record('PENDING'),
    fact: { kind: 'revoked', at: at(5) },
    state: 'REVOKED',
    decision: ['REVOKED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'TTL_EXPIRATION_REVOKED',
    before: record('SENT', SENT_WITH_EXPIRY),
    fact: { kind: 'expired', at: at(21) },
    state: 'EXPIRED',
    decision: ['EXPIRED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'TTL_EXPIRATION_REVOKE_FAILED',
    before: record('SENT', SENT_WITH_EXPIRY),
    fact: { kind: 'revokeFailed', source: 'ttl', at: at(22) },
    state: 'SENT',
    decision: ['EXPIRY_UNCONFIRMED', 'UNKNOWN'],
  },
  {
    trigger: 'revoke answered 404',
    before: record('SENT'),
    fact: { kind: 'revokeFailed', source: 'revoke', at: at(6) },
    state: 'SENT',
  },
  {
    trigger: 'failed revoke, no DELIVERED within grace, reconcile revoke 200',
    before: record('SENT', SENT_WITH_FAILED_REVOKE),
    fact: timer('afterFailedRevoke', 'revoked'),
    state: 'REVOKED',
    decision: ['REVOKED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'failed revoke, no DELIVERED within grace, reconcile revoke 404',
    before: record('SENT', SENT_WITH_FAILED_REVOKE),
    fact: timer('afterFailedRevoke', 'notFound'),
    state: 'SENT',
    decision: ['REVOKE_UNCONFIRMED', 'UNKNOWN'],
  },
  {
    trigger: 'no outcome by expireTime + grace, reconcile revoke 200',
    before: record('SENT', SENT_WITH_EXPIRY),
    fact: timer('afterExpireTime', 'revoked'),
    state: 'REVOKED',
    decision: ['REVOKED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'no outcome by expireTime + grace, reconcile revoke 404',
    before: record('SENT', SENT_WITH_EXPIRY),
    fact: timer('afterExpireTime', 'notFound'),
    state: 'SENT',
    decision: ['NO_OUTCOME', 'UNKNOWN'],
  },
  {
    trigger: 'PENDING timeout, reconcile revoke 200',
    before: record('PENDING'),
    fact: timer('pendingTimeout', 'revoked'),
    state: 'REVOKED',
    decision: ['REVOKED', 'NOT_DELIVERED'],
  },
  {
    trigger: 'PENDING timeout, reconcile revoke 404',
    before: record('PENDING'),
    fact: timer('pendingTimeout', 'notFound'),
    state: 'FAILED',
    decision: ['NOT_SENT', 'UNKNOWN'],
  },
  {
    trigger: 'DELIVERED',
    before: record('SENT'),
    fact: { kind: 'delivered', at: at(7) },
    state: 'DELIVERED',
  },
  { trigger: 'READ', before: record('SENT'), fact: { kind: 'read', at: at(7) }, state: 'READ' },
  {
    trigger: 'TTL_EXPIRATION_REVOKED after DELIVERED',
    before: record('DELIVERED', { deliveredAt: at(7) }),
    fact: { kind: 'expired', at: at(21) },
    state: 'DELIVERED',
  },
  {
    trigger: 'TTL_EXPIRATION_REVOKE_FAILED after DELIVERED',
    before: record('DELIVERED', { deliveredAt: at(7) }),
    fact: { kind: 'revokeFailed', source: 'ttl', at: at(22) },
    state: 'DELIVERED',
  },
  {
    trigger: 'revoke answered 200 after DELIVERED',
    before: record('DELIVERED', { deliveredAt: at(7) }),
    fact: { kind: 'revoked', at: at(8) },
    state: 'DELIVERED',
  },
  {
    trigger: 'create answered 200',
    before: record('PENDING', { attempts: 0 }),
    fact: { kind: 'sent', at: at(1), attempts: 1 },
    state: 'SENT',
  },
  {
    trigger: 'RBM unavailable',
    before: record('PENDING', { attempts: 0 }),
    fact: { kind: 'unavailable', attempts: 3, error: error(503, 'UNAVAILABLE') },
    state: 'PENDING',
  },
  {
    trigger: 'stale PENDING timeout 404 on a record that was sent meanwhile',
    before: record('SENT', { sentAt: at(40) }),
    fact: timer('pendingTimeout', 'notFound'),
    state: 'SENT',
  },
];

const table = rows.flatMap((row) => FALLBACK_POLICIES.map((policy) => ({ ...row, policy })));

describe('fallback decisions, per trigger and policy', () => {
  it.each(table)('$trigger, policy $policy', ({ before, fact, state, decision, policy }) => {
    const after = applyFact({ ...before, fallbackPolicy: policy }, fact, NOW) ?? before;
    expect(after.state).toBe(state);

    const decided = decision !== undefined && (decision[1] === 'NOT_DELIVERED' || policy === 'critical');
    if (decided) {
      expect(after.fallback).toEqual({ reason: decision[0], certainty: decision[1], decidedAt: NOW });
    } else {
      expect(after.fallback).toBeUndefined();
    }

    const published =
      decided && (policy === 'critical' || (policy === 'safe' && decision[1] === 'NOT_DELIVERED'));
    const fallbackEvents = (after.outbox ?? []).filter((entry) => entry.topic === 'fallback');
    expect(fallbackEvents.map((entry) => entry.data)).toEqual(
      published ? [expect.objectContaining({ reason: decision[0], certainty: decision[1] })] : [],
    );
  });

  it('the PENDING timeout records the failure it concludes', () => {
    const after = applyFact(record('PENDING'), timer('pendingTimeout', 'notFound'), NOW);
    expect(after).toMatchObject({
      state: 'FAILED',
      failedAt: at(50),
      error: { code: 504, status: 'DEADLINE_EXCEEDED', reason: 'PENDING_TIMEOUT' },
    });
    expect(after?.error).toEqual(PENDING_TIMEOUT_ERROR);
  });

  it('a PENDING timeout answered 200 records the revoke', () => {
    expect(applyFact(record('PENDING'), timer('pendingTimeout', 'revoked'), NOW)).toMatchObject({
      state: 'REVOKED',
      revokedAt: at(50),
    });
  });
});

describe('a decision is made at most once', () => {
  const decided = (reason: FallbackReason, certainty: FallbackCertainty, state: MessageState) =>
    record(state, { fallbackPolicy: 'critical', fallback: { reason, certainty, decidedAt: at(30) } });

  const cases: Array<[string, AgentMessageRecord, DeliveryFact, MessageState]> = [
    [
      'TTL revoked after EXPIRY_UNCONFIRMED',
      decided('EXPIRY_UNCONFIRMED', 'UNKNOWN', 'SENT'),
      { kind: 'expired', at: at(40) },
      'EXPIRED',
    ],
    [
      'revoke 200 after EXPIRY_UNCONFIRMED',
      decided('EXPIRY_UNCONFIRMED', 'UNKNOWN', 'SENT'),
      { kind: 'revoked', at: at(40) },
      'REVOKED',
    ],
    [
      'a second TTL revoke failure',
      decided('EXPIRY_UNCONFIRMED', 'UNKNOWN', 'SENT'),
      { kind: 'revokeFailed', source: 'ttl', at: at(40) },
      'SENT',
    ],
  ];
  it.each(cases)('%s keeps the first decision', (_name, before, fact, state) => {
    const after = applyFact(before, fact, NOW)!;
    expect(after.state).toBe(state);
    expect(after.fallback).toEqual(before.fallback);
    expect((after.outbox ?? []).filter((entry) => entry.topic === 'fallback')).toEqual([]);
  });

  it('a repeated fact after a decision changes nothing', () => {
    const once = applyFact(record('SENT', { fallbackPolicy: 'safe' }), { kind: 'revoked', at: at(5) }, NOW)!;
    expect(applyFact(once, { kind: 'revoked', at: at(5) }, at(200))).toBeUndefined();
  });
});

describe('DELIVERED or READ after a decision', () => {
  const decisionRows = table.filter(
    (row) => row.decision !== undefined && (row.decision[1] === 'NOT_DELIVERED' || row.policy === 'critical'),
  );
  const delivery: Array<['delivered' | 'read', MessageState]> = [
    ['delivered', 'DELIVERED'],
    ['read', 'READ'],
  ];
  const cases = decisionRows.flatMap((row) => delivery.map(([kind, state]) => ({ ...row, kind, state })));

  it.each(cases)('$kind after "$trigger" (policy $policy) keeps the decision and marks it', (row) => {
    const decided = applyFact({ ...row.before, fallbackPolicy: row.policy }, row.fact, NOW)!;
    const after = applyFact(decided, { kind: row.kind, at: at(60) }, at(200))!;
    expect(after.state).toBe(row.state);
    expect(after.fallback).toEqual({ ...decided.fallback, deliveredAfter: true });

    const added = after.outbox!.slice(decided.outbox?.length ?? 0);
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      topic: 'status',
      eventKey: `m1/${row.state}`,
      data: { state: row.state, fallback: { reason: decided.fallback!.reason, deliveredAfter: true } },
    });
  });

  it('READ then DELIVERED after a decision marks it once', () => {
    const decided = applyFact(record('SENT'), { kind: 'revoked', at: at(5) }, NOW)!;
    const read = applyFact(decided, { kind: 'read', at: at(61) }, at(200))!;
    const delivered = applyFact(read, { kind: 'delivered', at: at(60) }, at(201))!;
    expect(delivered).toMatchObject({
      state: 'READ',
      deliveredAt: at(60),
      fallback: { deliveredAfter: true },
    });
    expect(delivered.outbox).toEqual(read.outbox);
  });

  it('a DELIVERED with no decision carries no fallback', () => {
    const after = applyFact(
      record('SENT', { fallbackPolicy: 'critical' }),
      { kind: 'delivered', at: at(7) },
      NOW,
    )!;
    expect(after.fallback).toBeUndefined();
    expect(after.outbox?.[0]?.data).not.toHaveProperty('fallback');
  });

  it('a DELIVERED for an unknown message creates it with no decision', () => {
    const created = applyDeliveryEvent(
      undefined,
      {
        eventId: 'e1',
        messageId: 'm9',
        agentId: 'agent',
        phoneNumber: '+15550000001',
        fact: { kind: 'delivered', at: at(1) },
      },
      NOW,
    );
    expect(created?.fallback).toBeUndefined();
  });

  it('a TTL revoke for an unknown message decides EXPIRED under the default policy, unpublished', () => {
    const created = applyDeliveryEvent(
      undefined,
      {
        eventId: 'e1',
        messageId: 'm9',
        agentId: 'agent',
        phoneNumber: '+15550000001',
        fact: { kind: 'expired', at: at(1) },
      },
      NOW,
    )!;
    expect(created.fallback).toEqual({ reason: 'EXPIRED', certainty: 'NOT_DELIVERED', decidedAt: NOW });
    expect(created.outbox?.map((entry) => entry.topic)).toEqual(['status']);
  });
});

describe('failed revokes', () => {
  it('revokeFailedAt is when the project first learned of a failed revoke', () => {
    const first = applyFact(record('SENT'), { kind: 'revokeFailed', source: 'revoke', at: at(10) }, at(10))!;
    const second = applyFact(first, { kind: 'revokeFailed', source: 'ttl', at: at(30) }, at(30));
    expect(first).toMatchObject({ revokeFailed: true, revokeFailedAt: at(10) });
    expect(second).toBeUndefined(); // policy none: a TTL failure decides nothing and the flag is already set
  });

  it('revokeFailed without a time counts from now', () => {
    expect(applyFact(record('SENT'), { kind: 'revokeFailed' }, at(12))).toMatchObject({
      revokeFailedAt: at(12),
    });
  });

  it('a TTL revoke failure after a failed manual revoke still decides for a critical message', () => {
    const policy: FallbackPolicy = 'critical';
    const first = applyFact(
      record('SENT', { fallbackPolicy: policy }),
      { kind: 'revokeFailed', at: at(10) },
      at(10),
    )!;
    expect(first.fallback).toBeUndefined();
    const second = applyFact(first, { kind: 'revokeFailed', source: 'ttl', at: at(30) }, at(30))!;
    expect(second).toMatchObject({
      revokeFailedAt: at(10),
      fallback: { reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN', decidedAt: at(30) },
    });
  });

  it("reconcile's 404 after an expiry marks the revoke as failed", () => {
    const after = applyFact(record('SENT', SENT_WITH_EXPIRY), timer('afterExpireTime', 'notFound'), NOW)!;
    expect(after).toMatchObject({
      revokeFailed: true,
      revokeFailedAt: at(50),
      timerRevoke: { rule: 'afterExpireTime', answer: 'notFound', at: at(50) },
    });
  });
});
