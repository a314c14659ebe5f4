/**
 * Who publishes a phone's unpublished consent changes, as pure rules over the publish claim kept on its
 * consent document. The lease rules are those of user messages (../publish-claim.ts): one caller at a time
 * holds the claim and publishes; the others leave the changes to it; a claim whose lease is over (its holder
 * crashed, or can no longer publish) may be taken over.
 */
import { claimDecision, type PublishClaimState } from '../publish-claim.js';

/** The claim as stored: its holder, its age on the storage's own clock, and the lease its holder took. */
export interface StoredConsentClaim {
  holder: string;
  ageMs: number;
  leaseMs: number;
}

/** What a caller sees of the consent document before publishing. */
export interface ConsentClaimView {
  /** How many applied changes of the phone are not yet confirmed published. */
  unpublished: number;
  claim?: StoredConsentClaim;
}

export type ConsentClaimDecision =
  /** Nothing left to publish (another caller confirmed it): done. */
  | 'nothingToPublish'
  /** Another caller holds a live claim and publishes every unpublished change, this caller's too. */
  | 'heldByAnother'
  /** Free, taken over after its lease, or the caller's own (its redelivery after a crash): claim and publish. */
  | 'claim';

export function consentClaimDecision(view: ConsentClaimView, holder: string): ConsentClaimDecision {
  if (view.unpublished === 0) return 'nothingToPublish';
  const claim = view.claim;
  // A redelivery of the holder's own message: the holder is gone (its publish budget is long spent).
  if (claim?.holder === holder) return 'claim';
  const state: PublishClaimState =
    claim === undefined ? { kind: 'unclaimed' } : { kind: 'claimed', ageMs: claim.ageMs };
  return claimDecision(state, claim?.leaseMs ?? 0) === 'wait' ? 'heldByAnother' : 'claim';
}

/**
 * The document after a holder confirms: the ids it published (or found without a history entry) removed,
 * and the claim given back if it is still the holder's (one taken over after its lease stays with its new
 * holder). `remaining` lists what is still unpublished: changes applied while it held the claim.
 */
export function afterConfirm(
  stored: { unpublishedIds: readonly string[]; holder?: string },
  holder: string,
  confirmedIds: readonly string[],
): { remaining: string[]; releaseClaim: boolean } {
  const confirmed = new Set(confirmedIds);
  return {
    remaining: stored.unpublishedIds.filter((id) => !confirmed.has(id)),
    releaseClaim: stored.holder !== undefined && stored.holder === holder,
  };
}
