import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../shared/errors.js';
import { MAX_CHANGED_AT_AHEAD_MS, parseConsentBody } from '../../shared/query/consent-requests.js';
import { agentMessageView, consentView, userMessageView } from '../../shared/query/views.js';

const at = new Date('2026-02-03T04:05:06.789Z');

describe('what the query API shows', () => {
  it('an agent message: its public fields, times as RFC 3339, and no bookkeeping', () => {
    const stored = {
      messageId: 'm1',
      agentId: 'agent',
      phoneNumber: '+15550100001',
      state: 'DELIVERED',
      contentType: 'text',
      createdAt: at,
      updatedAt: at,
      deliveredAt: at,
      attempts: 1,
      correlationId: 'order-7',
      campaignId: 'spring',
      fallbackPolicy: 'safe',
      fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED', decidedAt: at, deliveredAfter: true },
      error: { code: 404, status: 'NOT_FOUND', message: 'x' },
      contentSha256: 'ab'.repeat(32),
      appliedEventIds: ['e1'],
      outbox: [{ eventKey: 'm1/DELIVERED' }],
      outboxSince: at,
      timerRevoke: { rule: 'expiry', answer: 'revoked', at },
      timerAt: at,
      revokeFailedAt: at,
      name: 'phones/+15550100001/agentMessages/m1',
      sendTime: at,
    };
    const view = agentMessageView(stored);
    expect(view).toEqual({
      messageId: 'm1',
      agentId: 'agent',
      phoneNumber: '+15550100001',
      state: 'DELIVERED',
      contentType: 'text',
      createdAt: '2026-02-03T04:05:06.789Z',
      updatedAt: '2026-02-03T04:05:06.789Z',
      deliveredAt: '2026-02-03T04:05:06.789Z',
      attempts: 1,
      correlationId: 'order-7',
      campaignId: 'spring',
      fallbackPolicy: 'safe',
      fallback: {
        reason: 'REVOKED',
        certainty: 'NOT_DELIVERED',
        decidedAt: '2026-02-03T04:05:06.789Z',
        deliveredAfter: true,
      },
      error: { code: 404, status: 'NOT_FOUND', message: 'x' },
    });
  });

  it('a user message: no publish claim fields', () => {
    const view = userMessageView({
      messageId: 'u1',
      agentId: 'agent',
      phoneNumber: '+15550100001',
      sendTime: at,
      receivedAt: at,
      kind: 'text',
      text: 'hello',
      readByAgentAt: at,
      publishState: 'PUBLISHED',
      claimId: 'c',
      claimedAt: at,
      publishedAt: at,
      pubsubMessageId: '1',
    });
    expect(Object.keys(view).sort()).toEqual(
      [
        'agentId',
        'kind',
        'messageId',
        'phoneNumber',
        'readByAgentAt',
        'receivedAt',
        'sendTime',
        'text',
      ].sort(),
    );
    expect(view.sendTime).toBe('2026-02-03T04:05:06.789Z');
  });

  it('a consent: no unpublished-change bookkeeping', () => {
    expect(
      consentView({
        phoneNumber: '+15550100001',
        agentId: 'agent',
        subscribed: false,
        changedAt: at,
        source: 'API',
        unpublishedChangeIds: ['x'],
      }),
    ).toEqual({
      phoneNumber: '+15550100001',
      agentId: 'agent',
      subscribed: false,
      changedAt: '2026-02-03T04:05:06.789Z',
      source: 'API',
    });
  });
});

describe('PUT consent bodies', () => {
  const now = new Date('2026-02-03T00:00:00Z');
  const parse = (body: Record<string, unknown>) => {
    const violations: FieldViolation[] = [];
    const value = parseConsentBody(body, now, violations);
    return { value, fields: violations.map((v) => v.field) };
  };

  it.each([
    [{ subscribed: false }, { subscribed: false, changedAt: now }, []],
    [
      { subscribed: true, changedAt: '2026-02-01T10:00:00Z' },
      { subscribed: true, changedAt: new Date('2026-02-01T10:00:00Z') },
      [],
    ],
    [{}, undefined, ['subscribed']],
    [{ subscribed: 'no' }, undefined, ['subscribed']],
    [{ subscribed: true, changedAt: 'Monday' }, undefined, ['changedAt']],
    [{ subscribed: true, changedAt: '2026-02-03T01:00:00Z' }, undefined, ['changedAt']],
    [{ subscribed: true, source: 'EVENT' }, undefined, ['source']],
    [{ changedAt: 5, other: 1 }, undefined, ['other', 'subscribed', 'changedAt']],
  ])('%j', (body, expected, fields) => {
    expect(parse(body)).toEqual({ value: expected, fields });
  });

  it('allows clock skew up to the limit', () => {
    const skewed = new Date(now.getTime() + MAX_CHANGED_AT_AHEAD_MS).toISOString();
    expect(parse({ subscribed: true, changedAt: skewed }).fields).toEqual([]);
  });
});
