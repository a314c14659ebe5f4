/**
 * The body of `POST /v1/campaigns`, checked in full before anything is written: every violation is reported
 * at once, with a JSON path (`recipients[3]`, `agentMessage.contentMessage.text`). Pure (docs/campaigns.md#create).
 */
import type { AgentMessage } from '../agent-message/types.js';
import { validateAgentMessage } from '../agent-message/validate.js';
import { parseTimestampNanos, NANOS_PER_MILLISECOND } from '../agent-message/time.js';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { FieldViolation } from '../errors.js';
import { DEFAULT_FALLBACK_POLICY, FALLBACK_POLICIES, type FallbackPolicy } from '../fallback-decision.js';
import { isE164 } from '../phone.js';
import { isCampaignId } from './ids.js';
import { effectiveStartTime, lastSendTime, MAX_START_AHEAD_MS } from './schedule.js';

export const MAX_RECIPIENTS = 100_000;
export const MIN_RATE_PER_SECOND = 1;
export const MAX_RATE_PER_SECOND = 500;
export const DEFAULT_RATE_PER_SECOND = 10;

const FIELDS = ['campaignId', 'agentMessage', 'recipients', 'ratePerSecond', 'startTime', 'fallbackPolicy'];

export interface CampaignRequest {
  campaignId: string;
  agentMessage: AgentMessage;
  /** Distinct, in the order of their first appearance: the index is the recipient's position. */
  recipients: string[];
  ratePerSecond: number;
  /** When the first recipient is due (see effectiveStartTime). */
  startTime: Date;
  fallbackPolicy: FallbackPolicy;
  /** SHA-256 of the body's canonical JSON: what makes a repeated request the same one. */
  requestSha256: string;
}

export type ParsedCampaignRequest =
  { kind: 'valid'; request: CampaignRequest } | { kind: 'invalid'; violations: FieldViolation[] };

export interface ParseOptions {
  now: Date;
  /** The id of a campaign whose body names none. */
  newCampaignId: () => string;
}

export function parseCampaignRequest(
  body: Readonly<Record<string, unknown>>,
  options: ParseOptions,
): ParsedCampaignRequest {
  const violations: FieldViolation[] = [];
  for (const field of Object.keys(body)) {
    if (!FIELDS.includes(field)) {
      violations.push({ field, description: `is not a field of a campaign; use ${FIELDS.join(', ')}.` });
    }
  }
  const campaignId = readCampaignId(body.campaignId, violations);
  const agentMessage = readAgentMessage(body.agentMessage, options.now, violations);
  const recipients = readRecipients(body.recipients, violations);
  const ratePerSecond = readRate(body.ratePerSecond, violations);
  const requestedStart = readStartTime(body.startTime, options.now, violations);
  const fallbackPolicy = readFallbackPolicy(body.fallbackPolicy, violations);
  const startTime = effectiveStartTime(requestedStart, options.now);
  if (agentMessage !== undefined && recipients !== undefined && ratePerSecond !== undefined) {
    checkExpiresAfterLastSend(agentMessage, { startTime, ratePerSecond }, recipients.length, violations);
  }
  if (
    violations.length > 0 ||
    agentMessage === undefined ||
    recipients === undefined ||
    ratePerSecond === undefined
  ) {
    return { kind: 'invalid', violations };
  }
  return {
    kind: 'valid',
    request: {
      campaignId: campaignId ?? options.newCampaignId(),
      agentMessage,
      recipients,
      ratePerSecond,
      startTime,
      fallbackPolicy,
      requestSha256: sha256Hex(canonicalJson(body)),
    },
  };
}

function readCampaignId(value: unknown, violations: FieldViolation[]): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && isCampaignId(value)) return value;
  violations.push({
    field: 'campaignId',
    description: 'must be 1 to 64 characters of lowercase letters, digits and "-".',
  });
  return undefined;
}

function readAgentMessage(value: unknown, now: Date, violations: FieldViolation[]): AgentMessage | undefined {
  if (value === undefined) {
    violations.push({ field: 'agentMessage', description: 'is required: the AgentMessage to send.' });
    return undefined;
  }
  const found = validateAgentMessage(value, { now });
  for (const violation of found) {
    violations.push({
      field: violation.field === '' ? 'agentMessage' : `agentMessage.${violation.field}`,
      description: violation.description,
    });
  }
  return found.length === 0 ? (value as AgentMessage) : undefined;
}

/** Distinct valid numbers in order; every invalid entry is reported by its index. */
function readRecipients(value: unknown, violations: FieldViolation[]): string[] | undefined {
  if (!Array.isArray(value)) {
    violations.push({
      field: 'recipients',
      description: `is required: a list of 1 to ${MAX_RECIPIENTS.toLocaleString('en')} E.164 numbers.`,
    });
    return undefined;
  }
  const distinct = new Set<string>();
  let valid = true;
  value.forEach((item: unknown, index) => {
    if (typeof item === 'string' && isE164(item)) {
      distinct.add(item);
    } else {
      valid = false;
      violations.push({
        field: `recipients[${index}]`,
        description: 'must be an E.164 number: "+" then 7 to 15 digits, the first not 0.',
      });
    }
  });
  if (distinct.size === 0 && value.length === 0) {
    violations.push({ field: 'recipients', description: 'must list at least one phone number.' });
    return undefined;
  }
  if (distinct.size > MAX_RECIPIENTS) {
    violations.push({
      field: 'recipients',
      description: `must list at most ${MAX_RECIPIENTS.toLocaleString('en')} distinct phone numbers (${distinct.size.toLocaleString('en')} given).`,
    });
    return undefined;
  }
  return valid ? [...distinct] : undefined;
}

function readRate(value: unknown, violations: FieldViolation[]): number | undefined {
  if (value === undefined) return DEFAULT_RATE_PER_SECOND;
  if (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= MIN_RATE_PER_SECOND &&
    value <= MAX_RATE_PER_SECOND
  ) {
    return value;
  }
  violations.push({
    field: 'ratePerSecond',
    description: `must be a number from ${MIN_RATE_PER_SECOND} to ${MAX_RATE_PER_SECOND} (recipients per second).`,
  });
  return undefined;
}

function readStartTime(value: unknown, now: Date, violations: FieldViolation[]): Date | undefined {
  if (value === undefined) return undefined;
  const nanos = typeof value === 'string' ? parseTimestampNanos(value) : undefined;
  if (nanos === undefined) {
    violations.push({
      field: 'startTime',
      description: 'must be an RFC 3339 timestamp such as "2030-01-31T09:00:00Z".',
    });
    return undefined;
  }
  const start = new Date(Number(nanos / NANOS_PER_MILLISECOND));
  if (start.getTime() - now.getTime() > MAX_START_AHEAD_MS) {
    violations.push({ field: 'startTime', description: 'must be at most 30 days from now.' });
    return undefined;
  }
  return start;
}

function readFallbackPolicy(value: unknown, violations: FieldViolation[]): FallbackPolicy {
  if (value === undefined) return DEFAULT_FALLBACK_POLICY;
  const policy = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (policy !== undefined && (FALLBACK_POLICIES as readonly string[]).includes(policy)) {
    return policy as FallbackPolicy;
  }
  violations.push({
    field: 'fallbackPolicy',
    description: `must be one of ${FALLBACK_POLICIES.join(', ')}.`,
  });
  return DEFAULT_FALLBACK_POLICY;
}

/** A message with an expireTime must still be alive when its last recipient is due. */
function checkExpiresAfterLastSend(
  message: AgentMessage,
  pacing: { startTime: Date; ratePerSecond: number },
  recipientCount: number,
  violations: FieldViolation[],
): void {
  if (typeof message.expireTime !== 'string') return;
  const expires = new Date(message.expireTime).getTime();
  const last = lastSendTime(pacing, recipientCount);
  if (expires <= last.getTime()) {
    violations.push({
      field: 'agentMessage.expireTime',
      description: `must be after the campaign's last scheduled send (${last.toISOString()}); use ttl for a lifetime counted from each send.`,
    });
  }
}
