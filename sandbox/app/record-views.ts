/**
 * What the page shows of the backend's records, derived from their JSON (Timestamps as RFC 3339 strings): an
 * agent message's history and fallback decision, and a phone's consent. Pure, so it is tested table-driven.
 */
import type {
  BackendRecord,
  ConsentView,
  FallbackBadge,
  HistoryEntry,
  MessageOutcome,
} from './view-model.js';

/** The record's timestamp fields in the order the facts usually happen (the sort key is the time itself). */
const HISTORY_FIELDS: ReadonlyArray<readonly [field: string, entry: Omit<HistoryEntry, 'at'>]> = [
  ['createdAt', { kind: 'created', label: 'created' }],
  ['sentAt', { kind: 'state', label: 'SENT' }],
  ['revokeFailedAt', { kind: 'revokeFailed', label: 'revoke failed' }],
  ['revokedAt', { kind: 'state', label: 'REVOKED' }],
  ['expiredAt', { kind: 'state', label: 'EXPIRED' }],
  ['failedAt', { kind: 'state', label: 'FAILED' }],
  ['deliveredAt', { kind: 'state', label: 'DELIVERED' }],
  ['readAt', { kind: 'state', label: 'READ' }],
];

function stringAt(record: Readonly<Record<string, unknown>> | undefined, field: string): string | undefined {
  const value = record?.[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function objectAt(record: BackendRecord, field: string): Readonly<Record<string, unknown>> | undefined {
  const value = record[field];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Readonly<Record<string, unknown>>)
    : undefined;
}

/**
 * Every decision is stored; the policy says which are published: `none` none, `safe` the NOT_DELIVERED ones,
 * `critical` all (a record without a policy is `none`).
 */
export function publishesDecision(policy: string | undefined, certainty: string): boolean {
  switch (policy) {
    case 'critical':
      return true;
    case 'safe':
      return certainty === 'NOT_DELIVERED';
    default:
      return false;
  }
}

/** The fallback decision stored on the record, when it has a well-formed one. */
export function fallbackBadge(record: BackendRecord): FallbackBadge | null {
  const fallback = objectAt(record, 'fallback');
  const reason = stringAt(fallback, 'reason');
  const certainty = stringAt(fallback, 'certainty');
  if (reason === undefined || certainty === undefined) return null;
  return {
    reason,
    certainty,
    decidedAt: stringAt(fallback, 'decidedAt') ?? null,
    deliveredAfter: fallback?.deliveredAfter === true,
    published: publishesDecision(stringAt(record, 'fallbackPolicy'), certainty),
  };
}

/**
 * Every fact the record has a time for, oldest first: its creation, each state it entered, a failed revoke and
 * the fallback decision. Facts at the same instant keep the order above (a record created directly as FAILED
 * reads "created → FAILED").
 */
export function stateHistory(record: BackendRecord): HistoryEntry[] {
  const entries: HistoryEntry[] = HISTORY_FIELDS.flatMap(([field, entry]) => {
    const at = stringAt(record, field);
    return at === undefined ? [] : [{ ...entry, at }];
  });
  const decision = fallbackBadge(record);
  if (decision?.decidedAt) {
    entries.push({ kind: 'fallback', label: `fallback ${decision.reason}`, at: decision.decidedAt });
  }
  // Array.prototype.sort is stable: equal times keep the field order.
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export function messageOutcome(record: BackendRecord | null): MessageOutcome | null {
  if (record === null) return null;
  return {
    history: stateHistory(record),
    fallback: fallbackBadge(record),
    fallbackPolicy: stringAt(record, 'fallbackPolicy') ?? null,
    revokeFailed: record.revokeFailed === true,
    errorReason: stringAt(objectAt(record, 'error'), 'reason') ?? null,
  };
}

/** `consents/{E.164}` as the page shows it; a phone without a document is subscribed. */
export function consentView(document: BackendRecord | undefined): ConsentView {
  if (document === undefined) return { subscribed: true, changedAt: null, source: null };
  return {
    subscribed: document.subscribed !== false,
    changedAt: stringAt(document, 'changedAt') ?? null,
    source: stringAt(document, 'source') ?? null,
  };
}
