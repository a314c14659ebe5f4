/** User messages and their publish claims in memory, with Firestore's semantics, for unit tests. */
import type { ClaimHold, StoredUserMessage, UserMessageClaims } from '../../shared/publish-claim.js';

/** Claims in memory, with Firestore's semantics: versions for preconditions, updates fenced on the claim id. */
export class MemoryClaims implements UserMessageClaims<number> {
  private version = 0;
  readonly docs = new Map<
    string,
    {
      document: Record<string, unknown>;
      version: number;
      published?: string;
      claim?: { claimId: string; at: number };
    }
  >();

  async create(id: string, document: Record<string, unknown>, claimId: string) {
    if (this.docs.has(id)) return undefined;
    const version = ++this.version;
    this.docs.set(id, { document, version, claim: { claimId, at: Date.now() } });
    return { claimId, version };
  }

  async read(id: string): Promise<StoredUserMessage<number> | undefined> {
    const doc = this.docs.get(id);
    if (doc === undefined) return undefined;
    const state =
      doc.published !== undefined
        ? ({ kind: 'published' } as const)
        : doc.claim === undefined
          ? ({ kind: 'unclaimed' } as const)
          : ({ kind: 'claimed', ageMs: Date.now() - doc.claim.at } as const);
    return { document: doc.document, state, version: doc.version };
  }

  async takeOver(id: string, claimId: string, version: number) {
    const doc = this.docs.get(id);
    if (doc === undefined || doc.version !== version) return undefined;
    doc.version = ++this.version;
    doc.claim = { claimId, at: Date.now() };
    return { claimId, version: doc.version };
  }

  async markPublished(id: string, hold: ClaimHold<number>, published: { pubsubMessageId: string }) {
    const doc = this.docs.get(id);
    if (doc?.claim?.claimId !== hold.claimId) return false;
    doc.published = published.pubsubMessageId;
    delete doc.claim;
    doc.version = ++this.version;
    return true;
  }

  async release(id: string, hold: ClaimHold<number>) {
    const doc = this.docs.get(id);
    if (doc?.claim?.claimId !== hold.claimId) return false;
    delete doc.claim;
    doc.version = ++this.version;
    return true;
  }
}
