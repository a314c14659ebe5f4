/**
 * The publish claim of a user message, as pure rules. The stored document doubles as a claim: whoever holds
 * it publishes. A claim protects its holder for a lease; once the lease is over another delivery may take it
 * over. That is safe only if the holder can no longer publish by then, so a holder's publish is given a
 * budget well under the lease, and the Pub/Sub client itself gives up (cancels) when the budget is spent.
 */

/** How the stored document stands, with the claim's age measured on the storage's own clock. */
export type PublishClaimState =
  | { kind: 'published' }
  | { kind: 'claimed'; ageMs: number }
  /** Stored, not published, and no one holds it (its holder's publish failed and it gave the claim back). */
  | { kind: 'unclaimed' };

export type ClaimDecision =
  /** Already published: acknowledge. */
  | 'duplicate'
  /** Another delivery holds a live claim: retry later (it may still publish). */
  | 'wait'
  /** Free, or the holder's lease is over (it cannot publish any more): take it over and publish. */
  | 'takeOver';

export function claimDecision(state: PublishClaimState, leaseMs: number): ClaimDecision {
  switch (state.kind) {
    case 'published':
      return 'duplicate';
    case 'unclaimed':
      return 'takeOver';
    case 'claimed':
      return state.ageMs >= leaseMs ? 'takeOver' : 'wait';
  }
}

/**
 * The most one publish may take, retries included: a third of the lease. The rest of the lease covers the
 * time between the claim's write and the publish call, and a client that notices its deadline late.
 */
export function publishBudgetMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

/** A claim held by one delivery: its id, and the storage's token of the write that made it. */
export interface ClaimHold<V> {
  claimId: string;
  version: V;
}

/** The stored message as read: its document (Dates for timestamps), where its publish stands, and a token. */
export interface StoredUserMessage<V> {
  document: Record<string, unknown>;
  state: PublishClaimState;
  version: V;
}

/** Where user messages and their claims are kept (Firestore in production, memory in unit tests). */
export interface UserMessageClaims<V> {
  /** Stores the document, claimed by `claimId`; undefined when a document with this id already exists. */
  create(id: string, document: Record<string, unknown>, claimId: string): Promise<ClaimHold<V> | undefined>;
  read(id: string): Promise<StoredUserMessage<V> | undefined>;
  /** Claims the message if it is unchanged since it was read at `version`; undefined when it changed. */
  takeOver(id: string, claimId: string, version: V): Promise<ClaimHold<V> | undefined>;
  /** Records the publish, only while `hold` is still the claim; false when another delivery took it over. */
  markPublished(
    id: string,
    hold: ClaimHold<V>,
    published: { pubsubMessageId: string; at: Date },
  ): Promise<boolean>;
  /** Gives the claim back, only while `hold` is still the claim. */
  release(id: string, hold: ClaimHold<V>): Promise<boolean>;
}
