/**
 * How a consent change is applied to a phone's consent: the change with the latest `changedAt` wins,
 * whatever its source, so the outcome does not depend on the order in which changes arrive.
 */

export const CONSENT_SOURCES = ['EVENT', 'KEYWORD', 'API'] as const;
/** `EVENT`: an RBM SUBSCRIBE/UNSUBSCRIBE; `KEYWORD`: a typed STOP/START; `API`: the business set it. */
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export interface Consent {
  phoneNumber: string;
  agentId: string;
  subscribed: boolean;
  changedAt: Date;
  source: ConsentSource;
}

/** One applied change, as kept in the phone's history (the store adds when it recorded it). */
export interface ConsentHistoryEntry {
  subscribed: boolean;
  source: ConsentSource;
  changedAt: Date;
}

export interface ConsentUpdate {
  next: Consent;
  /** Set, with `publish`, only when `subscribed` changed (or the phone had no consent yet). */
  historyEntry?: ConsentHistoryEntry;
  publish: boolean;
}

/**
 * The consent after `change`, or undefined when it changes nothing (an older or duplicate change).
 *
 * A newer change that keeps `subscribed` only moves `changedAt` (and `source`, so the document names the
 * latest statement whatever the arrival order) forward: it is not a new change for the business, yet it must still beat an older opposite change that arrives after it. This is also what makes
 * the two halves of an Unsubscribe tap (the keyword the phone sends and RBM's UNSUBSCRIBE event, a moment
 * apart) count as one change in either order. Two opposite changes at the same instant resolve to
 * unsubscribed, whichever came first.
 */
export function applyConsentChange(current: Consent | undefined, change: Consent): ConsentUpdate | undefined {
  if (current === undefined) return applied(change);
  const delta = change.changedAt.getTime() - current.changedAt.getTime();
  if (change.subscribed === current.subscribed) {
    const later =
      delta > 0 || (delta === 0 && SOURCE_TIE_RANK[change.source] > SOURCE_TIE_RANK[current.source]);
    return later
      ? { next: { ...current, changedAt: change.changedAt, source: change.source }, publish: false }
      : undefined;
  }
  if (delta > 0 || (delta === 0 && !change.subscribed)) return applied(change);
  return undefined;
}

/**
 * Which of two changes at the same instant with the same value the document names, so the document ends
 * the same whatever order they arrived in. RBM's own event is the most direct statement of the user's act.
 */
const SOURCE_TIE_RANK: Readonly<Record<ConsentSource, number>> = { API: 0, KEYWORD: 1, EVENT: 2 };

function applied(change: Consent): ConsentUpdate {
  return {
    next: { ...change },
    historyEntry: { subscribed: change.subscribed, source: change.source, changedAt: change.changedAt },
    publish: true,
  };
}
