/**
 * The outcome side of a planned message: the `Fallback-Policy` and `Correlation-Id` headers it is sent with, the
 * AgentMessage fields its phone's script needs (a ttl, a traffic type), and whether its revoke is made to lose the
 * race with its delivery at the fake RBM. Pure, from a seeded random source.
 */
import type { FallbackPolicy } from '../../shared/fallback-decision.js';
import type { PhoneScript } from './phone-script.js';

export interface MessageOutcomePlan {
  /** The policy the record must carry. */
  readonly policy: FallbackPolicy;
  /** The `Fallback-Policy` header as sent (the case varies); undefined: not sent, so the default `none`. */
  readonly policyHeader: string | undefined;
  readonly correlationId: string | undefined;
  /** The AgentMessage's `ttl`, for the scripts whose expiry matters. */
  readonly ttl: string | undefined;
  /** Overrides the AgentMessage's `messageTrafficType`. */
  readonly trafficType: 'PROMOTION' | 'TRANSACTION' | undefined;
  /** The message's revoke (the caller's, or reconcile's) is answered 200 and the message delivered all the same. */
  readonly revokeRace: boolean;
}

export const POLICIES: readonly FallbackPolicy[] = ['none', 'safe', 'critical'];

/** Short, so reconcile's timer for a message whose outcome never comes falls due during the drain. */
export const SOAK_TTL = '5s';

/** Share of the non-critical messages of `ttl-revoke-failed` phones whose timer revoke loses the race. */
const TIMER_REVOKE_RACE_SHARE = 0.3;

const TTL_SCRIPTS: ReadonlySet<PhoneScript> = new Set([
  'ttl-expired',
  'ttl-revoke-failed',
  'ttl-revoke-failed-delivered',
  'outcome-dropped',
]);

export interface MessagePosition {
  readonly runId: string;
  /** The message's index in the run. */
  readonly index: number;
  /** The phone's index in the run. */
  readonly phoneIndex: number;
  /** The message's index among its phone's messages. */
  readonly ordinal: number;
}

function headerFor(policy: FallbackPolicy, random: () => number): string | undefined {
  const r = random();
  if (policy === 'none' && r < 0.5) return undefined;
  if (r < 0.7) return policy;
  if (r < 0.85) return policy.toUpperCase();
  return policy.charAt(0).toUpperCase() + policy.slice(1);
}

function trafficTypeFor(script: PhoneScript, random: () => number): MessageOutcomePlan['trafficType'] {
  if (script === 'unsubscribed-event' || script === 'unsubscribed-keyword') {
    return random() < 0.75 ? 'PROMOTION' : 'TRANSACTION';
  }
  // Promotions to subscribed phones are sent as any other message.
  if (script === 'reachable' && random() < 0.15) return 'PROMOTION';
  return undefined;
}

/**
 * The outcome plan of one message. Policies go round the phones and their messages, so every script meets
 * every policy even in a small run.
 */
export function planMessageOutcome(
  random: () => number,
  script: PhoneScript,
  position: MessagePosition,
): MessageOutcomePlan {
  const policy = POLICIES[(position.phoneIndex + position.ordinal) % POLICIES.length] ?? 'none';
  const timerRace = script === 'ttl-revoke-failed' && policy !== 'critical';
  return {
    policy,
    policyHeader: headerFor(policy, random),
    correlationId: random() < 0.85 ? `soak-ref-${position.runId}-${position.index}` : undefined,
    ttl: TTL_SCRIPTS.has(script) ? SOAK_TTL : undefined,
    trafficType: trafficTypeFor(script, random),
    revokeRace: script === 'revoke-race' || (timerRace && random() < TIMER_REVOKE_RACE_SHARE),
  };
}

/** The AgentMessage with the fields the outcome plan sets. */
export function withOutcomeFields(
  body: Readonly<Record<string, unknown>>,
  outcome: MessageOutcomePlan,
): Record<string, unknown> {
  return {
    ...body,
    ...(outcome.trafficType === undefined ? {} : { messageTrafficType: outcome.trafficType }),
    ...(outcome.ttl === undefined ? {} : { ttl: outcome.ttl }),
  };
}

/** The send request's outcome headers. */
export function outcomeHeaders(outcome: MessageOutcomePlan): Record<string, string> {
  return {
    ...(outcome.policyHeader === undefined ? {} : { 'fallback-policy': outcome.policyHeader }),
    ...(outcome.correlationId === undefined ? {} : { 'correlation-id': outcome.correlationId }),
  };
}
