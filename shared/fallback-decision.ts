/**
 * Fallback decisions: whether the business should reach the user another way (SMS), and how sure the
 * project is that the RCS message was not delivered. The project only decides and publishes; it never
 * sends anything itself. The rules that lead to each reason are in `fallback/rules.ts` and `fallback/timers.ts`.
 */

export const FALLBACK_POLICIES = ['none', 'safe', 'critical'] as const;
/** A message's `Fallback-Policy`: which decisions are made and published for it. */
export type FallbackPolicy = (typeof FALLBACK_POLICIES)[number];
export const DEFAULT_FALLBACK_POLICY: FallbackPolicy = 'none';

export type FallbackCertainty = 'NOT_DELIVERED' | 'UNKNOWN';

export type FallbackReason =
  | 'NOT_REACHABLE'
  | 'REJECTED'
  | 'REVOKED'
  | 'EXPIRED'
  | 'EXPIRY_UNCONFIRMED'
  | 'REVOKE_UNCONFIRMED'
  | 'NO_OUTCOME'
  | 'NOT_SENT';

/** What a rule concludes, before it is stamped with a time. */
export interface FallbackVerdict {
  reason: FallbackReason;
  certainty: FallbackCertainty;
}

/** The decision stored on the record, at most once per message. */
export interface FallbackDecision extends FallbackVerdict {
  decidedAt: Date;
  /** A DELIVERED or READ arrived after the decision: the user may have got both channels. */
  deliveredAfter?: boolean;
}

/**
 * Whether a verdict of this certainty becomes a decision: NOT_DELIVERED ones always (they are facts about
 * the message), UNKNOWN ones only when the business asked for them, since acting on them risks duplicates.
 */
export function policyDecides(policy: FallbackPolicy, certainty: FallbackCertainty): boolean {
  return certainty === 'NOT_DELIVERED' || policy === 'critical';
}

/** Whether a decision of this certainty is published for a message with this policy. */
export function policyPublishes(policy: FallbackPolicy, certainty: FallbackCertainty): boolean {
  switch (policy) {
    case 'none':
      return false;
    case 'safe':
      return certainty === 'NOT_DELIVERED';
    case 'critical':
      return true;
  }
}

export const TIMER_RULES = ['afterFailedRevoke', 'afterExpireTime', 'pendingTimeout'] as const;
/**
 * - `afterFailedRevoke`: a revoke (the caller's, or RBM's at expiry) failed and no DELIVERED came within grace.
 * - `afterExpireTime`: the message's expiry passed by the grace period with no DELIVERED/READ nor TTL event.
 * - `pendingTimeout`: RBM never answered the create (the record is still PENDING).
 */
export type TimerRule = (typeof TIMER_RULES)[number];
