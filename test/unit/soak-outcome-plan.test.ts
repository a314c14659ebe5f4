/** The soak's outcome plan (policies, headers, ttl, races) and what it expects of each message. */
import { describe, expect, it } from 'vitest';
import { decisionPublished, expectedOutcome } from '../../scripts/soak/outcome-expectations.js';
import {
  outcomeHeaders,
  planMessageOutcome,
  SOAK_TTL,
  withOutcomeFields,
  type MessageOutcomePlan,
} from '../../scripts/soak/outcome-plan.js';
import { planSoak, type PhoneScript, type PlannedMessage } from '../../scripts/soak/plan.js';
import { seededRandom } from '../../scripts/soak/util.js';
import type { FallbackPolicy } from '../../shared/fallback-decision.js';

function message(plan: Partial<MessageOutcomePlan>): PlannedMessage {
  const outcome: MessageOutcomePlan = {
    policy: 'none',
    policyHeader: undefined,
    correlationId: undefined,
    ttl: undefined,
    trafficType: undefined,
    revokeRace: false,
    ...plan,
  };
  return {
    index: 0,
    phone: '+15552000000',
    id: { kind: 'idempotencyKey', key: 'k' },
    body: {},
    resend: false,
    outcome,
  };
}

const describeDecisions = (script: PhoneScript, plan: Partial<MessageOutcomePlan>) => {
  const expected = expectedOutcome(script, message(plan));
  const decisions = expected.decisions.map((d) =>
    d === null ? 'none' : `${d.reason}/${d.certainty}${d.deliveredAfter ? '+after' : ''}`,
  );
  return `${expected.status} ${expected.state} ${decisions.join('|')}`;
};

describe('expectedOutcome', () => {
  it.each<[PhoneScript, Partial<MessageOutcomePlan>, string]>([
    ['reachable', {}, '200 READ none'],
    ['reachable', { trafficType: 'PROMOTION', policy: 'critical' }, '200 READ none'],
    ['unreachable', { policy: 'none' }, '404 FAILED NOT_REACHABLE/NOT_DELIVERED'],
    ['offline-then-online', { policy: 'critical' }, '200 READ none'],
    ['offline-revoked', { policy: 'safe' }, '200 REVOKED REVOKED/NOT_DELIVERED'],
    ['offline-stays', { policy: 'critical' }, '200 SENT none'],
    ['revoke-race', { policy: 'safe', revokeRace: true }, '200 READ REVOKED/NOT_DELIVERED+after|none'],
    ['ttl-expired', { policy: 'none' }, '200 EXPIRED EXPIRED/NOT_DELIVERED'],
    ['ttl-revoke-failed', { policy: 'critical' }, '200 REVOKED EXPIRY_UNCONFIRMED/UNKNOWN'],
    ['ttl-revoke-failed', { policy: 'safe' }, '200 REVOKED REVOKED/NOT_DELIVERED'],
    ['ttl-revoke-failed', { policy: 'none', revokeRace: true }, '200 READ REVOKED/NOT_DELIVERED+after|none'],
    ['ttl-revoke-failed-delivered', { policy: 'critical' }, '200 READ EXPIRY_UNCONFIRMED/UNKNOWN+after|none'],
    ['ttl-revoke-failed-delivered', { policy: 'safe' }, '200 READ none'],
    ['outcome-dropped', { policy: 'safe' }, '200 REVOKED REVOKED/NOT_DELIVERED'],
    ['unsubscribed-event', { trafficType: 'PROMOTION', policy: 'critical' }, '400 FAILED none'],
    ['unsubscribed-keyword', { trafficType: 'TRANSACTION', policy: 'safe' }, '200 READ none'],
  ])('%s %j → %s', (script, plan, want) => {
    expect(describeDecisions(script, plan)).toBe(want);
  });
});

describe('decisionPublished', () => {
  it.each<[FallbackPolicy, 'NOT_DELIVERED' | 'UNKNOWN', boolean]>([
    ['none', 'NOT_DELIVERED', false],
    ['none', 'UNKNOWN', false],
    ['safe', 'NOT_DELIVERED', true],
    ['safe', 'UNKNOWN', false],
    ['critical', 'NOT_DELIVERED', true],
    ['critical', 'UNKNOWN', true],
  ])('%s, %s → %s', (policy, certainty, published) => {
    expect(decisionPublished(policy, certainty)).toBe(published);
  });
});

describe('planMessageOutcome', () => {
  it('gives every script every policy, a ttl where expiry matters, and races only where they are planned', () => {
    const plan = planSoak(200, 6, 'test');
    const seen = new Map<PhoneScript, Set<FallbackPolicy>>();
    for (const phone of plan.phones) {
      for (const { outcome } of phone.messages) {
        seen.set(phone.script, (seen.get(phone.script) ?? new Set()).add(outcome.policy));
        const ttlScript = phone.script.startsWith('ttl-') || phone.script === 'outcome-dropped';
        expect(outcome.ttl).toBe(ttlScript ? SOAK_TTL : undefined);
        if (phone.script === 'revoke-race') expect(outcome.revokeRace).toBe(true);
        else if (phone.script !== 'ttl-revoke-failed' || outcome.policy === 'critical')
          expect(outcome.revokeRace).toBe(false);
      }
    }
    expect(seen.size).toBe(12);
    for (const policies of seen.values()) expect([...policies].sort()).toEqual(['critical', 'none', 'safe']);
  });

  it('sends the policy header in any case, or not at all for none, and sets the body fields', () => {
    const random = seededRandom(3);
    const headers = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const outcome = planMessageOutcome(random, 'unsubscribed-event', {
        runId: 'r',
        index: i,
        phoneIndex: 0,
        ordinal: i,
      });
      const sent = outcomeHeaders(outcome);
      headers.add(sent['fallback-policy'] ?? '(absent)');
      if (outcome.policyHeader === undefined) expect(outcome.policy).toBe('none');
      else expect(outcome.policyHeader.toLowerCase()).toBe(outcome.policy);
      expect(sent['correlation-id']).toBe(outcome.correlationId);
      expect(withOutcomeFields({ messageTrafficType: 'TRANSACTION' }, outcome).messageTrafficType).toBe(
        outcome.trafficType,
      );
    }
    expect(headers).toEqual(
      new Set([
        '(absent)',
        'none',
        'NONE',
        'None',
        'safe',
        'SAFE',
        'Safe',
        'critical',
        'CRITICAL',
        'Critical',
      ]),
    );
  });
});
