/**
 * Publishing consent changes to the consent topic: the JSON of the consent as the change left it (times as
 * RFC 3339), attributes `subscribed` and `changeId`.
 *
 * Concurrent callers for one phone (copies of one STOP, the API racing inbound) are all handed the same
 * unpublished changes, so publishing is claimed first (rules in consent/publish-claim.ts): the caller that
 * claims the phone's unpublished changes publishes them, oldest first, and confirms them, which gives the
 * claim back; the others return, leaving them (their own among them) to the holder. The holder's publishes
 * are bounded well under its lease, so by the time a claim can be taken over its holder can no longer
 * publish. A failed publish confirms what went out, gives the claim back and throws, so the retry publishes
 * the rest at once; after a crash the claim is taken over by the next call for the phone once its lease is
 * over (at once by the crashed caller's own redelivery, which holds it under the same holder id).
 */
import { randomUUID } from 'node:crypto';
import { consentClaimDecision } from '../consent/publish-claim.js';
import { publishBudgetMs } from '../publish-claim.js';
import type { Attributes, Publish } from '../pubsub/publisher.js';
import type {
  ConsentChangeResult,
  ConsentClaimSnapshot,
  ConsentHistoryRecord,
  ConsentPublishClaims,
} from '../store/consents.js';

export interface ConsentChangeMessage {
  data: Buffer;
  attributes: Attributes;
}

export function consentChangeMessage(change: ConsentHistoryRecord): ConsentChangeMessage {
  const json = {
    phoneNumber: change.phoneNumber,
    agentId: change.agentId,
    subscribed: change.subscribed,
    changedAt: change.changedAt.toISOString(),
    source: change.source,
  };
  return {
    data: Buffer.from(JSON.stringify(json)),
    attributes: { subscribed: String(change.subscribed), changeId: consentChangeId(change) },
  };
}

/** The change's identity on the topic, for consumers to de-duplicate on: unique across phones. */
export function consentChangeId(change: Pick<ConsentHistoryRecord, 'phoneNumber' | 'id'>): string {
  return `${change.phoneNumber}/${change.id}`;
}

/** How long a claim protects its holder when the caller has no lease of its own configured. */
export const DEFAULT_CONSENT_CLAIM_LEASE_MS = 30_000;
/** Rounds of claim-publish-confirm in one call, for changes applied by others while it held the claim. */
const MAX_ROUNDS = 5;
/** Fresh reads allowed when concurrent writes keep moving the document under a claim. */
const MAX_CLAIM_ATTEMPTS = 10;

export interface ConsentPublishDeps<V> {
  consents: ConsentPublishClaims<V>;
  publish: Publish;
  topicId: string;
  /** How long a claim protects an unfinished publish before another caller may take it over. */
  claimLeaseMs: number;
  /**
   * Who claims: a stable id for a redelivered unit of work (the Pub/Sub message id), so its redelivery after
   * a crash resumes its own claim; a fresh id per call otherwise.
   */
  holder?: string;
  /** The local clock, for the publish budget. */
  nowMs?: () => number;
}

export interface ConsentPublishReport {
  /** Changes this call published. */
  published: number;
  /** Another caller held the claim: it publishes what is unpublished, this call's change among them. */
  leftToHolder: boolean;
}

/**
 * Publishes the phone's unpublished changes if this caller wins the claim on them, oldest first; throws when
 * a publish failed (what is left stays unpublished for the next call).
 */
export async function publishConsentChanges<V>(
  result: ConsentChangeResult,
  deps: ConsentPublishDeps<V>,
): Promise<ConsentPublishReport> {
  // Nothing handed out: nothing to claim (the common duplicate costs no further reads).
  if (result.unpublished.length === 0) return { published: 0, leftToHolder: false };
  return publishPhoneConsentChanges(result.consent.phoneNumber, deps);
}

/**
 * The claim-publish-confirm rounds of publishConsentChanges for a phone found with unpublished changes
 * (reconcile's sweep): the stored list decides what is published, so no change result is needed.
 */
export async function publishPhoneConsentChanges<V>(
  phoneNumber: string,
  deps: ConsentPublishDeps<V>,
): Promise<ConsentPublishReport> {
  const report = { published: 0, leftToHolder: false };
  const holder = deps.holder ?? randomUUID();
  const nowMs = deps.nowMs ?? Date.now;
  for (let round = 1; round <= MAX_ROUNDS; round++) {
    const claimed = await claim(phoneNumber, holder, deps);
    if (claimed === 'heldByAnother') report.leftToHolder = true;
    if (claimed === 'heldByAnother' || claimed === 'nothingToPublish') return report;
    const deadline = nowMs() + publishBudgetMs(deps.claimLeaseMs);
    const changes = await deps.consents.historyOf(claimed.consent, claimed.unpublishedIds);
    const found = new Set(changes.map((change) => change.id));
    // An id without its history entry has nothing to publish: confirming it keeps it from blocking the rest.
    const done = claimed.unpublishedIds.filter((id) => !found.has(id));
    let failure: unknown;
    for (const change of changes) {
      const left = deadline - nowMs();
      if (left <= 0) {
        failure = new Error('consent publish budget spent before every change was published');
        break;
      }
      const message = consentChangeMessage(change);
      try {
        await deps.publish(deps.topicId, message.data, message.attributes, { timeoutMs: left });
      } catch (error) {
        failure = error;
        break;
      }
      done.push(change.id);
      report.published++;
    }
    // Also after a failure: what went out is confirmed, and the claim is given back so a retry needs no lease.
    const remaining = await deps.consents.confirmPublished(phoneNumber, holder, done);
    if (failure !== undefined) throw failure;
    if (remaining.length === 0) return report;
  }
  return report;
}

/** Claims the phone's unpublished changes for `holder`, deciding again on a fresh read when the document moved. */
async function claim<V>(
  phoneNumber: string,
  holder: string,
  deps: ConsentPublishDeps<V>,
): Promise<ConsentClaimSnapshot<V> | 'heldByAnother' | 'nothingToPublish'> {
  for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
    const stored = await deps.consents.readPublishClaim(phoneNumber);
    if (stored === undefined) return 'nothingToPublish';
    const decision = consentClaimDecision(
      { unpublished: stored.unpublishedIds.length, claim: stored.claim },
      holder,
    );
    if (decision !== 'claim') return decision;
    if (await deps.consents.claimUnpublished(phoneNumber, holder, deps.claimLeaseMs, stored.version)) {
      return stored;
    }
  }
  throw new Error(`could not claim the consent changes of a phone after ${MAX_CLAIM_ATTEMPTS} attempts`);
}
