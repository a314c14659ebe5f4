/**
 * `userMessages/{id}` as publish claims on Firestore. Claim times are Firestore's own (server timestamps,
 * compared with the read time), so instances whose clocks differ agree on when a lease is over. Updates by
 * a holder are fenced on its claim id: a holder whose claim was taken over never overwrites the new one,
 * while unrelated writes to the document (such as `readByAgentAt`) do not cost it its claim.
 */
import { FieldValue, type Firestore, type Timestamp, type UpdateData } from '@google-cloud/firestore';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import type { ClaimHold, PublishClaimState, StoredUserMessage, UserMessageClaims } from '../publish-claim.js';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';
import { createOnce } from './optimistic.js';

/** Bookkeeping fields of the claim; never part of the user message itself. */
export const CLAIM_FIELDS = [
  'publishState',
  'claimId',
  'claimedAt',
  'publishedAt',
  'pubsubMessageId',
] as const;

const NOT_FOUND = 5;
/** Re-reads allowed when unrelated writes keep moving the document under a fenced update. */
const MAX_FENCED_ATTEMPTS = 5;

function claimStateOf(data: Record<string, unknown>, readTime: Timestamp): PublishClaimState {
  if (data.publishState === 'PUBLISHED') return { kind: 'published' };
  const claimedAt = data.claimedAt as Timestamp | Date | undefined;
  if (typeof data.claimId !== 'string' || claimedAt === undefined) return { kind: 'unclaimed' };
  const claimedMs = claimedAt instanceof Date ? claimedAt.getTime() : claimedAt.toMillis();
  return { kind: 'claimed', ageMs: readTime.toMillis() - claimedMs };
}

function withoutClaim(data: Record<string, unknown>): Record<string, unknown> {
  const claimFields: readonly string[] = CLAIM_FIELDS;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !claimFields.includes(key)));
}

export class FirestoreUserMessageClaims implements UserMessageClaims<Timestamp> {
  constructor(private readonly db: Firestore) {}

  private ref(id: string) {
    return this.db.collection(COLLECTIONS.userMessages).doc(id);
  }

  async create(
    id: string,
    document: Record<string, unknown>,
    claimId: string,
  ): Promise<ClaimHold<Timestamp> | undefined> {
    const claim = { publishState: 'CLAIMED', claimId, claimedAt: FieldValue.serverTimestamp() };
    const writeTime = await createOnce(this.ref(id), { ...document, ...claim });
    return writeTime === undefined ? undefined : { claimId, version: writeTime };
  }

  async read(id: string): Promise<StoredUserMessage<Timestamp> | undefined> {
    const snapshot = await this.ref(id).get();
    const data = snapshot.data();
    if (data === undefined || snapshot.updateTime === undefined) return undefined;
    return {
      document: timestampsToDates(withoutClaim(data)) as Record<string, unknown>,
      state: claimStateOf(data, snapshot.readTime),
      version: snapshot.updateTime,
    };
  }

  async takeOver(id: string, claimId: string, version: Timestamp): Promise<ClaimHold<Timestamp> | undefined> {
    try {
      const claim = { publishState: 'CLAIMED', claimId, claimedAt: FieldValue.serverTimestamp() };
      const { writeTime } = await this.ref(id).update(claim, { lastUpdateTime: version });
      return { claimId, version: writeTime };
    } catch (error) {
      if (grpcCode(error) === GrpcCode.FAILED_PRECONDITION || grpcCode(error) === NOT_FOUND) return undefined;
      throw error;
    }
  }

  markPublished(
    id: string,
    hold: ClaimHold<Timestamp>,
    published: { pubsubMessageId: string; at: Date },
  ): Promise<boolean> {
    return this.updateWhileHeld(id, hold, {
      publishState: 'PUBLISHED',
      publishedAt: published.at,
      pubsubMessageId: published.pubsubMessageId,
      claimId: FieldValue.delete(),
      claimedAt: FieldValue.delete(),
    });
  }

  release(id: string, hold: ClaimHold<Timestamp>): Promise<boolean> {
    return this.updateWhileHeld(id, hold, {
      publishState: 'RELEASED',
      claimId: FieldValue.delete(),
      claimedAt: FieldValue.delete(),
    });
  }

  /**
   * Writes `fields` only while the claim is `hold`'s. The first try is fenced on the claim's own write time
   * (no read when nothing else wrote); after another write, the claim id read back decides.
   */
  private async updateWhileHeld(id: string, hold: ClaimHold<Timestamp>, fields: UpdateData<object>) {
    let version = hold.version;
    for (let attempt = 1; attempt <= MAX_FENCED_ATTEMPTS; attempt++) {
      try {
        await this.ref(id).update(fields, { lastUpdateTime: version });
        return true;
      } catch (error) {
        if (grpcCode(error) === NOT_FOUND) return false;
        if (grpcCode(error) !== GrpcCode.FAILED_PRECONDITION) throw error;
      }
      const snapshot = await this.ref(id).get();
      if (snapshot.get('claimId') !== hold.claimId || snapshot.updateTime === undefined) return false;
      version = snapshot.updateTime;
    }
    return false;
  }
}
