/**
 * Consent documents and their publish claims in memory, with Firestore's semantics for unit tests: versions
 * for preconditions, a clock of the storage's own for claim ages, and a yield in every call so concurrent
 * callers interleave as they do against a real store.
 */
import { applyConsentChange as nextConsent, type Consent } from '../../shared/consent/consent-rules.js';
import {
  consentHistoryId,
  type ConsentChangeResult,
  type ConsentClaimSnapshot,
  type ConsentHistoryRecord,
  type ConsentPublishClaims,
} from '../../shared/store/consents.js';

interface StoredDoc {
  consent: Consent;
  unpublishedIds: string[];
  /** As the store's `unpublishedSince`: set when the list stops being empty, dropped when it empties. */
  unpublishedSince?: number;
  claim?: { holder: string; at: number; leaseMs: number };
  history: Map<string, ConsentHistoryRecord>;
  version: number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class MemoryConsents implements ConsentPublishClaims<number> {
  private version = 0;
  /** The storage's clock: tests move it forward instead of waiting for a lease to pass. */
  nowMs = 1_000_000;
  readonly docs = new Map<string, StoredDoc>();

  /** As the store's applyConsentChange: the latest `changedAt` wins, an applied change is queued for publish. */
  async applyChange(change: Consent): Promise<ConsentChangeResult> {
    await turn();
    const doc = this.docs.get(change.phoneNumber);
    const update = nextConsent(doc?.consent, change);
    if (update === undefined) {
      return { consent: doc!.consent, applied: false, unpublished: this.records(doc!, doc!.unpublishedIds) };
    }
    const stored: StoredDoc = doc ?? {
      consent: update.next,
      unpublishedIds: [],
      history: new Map(),
      version: 0,
    };
    stored.consent = update.next;
    stored.version = ++this.version;
    this.docs.set(change.phoneNumber, stored);
    if (update.historyEntry === undefined) {
      return {
        consent: update.next,
        applied: true,
        unpublished: this.records(stored, stored.unpublishedIds),
      };
    }
    const history: ConsentHistoryRecord = {
      id: consentHistoryId(update.historyEntry),
      phoneNumber: update.next.phoneNumber,
      agentId: update.next.agentId,
      ...update.historyEntry,
      recordedAt: new Date(this.nowMs),
    };
    stored.history.set(history.id, history);
    if (stored.unpublishedIds.length === 0) stored.unpublishedSince = this.nowMs;
    stored.unpublishedIds = [...stored.unpublishedIds.filter((id) => id !== history.id), history.id];
    return {
      consent: update.next,
      applied: true,
      history,
      unpublished: this.records(stored, stored.unpublishedIds),
    };
  }

  async readPublishClaim(phoneNumber: string): Promise<ConsentClaimSnapshot<number> | undefined> {
    await turn();
    const doc = this.docs.get(phoneNumber);
    if (doc === undefined) return undefined;
    const claim = doc.claim && {
      holder: doc.claim.holder,
      ageMs: this.nowMs - doc.claim.at,
      leaseMs: doc.claim.leaseMs,
    };
    return {
      consent: { ...doc.consent },
      unpublishedIds: [...doc.unpublishedIds],
      ...(claim ? { claim } : {}),
      version: doc.version,
    };
  }

  async claimUnpublished(phoneNumber: string, holder: string, leaseMs: number, version: number) {
    await turn();
    const doc = this.docs.get(phoneNumber);
    if (doc === undefined || doc.version !== version) return false;
    doc.claim = { holder, at: this.nowMs, leaseMs };
    doc.version = ++this.version;
    return true;
  }

  async historyOf(consent: Consent, ids: readonly string[]) {
    await turn();
    const doc = this.docs.get(consent.phoneNumber);
    return doc === undefined ? [] : this.records(doc, ids);
  }

  async confirmPublished(phoneNumber: string, holder: string, ids: readonly string[]) {
    await turn();
    const doc = this.docs.get(phoneNumber);
    if (doc === undefined) return [];
    doc.unpublishedIds = doc.unpublishedIds.filter((id) => !ids.includes(id));
    if (doc.unpublishedIds.length === 0) delete doc.unpublishedSince;
    if (doc.claim?.holder === holder) delete doc.claim;
    doc.version = ++this.version;
    return [...doc.unpublishedIds];
  }

  /** As the store's query: phones whose `unpublishedSince` is at `by` or before, oldest first. */
  async phonesWithUnpublishedChanges(by: Date, limit: number): Promise<string[]> {
    await turn();
    return [...this.docs.entries()]
      .filter(([, doc]) => doc.unpublishedSince !== undefined && doc.unpublishedSince <= by.getTime())
      .sort(([, a], [, b]) => (a.unpublishedSince ?? 0) - (b.unpublishedSince ?? 0))
      .slice(0, limit)
      .map(([phone]) => phone);
  }

  private records(doc: StoredDoc, ids: readonly string[]): ConsentHistoryRecord[] {
    return ids.flatMap((id) => {
      const record = doc.history.get(id);
      return record ? [{ ...record }] : [];
    });
  }
}
