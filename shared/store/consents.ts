/**
 * `consents/{E.164}` and its `history` subcollection. A change is applied with the pure rules of
 * shared/consent/consent-rules.ts; each applied change gets a history entry whose id is derived from the
 * change, so a retried change finds its own entry and a publish that failed can be made again
 * (`unpublishedChange`). See docs/data-model.md#consents.
 */
import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { applyConsentChange, type Consent, type ConsentSource } from '../consent/consent-rules.js';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';
import { createOnce, mutateDocument } from './optimistic.js';

export interface ConsentChangeResult {
  /** The consent document after the change (as it was, when the change did not apply). */
  consent: Consent | undefined;
  /** Set when this change was applied and must be published (its history entry id). */
  historyId?: string;
}

function decodeConsent(data: Record<string, unknown>): Consent {
  const source = data.source;
  return {
    phoneNumber: String(data.phoneNumber ?? ''),
    agentId: String(data.agentId ?? ''),
    subscribed: data.subscribed === true,
    changedAt: data.changedAt instanceof Date ? data.changedAt : new Date(0),
    source: source === 'KEYWORD' || source === 'API' ? source : ('EVENT' as ConsentSource),
  };
}

/** The history id of a change: the same change always maps to the same entry. */
export function consentHistoryId(change: Consent): string {
  return createHash('sha256')
    .update(`${change.changedAt.toISOString()}|${change.subscribed}|${change.source}`)
    .digest('hex')
    .slice(0, 32);
}

export class ConsentStore {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private ref(phoneNumber: string) {
    return this.db.collection(COLLECTIONS.consents).doc(phoneNumber);
  }

  private historyRef(phoneNumber: string, historyId: string) {
    return this.ref(phoneNumber).collection(COLLECTIONS.consentHistory).doc(historyId);
  }

  async get(phoneNumber: string): Promise<Consent | undefined> {
    const snapshot = await this.ref(phoneNumber).get();
    const data = snapshot.data();
    return data === undefined ? undefined : decodeConsent(timestampsToDates(data) as Record<string, unknown>);
  }

  /** Applies `change`; when it was applied, its history entry is written (once) and must be published. */
  async apply(change: Consent): Promise<ConsentChangeResult> {
    let historyEntry = false;
    const result = await mutateDocument(this.ref(change.phoneNumber), decodeConsent, (current) => {
      const update = applyConsentChange(current, change);
      historyEntry = update?.historyEntry !== undefined;
      return update?.next;
    });
    if (!historyEntry || !result.written) {
      // Not applied now; it may have been applied by an earlier attempt whose publish failed.
      const pending = await this.unpublishedChange(change);
      return { consent: result.after, ...(pending ? { historyId: pending } : {}) };
    }
    const historyId = consentHistoryId(change);
    await createOnce(this.historyRef(change.phoneNumber, historyId), {
      subscribed: change.subscribed,
      source: change.source,
      changedAt: change.changedAt,
      recordedAt: this.now(),
    });
    return { consent: result.after, historyId };
  }

  /** The history id of `change` if it was applied but its publish was never confirmed. */
  private async unpublishedChange(change: Consent): Promise<string | undefined> {
    const historyId = consentHistoryId(change);
    const snapshot = await this.historyRef(change.phoneNumber, historyId).get();
    return snapshot.exists && snapshot.get('publishedAt') === undefined ? historyId : undefined;
  }

  async markPublished(phoneNumber: string, historyId: string): Promise<void> {
    await this.historyRef(phoneNumber, historyId).update({ publishedAt: this.now() });
  }
}

/** The published JSON of a consent (RFC 3339 time). */
export function consentJson(consent: Consent): Record<string, unknown> {
  return { ...consent, changedAt: consent.changedAt.toISOString() };
}
