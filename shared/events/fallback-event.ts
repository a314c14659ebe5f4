/** The event published when a fallback decision is made, if the message's policy publishes it. */
import type { AgentMessageRecord } from '../message-record.js';
import {
  DEFAULT_FALLBACK_POLICY,
  policyPublishes,
  type FallbackCertainty,
  type FallbackReason,
} from '../fallback-decision.js';

export interface FallbackEventData {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  reason: FallbackReason;
  certainty: FallbackCertainty;
  decidedAt: string;
  correlationId?: string;
  campaignId?: string;
  trafficType?: string;
}

export interface FallbackEventAttributes {
  messageId: string;
  reason: FallbackReason;
  certainty: FallbackCertainty;
  eventKey: string;
  [name: string]: string;
}

export const fallbackEventKey = (messageId: string) => `${messageId}/fallback`;

/**
 * The fallback event for the change from `before` to `after`: only when a decision was made by this change
 * and the message's policy publishes decisions of its certainty.
 */
export function fallbackEventFor(
  before: AgentMessageRecord | undefined,
  after: AgentMessageRecord,
): FallbackEventData | undefined {
  const decision = after.fallback;
  if (decision === undefined || before?.fallback !== undefined) return undefined;
  if (!policyPublishes(after.fallbackPolicy ?? DEFAULT_FALLBACK_POLICY, decision.certainty)) return undefined;
  return {
    messageId: after.messageId,
    agentId: after.agentId,
    phoneNumber: after.phoneNumber,
    reason: decision.reason,
    certainty: decision.certainty,
    decidedAt: decision.decidedAt.toISOString(),
    ...(after.correlationId === undefined ? {} : { correlationId: after.correlationId }),
    ...(after.campaignId === undefined ? {} : { campaignId: after.campaignId }),
    ...(after.trafficType === undefined ? {} : { trafficType: after.trafficType }),
  };
}

export function fallbackEventAttributes(data: FallbackEventData): FallbackEventAttributes {
  return {
    messageId: data.messageId,
    reason: data.reason,
    certainty: data.certainty,
    eventKey: fallbackEventKey(data.messageId),
  };
}
