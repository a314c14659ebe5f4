import { describe, expect, it } from 'vitest';
import {
  MESSAGE_STATES,
  applyDeliveryEvent,
  applyFact,
  nextState,
  type AgentMessageRecord,
  type DeliveryFact,
  type MessageState,
} from '../../shared/delivery-state.js';
import { messageRecord as record, T0 } from '../support/message-records.js';

const at = (s: number) => new Date(T0.getTime() + s * 1000);

describe('nextState', () => {
  // [current, target, expected]
  const cases: Array<[MessageState, MessageState, MessageState]> = [
    ['PENDING', 'SENT', 'SENT'],
    ['PENDING', 'FAILED', 'FAILED'],
    ['SENT', 'FAILED', 'SENT'],
    ['DELIVERED', 'FAILED', 'DELIVERED'],
    ['SENT', 'DELIVERED', 'DELIVERED'],
    ['SENT', 'READ', 'READ'],
    ['READ', 'DELIVERED', 'READ'],
    ['REVOKED', 'DELIVERED', 'DELIVERED'],
    ['EXPIRED', 'DELIVERED', 'DELIVERED'],
    ['FAILED', 'DELIVERED', 'DELIVERED'],
    ['REVOKED', 'EXPIRED', 'REVOKED'],
    ['EXPIRED', 'REVOKED', 'EXPIRED'],
    ['DELIVERED', 'REVOKED', 'DELIVERED'],
    ['READ', 'EXPIRED', 'READ'],
    ['SENT', 'SENT', 'SENT'],
    ['DELIVERED', 'SENT', 'DELIVERED'],
    ['PENDING', 'REVOKED', 'REVOKED'],
  ];
  it.each(cases)('%s + %s → %s', (current, target, expected) => {
    expect(nextState(current, target)).toBe(expected);
  });

  it('never lowers the rank, for every pair of states', () => {
    const rank = { PENDING: 0, SENT: 1, REVOKED: 2, EXPIRED: 2, FAILED: 2, DELIVERED: 3, READ: 4 };
    for (const current of MESSAGE_STATES) {
      for (const target of MESSAGE_STATES) {
        expect(rank[nextState(current, target)]).toBeGreaterThanOrEqual(rank[current]);
      }
    }
  });
});

describe('applyFact', () => {
  it('READ before DELIVERED ends READ with both timestamps', () => {
    const afterRead = applyFact(record('SENT'), { kind: 'read', at: at(20) }, at(21));
    const afterDelivered = applyFact(afterRead!, { kind: 'delivered', at: at(10) }, at(22));
    expect(afterDelivered).toMatchObject({
      state: 'READ',
      readAt: at(20),
      deliveredAt: at(10),
      updatedAt: at(22),
    });
  });

  it('DELIVERED after REVOKED moves to DELIVERED and keeps revokedAt', () => {
    const next = applyFact(record('REVOKED', { revokedAt: at(5) }), { kind: 'delivered', at: at(6) }, at(7));
    expect(next).toMatchObject({ state: 'DELIVERED', revokedAt: at(5), deliveredAt: at(6) });
  });

  it('a repeated fact changes nothing', () => {
    const once = applyFact(record('SENT'), { kind: 'delivered', at: at(1) }, at(2))!;
    expect(applyFact(once, { kind: 'delivered', at: at(1) }, at(3))).toBeUndefined();
  });

  it('the first timestamp of a fact wins', () => {
    const once = applyFact(record('SENT'), { kind: 'delivered', at: at(1) }, at(2))!;
    const again = applyFact(once, { kind: 'delivered', at: at(9) }, at(3));
    expect(again).toBeUndefined();
  });

  it('sent counts attempts and keeps RBM name and times', () => {
    const fact: DeliveryFact = {
      kind: 'sent',
      at: at(1),
      attempts: 2,
      name: 'phones/+15550000001/agentMessages/m1',
      sendTime: at(1),
      expireTime: at(100),
    };
    expect(applyFact(record('PENDING', { attempts: 1 }), fact, at(2))).toMatchObject({
      state: 'SENT',
      sentAt: at(1),
      attempts: 3,
      name: 'phones/+15550000001/agentMessages/m1',
      expireTime: at(100),
    });
  });

  it('failed enters FAILED only from PENDING and records the error', () => {
    const error = { code: 404, status: 'NOT_FOUND', message: 'not reachable' };
    expect(
      applyFact(record('PENDING'), { kind: 'failed', at: at(1), attempts: 1, error }, at(2)),
    ).toMatchObject({
      state: 'FAILED',
      failedAt: at(1),
      error,
      attempts: 1,
    });
    const fromSent = applyFact(record('SENT'), { kind: 'failed', at: at(1), attempts: 1, error }, at(2));
    expect(fromSent?.state).toBe('SENT');
    expect(fromSent?.failedAt).toBeUndefined();
  });

  it('unavailable keeps PENDING with the error and attempts', () => {
    const error = { code: 503, status: 'UNAVAILABLE', message: 'down' };
    expect(applyFact(record('PENDING'), { kind: 'unavailable', attempts: 4, error }, at(1))).toMatchObject({
      state: 'PENDING',
      attempts: 4,
      error,
    });
  });

  it('revokeFailed only flags the record', () => {
    expect(applyFact(record('SENT'), { kind: 'revokeFailed' }, at(1))).toMatchObject({
      state: 'SENT',
      revokeFailed: true,
    });
  });
});

describe('the open revoke request (revokeRequestedAt)', () => {
  const open = { revokeRequestedAt: at(5) };
  // [name, record before, fact, revokeRequestedAt after, state after]
  const cases: Array<[string, AgentMessageRecord, DeliveryFact, Date | undefined, MessageState]> = [
    ['requested on SENT', record('SENT'), { kind: 'revokeRequested', at: at(5) }, at(5), 'SENT'],
    ['requested on PENDING', record('PENDING'), { kind: 'revokeRequested', at: at(5) }, at(5), 'PENDING'],
    [
      'a later request restarts it',
      record('SENT', open),
      { kind: 'revokeRequested', at: at(9) },
      at(9),
      'SENT',
    ],
    ['not on FAILED', record('FAILED'), { kind: 'revokeRequested', at: at(5) }, undefined, 'FAILED'],
    ['not on EXPIRED', record('EXPIRED'), { kind: 'revokeRequested', at: at(5) }, undefined, 'EXPIRED'],
    ['revoked closes it', record('SENT', open), { kind: 'revoked', at: at(6) }, undefined, 'REVOKED'],
    ['a 404 closes it', record('SENT', open), { kind: 'revokeFailed', at: at(6) }, undefined, 'SENT'],
    ['a refusal closes it', record('SENT', open), { kind: 'revokeRefused' }, undefined, 'SENT'],
    [
      'a TTL revoke failure is not its answer',
      record('SENT', open),
      { kind: 'revokeFailed', source: 'ttl', at: at(6) },
      at(5),
      'SENT',
    ],
    ['DELIVERED closes it', record('SENT', open), { kind: 'delivered', at: at(6) }, undefined, 'DELIVERED'],
    ['sent keeps it', record('PENDING', open), { kind: 'sent', at: at(6), attempts: 1 }, at(5), 'SENT'],
    [
      'reconcile’s timer revoke closes it',
      record('SENT', open),
      { kind: 'timerRevoke', rule: 'afterExpireTime', answer: 'revoked', at: at(6) },
      undefined,
      'REVOKED',
    ],
  ];
  it.each(cases)('%s', (_name, before, fact, requestedAt, state) => {
    const after = applyFact(before, fact, at(10)) ?? before;
    expect(after.revokeRequestedAt).toEqual(requestedAt);
    expect(after.state).toBe(state);
  });

  it('a request queues no event and makes no decision', () => {
    const after = applyFact(record('SENT'), { kind: 'revokeRequested', at: at(5) }, at(5));
    expect(after?.outbox).toBeUndefined();
    expect(after?.fallback).toBeUndefined();
  });

  it('a refusal with no open request changes nothing (no write)', () => {
    expect(applyFact(record('SENT'), { kind: 'revokeRefused' }, at(5))).toBeUndefined();
  });
});

describe('applyDeliveryEvent', () => {
  const event = (eventId: string, fact: DeliveryFact) => ({
    eventId,
    messageId: 'm1',
    agentId: 'agent',
    phoneNumber: '+15550000001',
    fact,
  });

  it('creates a record for an unknown message from the event', () => {
    const created = applyDeliveryEvent(undefined, event('e1', { kind: 'delivered', at: at(1) }), at(2));
    expect(created).toMatchObject({
      messageId: 'm1',
      agentId: 'agent',
      phoneNumber: '+15550000001',
      state: 'DELIVERED',
      deliveredAt: at(1),
      appliedEventIds: ['e1'],
    });
  });

  it('an event id already applied changes nothing', () => {
    const once = applyDeliveryEvent(record('SENT'), event('e1', { kind: 'delivered', at: at(1) }), at(2))!;
    expect(applyDeliveryEvent(once, event('e1', { kind: 'delivered', at: at(1) }), at(3))).toBeUndefined();
  });

  it('a TTL revoke-failed event for an unknown message records it as SENT with revokeFailed', () => {
    expect(applyDeliveryEvent(undefined, event('e9', { kind: 'revokeFailed' }), at(1))).toMatchObject({
      state: 'SENT',
      revokeFailed: true,
    });
  });

  it('any order and any number of duplicates of DELIVERED and READ ends READ with both timestamps', () => {
    const events = [
      event('d', { kind: 'delivered', at: at(1) }),
      event('r', { kind: 'read', at: at(2) }),
      event('x', { kind: 'expired', at: at(3) }),
    ];
    const orders = [
      [0, 1, 2],
      [1, 0, 2],
      [2, 1, 0],
      [1, 2, 0, 1, 0],
      [2, 2, 0, 1, 1],
    ];
    for (const order of orders) {
      let current: AgentMessageRecord | undefined = record('SENT');
      for (const index of order) current = applyDeliveryEvent(current, events[index]!, at(10)) ?? current;
      expect(current).toMatchObject({ state: 'READ', deliveredAt: at(1), readAt: at(2) });
    }
  });
});
