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
  /** Set, with `publish`, only when `subscribed` changed (a phone without a document counts as subscribed). */
  historyEntry?: ConsentHistoryEntry;
  publish: boolean;
}

/**
 * The consent after `change`, or undefined when it changes nothing (an older or duplicate change).
 *
 * A newer change that keeps `subscribed` only moves `changedAt` forward (`source` keeps naming the change that
 * set the value): it is not a new change for the business, yet it must still beat an older opposite change that
 * arrives after it. This is also what makes the two halves of an Unsubscribe tap (the keyword the phone sends
 * and RBM's UNSUBSCRIBE event, a moment apart) count as one change in either order. The same value at the same
 * instant moves nothing, so it is a duplicate whatever its source. Two opposite changes at the same instant
 * resolve to unsubscribed, whichever came first.
 *
 * A phone without a document is subscribed, so a first `subscribed: true` keeps the value: its document is
 * written (its `changedAt` must still beat an older opposite change arriving late), with no history, no publish.
 */
export function applyConsentChange(current: Consent | undefined, change: Consent): ConsentUpdate | undefined {
  if (current === undefined)
    return change.subscribed ? { next: { ...change }, publish: false } : applied(change);
  const delta = change.changedAt.getTime() - current.changedAt.getTime();
  if (change.subscribed === current.subscribed) {
    return delta > 0 ? { next: { ...current, changedAt: change.changedAt }, publish: false } : undefined;
  }
  if (delta > 0 || (delta === 0 && !change.subscribed)) return applied(change);
  return undefined;
}

function applied(change: Consent): ConsentUpdate {
  return {
    next: { ...change },
    historyEntry: { subscribed: change.subscribed, source: change.source, changedAt: change.changedAt },
    publish: true,
  };
}
