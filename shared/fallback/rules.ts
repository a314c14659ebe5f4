/**
 * The fallback decision table: which verdict a delivery fact yields, given the record before and after it.
 * Pure; the state machine calls it inside the same transition, so a state and its decision are always
 * written together.
 */
import type { AgentMessageRecord, DeliveryFact, MessageState, StoredError } from '../message-record.js';
import { timerApplies } from './timers.js';
import { DEFAULT_FALLBACK_POLICY, policyDecides, type FallbackVerdict } from '../fallback-decision.js';

/** The error reason of the send gate's refusal: the project's own choice, not a delivery failure. */
export const CONSENT_REFUSAL_REASON = 'RECIPIENT_UNSUBSCRIBED';

/** Create answers that are retried, or mean RBM has the message: never a reason to fall back. */
const NON_PERMANENT_4XX = new Set([408, 409, 429]);

const verdict = (reason: FallbackVerdict['reason'], certainty: FallbackVerdict['certainty']) => ({
  reason,
  certainty,
});

/**
 * The decision `fact` makes for a record that moved from `before` to `after`, or undefined. A record
 * keeps its first decision, and a delivered message never gets one.
 */
export function fallbackVerdict(
  before: AgentMessageRecord,
  after: AgentMessageRecord,
  fact: DeliveryFact,
): FallbackVerdict | undefined {
  if (before.fallback !== undefined) return undefined;
  if (after.state === 'DELIVERED' || after.state === 'READ') return undefined;
  const found = verdictFor(before, after, fact);
  if (found === undefined) return undefined;
  return policyDecides(before.fallbackPolicy ?? DEFAULT_FALLBACK_POLICY, found.certainty) ? found : undefined;
}

function verdictFor(
  before: AgentMessageRecord,
  after: AgentMessageRecord,
  fact: DeliveryFact,
): FallbackVerdict | undefined {
  const entered = (state: MessageState) => before.state !== state && after.state === state;
  switch (fact.kind) {
    case 'failed':
      return entered('FAILED') ? createFailureVerdict(fact.error) : undefined;
    case 'revoked':
      return entered('REVOKED') ? verdict('REVOKED', 'NOT_DELIVERED') : undefined;
    case 'expired':
      return entered('EXPIRED') ? verdict('EXPIRED', 'NOT_DELIVERED') : undefined;
    case 'revokeFailed':
      // RBM could not take an expired message back: it may or may not reach the user.
      return fact.source === 'ttl' && awaitingOutcome(before.state)
        ? verdict('EXPIRY_UNCONFIRMED', 'UNKNOWN')
        : undefined;
    case 'timerRevoke':
      if (fact.answer === 'revoked')
        return entered('REVOKED') ? verdict('REVOKED', 'NOT_DELIVERED') : undefined;
      if (!timerApplies(fact.rule, before.state)) return undefined;
      switch (fact.rule) {
        case 'afterFailedRevoke':
          return verdict('REVOKE_UNCONFIRMED', 'UNKNOWN');
        case 'afterExpireTime':
          return verdict('NO_OUTCOME', 'UNKNOWN');
        case 'pendingTimeout':
          return entered('FAILED') ? verdict('NOT_SENT', 'UNKNOWN') : undefined;
      }
      return undefined;
    case 'sent':
    case 'unavailable':
    case 'delivered':
    case 'read':
    case 'revokeRequested':
    case 'revokeRefused':
      return undefined;
  }
}

/** A create that RBM refused for good: 404 means no RCS for this user, other 4xx a refused message. */
function createFailureVerdict(error: StoredError): FallbackVerdict | undefined {
  if (error.reason === CONSENT_REFUSAL_REASON) return undefined;
  if (error.code === 404) return verdict('NOT_REACHABLE', 'NOT_DELIVERED');
  if (error.code >= 400 && error.code < 500 && !NON_PERMANENT_4XX.has(error.code)) {
    return verdict('REJECTED', 'NOT_DELIVERED');
  }
  return undefined;
}

/** States in which the message may still be in RBM's queue, with no known outcome. */
export function awaitingOutcome(state: MessageState): boolean {
  return state === 'PENDING' || state === 'SENT';
}
