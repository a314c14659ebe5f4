/** What the sandbox page shows of the backend's records: message history, fallback badge, consent; phone modes. */
import { describe, expect, it } from 'vitest';
import {
  consentView,
  fallbackBadge,
  messageOutcome,
  publishesDecision,
  stateHistory,
} from '../../sandbox/app/record-views.js';
import { PHONE_MODES, modeOf, phoneOptionsFor } from '../../sandbox/app/view-model.js';
import type { BackendRecord } from '../../sandbox/app/view-model.js';

const T = (second: number): string => new Date(Date.UTC(2026, 0, 1, 10, 0, second)).toISOString();

describe('stateHistory', () => {
  const cases: ReadonlyArray<{ name: string; record: BackendRecord; labels: string[] }> = [
    {
      name: 'a read message: created, sent, delivered, read',
      record: { state: 'READ', createdAt: T(0), sentAt: T(1), deliveredAt: T(2), readAt: T(3) },
      labels: ['created', 'SENT', 'DELIVERED', 'READ'],
    },
    {
      name: 'READ before DELIVERED in time order (events arrive in any order)',
      record: { state: 'READ', createdAt: T(0), sentAt: T(1), readAt: T(2), deliveredAt: T(3) },
      labels: ['created', 'SENT', 'READ', 'DELIVERED'],
    },
    {
      name: 'a consent refusal: created directly as FAILED at the same instant',
      record: { state: 'FAILED', createdAt: T(0), failedAt: T(0) },
      labels: ['created', 'FAILED'],
    },
    {
      name: 'an expired message with its decision',
      record: {
        state: 'EXPIRED',
        createdAt: T(0),
        sentAt: T(1),
        expiredAt: T(5),
        fallback: { reason: 'EXPIRED', certainty: 'NOT_DELIVERED', decidedAt: T(5) },
      },
      labels: ['created', 'SENT', 'EXPIRED', 'fallback EXPIRED'],
    },
    {
      name: 'a failed TTL revoke, a decision, then a late delivery',
      record: {
        state: 'DELIVERED',
        createdAt: T(0),
        sentAt: T(1),
        revokeFailed: true,
        revokeFailedAt: T(4),
        deliveredAt: T(9),
        fallback: {
          reason: 'EXPIRY_UNCONFIRMED',
          certainty: 'UNKNOWN',
          decidedAt: T(4),
          deliveredAfter: true,
        },
      },
      labels: ['created', 'SENT', 'revoke failed', 'fallback EXPIRY_UNCONFIRMED', 'DELIVERED'],
    },
    {
      name: 'fields that are not times are left out',
      record: { state: 'SENT', createdAt: T(0), sentAt: 17, readAt: '' },
      labels: ['created'],
    },
  ];
  it.each(cases)('$name', ({ record, labels }) => {
    expect(stateHistory(record).map((entry) => entry.label)).toEqual(labels);
  });

  it('gives each entry its time and kind', () => {
    expect(stateHistory({ createdAt: T(0), sentAt: T(1), revokeFailedAt: T(2) })).toEqual([
      { kind: 'created', label: 'created', at: T(0) },
      { kind: 'state', label: 'SENT', at: T(1) },
      { kind: 'revokeFailed', label: 'revoke failed', at: T(2) },
    ]);
  });
});

describe('fallbackBadge', () => {
  const cases: ReadonlyArray<{ name: string; record: BackendRecord; badge: unknown }> = [
    { name: 'no decision', record: { state: 'READ' }, badge: null },
    {
      name: 'a decision',
      record: {
        fallbackPolicy: 'safe',
        fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED', decidedAt: T(3) },
      },
      badge: {
        reason: 'REVOKED',
        certainty: 'NOT_DELIVERED',
        decidedAt: T(3),
        deliveredAfter: false,
        published: true,
      },
    },
    {
      name: 'delivered after the decision',
      record: {
        fallbackPolicy: 'critical',
        fallback: { reason: 'NO_OUTCOME', certainty: 'UNKNOWN', decidedAt: T(3), deliveredAfter: true },
      },
      badge: {
        reason: 'NO_OUTCOME',
        certainty: 'UNKNOWN',
        decidedAt: T(3),
        deliveredAfter: true,
        published: true,
      },
    },
    {
      name: 'a decision the policy does not publish',
      record: { fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED', decidedAt: T(3) } },
      badge: {
        reason: 'REVOKED',
        certainty: 'NOT_DELIVERED',
        decidedAt: T(3),
        deliveredAfter: false,
        published: false,
      },
    },
    { name: 'a malformed decision', record: { fallback: { reason: 'REVOKED' } }, badge: null },
    { name: 'not a map', record: { fallback: 'REVOKED' }, badge: null },
  ];
  it.each(cases)('$name', ({ record, badge }) => {
    expect(fallbackBadge(record)).toEqual(badge);
  });
});

describe('publishesDecision', () => {
  const cases = [
    { policy: undefined, certainty: 'NOT_DELIVERED', published: false },
    { policy: 'none', certainty: 'NOT_DELIVERED', published: false },
    { policy: 'safe', certainty: 'NOT_DELIVERED', published: true },
    { policy: 'safe', certainty: 'UNKNOWN', published: false },
    { policy: 'critical', certainty: 'NOT_DELIVERED', published: true },
    { policy: 'critical', certainty: 'UNKNOWN', published: true },
  ];
  it.each(cases)('policy $policy, $certainty → $published', ({ policy, certainty, published }) => {
    expect(publishesDecision(policy, certainty)).toBe(published);
  });
});

describe('messageOutcome', () => {
  it('is null without a record', () => {
    expect(messageOutcome(null)).toBeNull();
  });

  it('carries the policy, the failed revoke and the refusal reason', () => {
    expect(
      messageOutcome({
        state: 'FAILED',
        createdAt: T(0),
        failedAt: T(0),
        fallbackPolicy: 'critical',
        revokeFailed: true,
        error: { code: 400, status: 'FAILED_PRECONDITION', message: 'x', reason: 'RECIPIENT_UNSUBSCRIBED' },
      }),
    ).toMatchObject({
      fallback: null,
      fallbackPolicy: 'critical',
      revokeFailed: true,
      errorReason: 'RECIPIENT_UNSUBSCRIBED',
    });
  });
});

describe('consentView', () => {
  const cases: ReadonlyArray<{ name: string; document: BackendRecord | undefined; view: unknown }> = [
    {
      name: 'no document: subscribed',
      document: undefined,
      view: { subscribed: true, changedAt: null, source: null },
    },
    {
      name: 'unsubscribed by an event',
      document: { subscribed: false, changedAt: T(1), source: 'EVENT' },
      view: { subscribed: false, changedAt: T(1), source: 'EVENT' },
    },
    {
      name: 'subscribed again by a keyword',
      document: { subscribed: true, changedAt: T(2), source: 'KEYWORD' },
      view: { subscribed: true, changedAt: T(2), source: 'KEYWORD' },
    },
  ];
  it.each(cases)('$name', ({ document, view }) => {
    expect(consentView(document)).toEqual(view);
  });
});

describe('phone modes', () => {
  it.each(PHONE_MODES)('%s reads back from the options it sets', (mode) => {
    expect(modeOf(phoneOptionsFor(mode, 100), undefined)).toBe(mode);
  });

  it('drop-outcomes drops every outcome and sends no events', () => {
    expect(phoneOptionsFor('drop-outcomes', 100)).toEqual({
      autoDeliver: false,
      autoEvents: null,
      dropOutcomes: true,
    });
  });
});
