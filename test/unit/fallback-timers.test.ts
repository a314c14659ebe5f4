import { describe, expect, it } from 'vitest';
import { applyFact, type AgentMessageRecord } from '../../shared/delivery-state.js';
import {
  dueTimerRule,
  revokeRequestDue,
  scheduledTimer,
  timerStartAt,
  type TimerRule,
} from '../../shared/fallback/timers.js';
import { messageRecord as record, T0 } from '../support/message-records.js';

const at = (ms: number) => new Date(T0.getTime() + ms);
const S = 1000;
const settings = { graceMs: 600 * S, pendingTimeoutMs: 3600 * S };

const failedRevoke = { revokeFailed: true, revokeFailedAt: at(100 * S) };
const expiring = { expireTime: at(50 * S) };

describe('dueTimerRule at the boundaries', () => {
  // [name, record, now, rule due then]
  const cases: Array<[string, AgentMessageRecord, Date, TimerRule | undefined]> = [
    ['PENDING just before the timeout', record('PENDING'), at(3600 * S - 1), undefined],
    ['PENDING at the timeout', record('PENDING'), at(3600 * S), 'pendingTimeout'],
    ['PENDING long after the timeout', record('PENDING'), at(99_999 * S), 'pendingTimeout'],
    ['failed revoke just before grace ends', record('SENT', failedRevoke), at(700 * S - 1), undefined],
    ['failed revoke when grace ends', record('SENT', failedRevoke), at(700 * S), 'afterFailedRevoke'],
    [
      'failed revoke counts from when it was learned, not from the send',
      record('SENT', { ...failedRevoke, sentAt: T0, updatedAt: at(200 * S) }),
      at(650 * S),
      undefined,
    ],
    [
      'failed revoke with no revokeFailedAt counts from the last change',
      record('SENT', { revokeFailed: true, updatedAt: at(100 * S) }),
      at(700 * S),
      'afterFailedRevoke',
    ],
    ['expiry just before expireTime + grace', record('SENT', expiring), at(650 * S - 1), undefined],
    ['expiry at expireTime + grace', record('SENT', expiring), at(650 * S), 'afterExpireTime'],
    [
      'expiry with a failed TTL revoke waits for that grace instead',
      record('SENT', { ...expiring, ...failedRevoke }),
      at(650 * S),
      undefined,
    ],
    [
      'expiry with a failed TTL revoke, its grace over',
      record('SENT', { ...expiring, ...failedRevoke }),
      at(700 * S),
      'afterFailedRevoke',
    ],
    ['SENT with no expiry and no failed revoke never', record('SENT'), at(10 ** 10), undefined],
    [
      'a decision already made stops the expiry timer',
      record('SENT', {
        ...expiring,
        fallback: { reason: 'REJECTED', certainty: 'NOT_DELIVERED', decidedAt: at(100 * S) },
      }),
      at(10 ** 10),
      undefined,
    ],
    [
      'a failed revoke decided at once (EXPIRY_UNCONFIRMED) is still revoked once more',
      record('SENT', {
        ...failedRevoke,
        fallback: { reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN', decidedAt: at(100 * S) },
      }),
      at(700 * S),
      'afterFailedRevoke',
    ],
    [
      'reconcile already revoked it',
      record('SENT', {
        ...expiring,
        timerRevoke: { rule: 'afterExpireTime', answer: 'notFound', at: at(700 * S) },
      }),
      at(10 ** 10),
      undefined,
    ],
    ['DELIVERED', record('DELIVERED', { ...expiring, ...failedRevoke }), at(10 ** 10), undefined],
    ['READ', record('READ', { ...expiring, ...failedRevoke }), at(10 ** 10), undefined],
    ['REVOKED', record('REVOKED', expiring), at(10 ** 10), undefined],
    ['EXPIRED', record('EXPIRED', expiring), at(10 ** 10), undefined],
    ['FAILED (e.g. a consent refusal)', record('FAILED'), at(10 ** 10), undefined],
  ];
  it.each(cases)('%s', (_name, subject, now, expected) => {
    expect(dueTimerRule(subject, now, settings)).toBe(expected);
  });

  it('scheduledTimer gives the due time reconcile can wait for', () => {
    expect(scheduledTimer(record('SENT', expiring), settings)).toEqual({
      rule: 'afterExpireTime',
      dueAt: at(650 * S),
    });
  });
});

describe('a timer fires once', () => {
  const rules: Array<[TimerRule, AgentMessageRecord]> = [
    ['afterFailedRevoke', record('SENT', failedRevoke)],
    ['afterExpireTime', record('SENT', expiring)],
    ['pendingTimeout', record('PENDING')],
  ];
  const answers = ['revoked', 'notFound'] as const;
  const cases = rules.flatMap(([rule, subject]) => answers.map((answer) => ({ rule, subject, answer })));

  it.each(cases)('$rule answered $answer, policy none: never due again', ({ rule, subject, answer }) => {
    const now = at(10 ** 7);
    expect(dueTimerRule(subject, now, settings)).toBe(rule);
    const after = applyFact(subject, { kind: 'timerRevoke', rule, answer, at: now }, now)!;
    expect(after).toBeDefined();
    expect(dueTimerRule(after, at(10 ** 10), settings)).toBeUndefined();
  });

  it('a TTL revoke failure on a critical message: decided at once, and still revoked once more after the grace', () => {
    const after = applyFact(
      record('SENT', { ...expiring, fallbackPolicy: 'critical' }),
      { kind: 'revokeFailed', source: 'ttl', at: at(60 * S) },
      at(60 * S),
    )!;
    expect(after.fallback).toMatchObject({ reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN' });
    expect(dueTimerRule(after, at(660 * S - 1), settings)).toBeUndefined();
    expect(dueTimerRule(after, at(660 * S), settings)).toBe('afterFailedRevoke');
    // RBM takes it back: REVOKED, and the decision made at once stays the only one.
    const revoked = applyFact(
      after,
      { kind: 'timerRevoke', rule: 'afterFailedRevoke', answer: 'revoked', at: at(660 * S) },
      at(660 * S),
    )!;
    expect(revoked.state).toBe('REVOKED');
    expect(revoked.fallback).toEqual(after.fallback);
    expect(dueTimerRule(revoked, at(10 ** 10), settings)).toBeUndefined();
  });

  it('a failed revoke on a safe message starts the grace period', () => {
    const after = applyFact(
      record('SENT', { ...expiring, fallbackPolicy: 'safe' }),
      { kind: 'revokeFailed', source: 'ttl', at: at(60 * S) },
      at(60 * S),
    )!;
    expect(dueTimerRule(after, at(660 * S - 1), settings)).toBeUndefined();
    expect(dueTimerRule(after, at(660 * S), settings)).toBe('afterFailedRevoke');
  });
});

describe('an open revoke request: when reconcile finishes it, and the derived timerAt', () => {
  const requested = { revokeRequestedAt: at(100 * S) };
  // [name, record, now, due then, timerAt]
  const cases: Array<[string, AgentMessageRecord, Date, boolean, Date | undefined]> = [
    ['SENT, just before grace ends', record('SENT', requested), at(700 * S - 1), false, at(100 * S)],
    ['SENT, when grace ends', record('SENT', requested), at(700 * S), true, at(100 * S)],
    [
      'SENT with a decision already made: still finished',
      record('SENT', {
        ...requested,
        fallback: { reason: 'NO_OUTCOME', certainty: 'UNKNOWN', decidedAt: at(0) },
      }),
      at(700 * S),
      true,
      at(100 * S),
    ],
    ['PENDING: the pending timeout covers it', record('PENDING', requested), at(10 ** 10), false, undefined],
    ['REVOKED: nothing to finish', record('REVOKED', requested), at(10 ** 10), false, undefined],
    [
      'an earlier expiry timer comes first in timerAt',
      record('SENT', { ...requested, ...expiring }),
      at(700 * S),
      true,
      at(50 * S),
    ],
    ['no request, no timer', record('SENT'), at(10 ** 10), false, undefined],
  ];
  it.each(cases)('%s', (_name, message, now, due, startAt) => {
    expect(revokeRequestDue(message, now, settings)).toBe(due);
    expect(timerStartAt(message)).toEqual(startAt);
  });
});
