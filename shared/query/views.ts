/**
 * What the query API shows of each stored document: a fixed list of public fields, times as RFC 3339. Fields
 * not listed (the content hash, applied event ids, the outbox, publish claims, timer bookkeeping) never leave
 * the store, whatever a writer adds to a document later.
 */

const AGENT_MESSAGE_FIELDS = [
  'messageId',
  'agentId',
  'phoneNumber',
  'state',
  'contentType',
  'trafficType',
  'createdAt',
  'updatedAt',
  'sentAt',
  'deliveredAt',
  'readAt',
  'revokedAt',
  'expiredAt',
  'failedAt',
  'expireTime',
  'attempts',
  'error',
  'revokeFailed',
  'correlationId',
  'idempotencyKey',
  'fallbackPolicy',
  'fallback',
  'campaignId',
] as const;

const USER_MESSAGE_FIELDS = [
  'messageId',
  'agentId',
  'phoneNumber',
  'sendTime',
  'receivedAt',
  'kind',
  'text',
  'userFile',
  'location',
  'suggestionResponse',
  'readByAgentAt',
] as const;

const CONSENT_FIELDS = ['phoneNumber', 'agentId', 'subscribed', 'changedAt', 'source'] as const;

/** Dates (at any depth) as RFC 3339 strings. */
export function toJsonTimes(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonTimes);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJsonTimes(item)]));
  }
  return value;
}

function pick(data: Readonly<Record<string, unknown>>, fields: readonly string[]): Record<string, unknown> {
  const view: Record<string, unknown> = {};
  for (const field of fields) {
    if (data[field] !== undefined && data[field] !== null) view[field] = toJsonTimes(data[field]);
  }
  return view;
}

export function agentMessageView(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return pick(data, AGENT_MESSAGE_FIELDS);
}

export function userMessageView(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return pick(data, USER_MESSAGE_FIELDS);
}

export function consentView(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return pick(data, CONSENT_FIELDS);
}
