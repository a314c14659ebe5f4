/**
 * What must become of each planned message: the send's answer, the record's final state and its fallback
 * decision, from its phone's script and its outcome plan. The soak's own reading of the decision table
 * (docs/status-and-fallback.md), kept apart from the product's code so that it can catch it out. Pure.
 */
import type { MessageState } from '../../shared/delivery-state.js';
import type { FallbackCertainty, FallbackPolicy, FallbackReason } from '../../shared/fallback-decision.js';
import type { PhoneScript, PlannedMessage } from './plan.js';

export interface ExpectedDecision {
  readonly reason: FallbackReason;
  readonly certainty: FallbackCertainty;
  /** A DELIVERED or READ came after the decision. */
  readonly deliveredAfter: boolean;
}

export interface ExpectedOutcome {
  /** The send's final HTTP status. */
  readonly status: 200 | 400 | 404;
  readonly state: MessageState;
  /**
   * The decisions the record may end with (`null`: none). More than one when the order in which two events reach
   * the project decides, as in a revoke race.
   */
  readonly decisions: ReadonlyArray<ExpectedDecision | null>;
}

const decided = (
  reason: FallbackReason,
  certainty: FallbackCertainty,
  deliveredAfter = false,
): ExpectedDecision => ({ reason, certainty, deliveredAfter });

const outcome = (
  status: ExpectedOutcome['status'],
  state: MessageState,
  ...decisions: Array<ExpectedDecision | null>
): ExpectedOutcome => ({ status, state, decisions });

/**
 * A revoke answered 200 while the message was being delivered: the revoke's decision stands and is flagged
 * delivered-after, unless the delivery reached the project first (then there is nothing to decide).
 */
const lostRevokeRace = (): ExpectedOutcome =>
  outcome(200, 'READ', decided('REVOKED', 'NOT_DELIVERED', true), null);

export function expectedOutcome(script: PhoneScript, message: PlannedMessage): ExpectedOutcome {
  const { policy, revokeRace } = message.outcome;
  const critical = policy === 'critical';
  switch (script) {
    case 'reachable':
    case 'offline-then-online':
      return outcome(200, 'READ', null);
    case 'unreachable':
      return outcome(404, 'FAILED', decided('NOT_REACHABLE', 'NOT_DELIVERED'));
    case 'offline-revoked':
      return outcome(200, 'REVOKED', decided('REVOKED', 'NOT_DELIVERED'));
    case 'offline-stays':
      // RBM keeps trying for 30 days and nothing says it will fail: no rule applies.
      return outcome(200, 'SENT', null);
    case 'revoke-race':
      return lostRevokeRace();
    case 'ttl-expired':
      return outcome(200, 'EXPIRED', decided('EXPIRED', 'NOT_DELIVERED'));
    case 'ttl-revoke-failed':
      // Reconcile revokes once the grace is over. Critical fell back at once, and that decision stays the only
      // one (the plan races no critical revoke).
      if (critical) return outcome(200, 'REVOKED', decided('EXPIRY_UNCONFIRMED', 'UNKNOWN'));
      return revokeRace ? lostRevokeRace() : outcome(200, 'REVOKED', decided('REVOKED', 'NOT_DELIVERED'));
    case 'ttl-revoke-failed-delivered':
      // The delivery follows the failed TTL revoke; if it reaches the project first, nothing is decided.
      return critical
        ? outcome(200, 'READ', decided('EXPIRY_UNCONFIRMED', 'UNKNOWN', true), null)
        : outcome(200, 'READ', null);
    case 'outcome-dropped':
      // Nothing arrives by expireTime + grace: reconcile's revoke finds the message still waiting.
      return outcome(200, 'REVOKED', decided('REVOKED', 'NOT_DELIVERED'));
    case 'unsubscribed-event':
    case 'unsubscribed-keyword':
      // A refusal is the project's own choice, not a delivery failure: no decision.
      return message.outcome.trafficType === 'PROMOTION'
        ? outcome(400, 'FAILED', null)
        : outcome(200, 'READ', null);
  }
}

/** Whether a decision of this certainty is published for a message with this policy. */
export function decisionPublished(policy: FallbackPolicy, certainty: FallbackCertainty): boolean {
  return policy === 'critical' || (policy === 'safe' && certainty === 'NOT_DELIVERED');
}
