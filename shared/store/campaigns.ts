/**
 * `campaigns/{campaignId}` and its `chunks`: the campaign document, its recipient list in chunks, and the
 * aggregation queries that count its messages by state (no counter document: every dispatch would write it).
 * See docs/campaigns.md#data.
 */
import type { DocumentData, Firestore } from '@google-cloud/firestore';
import {
  transitionCampaign,
  type CampaignRecord,
  type CampaignState,
  type ChunkRecord,
} from '../campaign-record.js';
import { MESSAGE_STATES, type MessageState } from '../delivery-state.js';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';
import { mutateDocument, withoutUndefined } from './optimistic.js';

export type CreateCampaignResult = { created: true } | { created: false; existing: CampaignRecord };

export class CampaignStore {
  constructor(private readonly db: Firestore) {}

  private ref(campaignId: string) {
    return this.db.collection(COLLECTIONS.campaigns).doc(campaignId);
  }

  private chunkRef(campaignId: string, chunk: number) {
    return this.ref(campaignId).collection(COLLECTIONS.campaignChunks).doc(String(chunk));
  }

  /**
   * Writes the campaign and all its chunks in one atomic batch (about 2 MB for 100,000 recipients, within a
   * commit's limits), unless the campaign exists: then nothing is written and the existing one is returned.
   */
  async create(record: CampaignRecord, chunks: readonly ChunkRecord[]): Promise<CreateCampaignResult> {
    const batch = this.db.batch();
    batch.create(this.ref(record.campaignId), withoutUndefined(record));
    for (const chunk of chunks)
      batch.set(this.chunkRef(record.campaignId, chunk.chunk), withoutUndefined(chunk));
    try {
      await batch.commit();
      return { created: true };
    } catch (error) {
      if (grpcCode(error) !== GrpcCode.ALREADY_EXISTS) throw error;
    }
    const existing = await this.get(record.campaignId);
    if (existing === undefined) throw new Error(`campaigns/${record.campaignId} exists and cannot be read`);
    return { created: false, existing };
  }

  async get(campaignId: string): Promise<CampaignRecord | undefined> {
    const data = (await this.ref(campaignId).get()).data();
    return data === undefined ? undefined : decodeCampaign(data);
  }

  /** The state alone: a dispatch reads it every time (a cancel must stop the next send), not the message. */
  async getState(campaignId: string): Promise<CampaignState | undefined> {
    const [snapshot] = await this.db.getAll(this.ref(campaignId), { fieldMask: ['state'] });
    const state: unknown = snapshot?.get('state');
    return typeof state === 'string' ? (state as CampaignState) : undefined;
  }

  async getChunk(campaignId: string, chunk: number): Promise<ChunkRecord | undefined> {
    const data = (await this.chunkRef(campaignId, chunk).get()).data();
    return data === undefined ? undefined : (timestampsToDates(data) as ChunkRecord);
  }

  async markChunkEnqueued(campaignId: string, chunk: number, at: Date): Promise<void> {
    await this.chunkRef(campaignId, chunk).update({ enqueued: true, enqueuedAt: at });
  }

  async markChunkTasksCreated(campaignId: string, at: Date): Promise<void> {
    await this.ref(campaignId).update({ chunkTasksCreatedAt: at });
  }

  /** Moves the campaign to `to` when that applies (see transitionCampaign); resolves to the stored campaign. */
  async transition(
    campaignId: string,
    to: Exclude<CampaignState, 'SCHEDULED'>,
    at: Date,
  ): Promise<{ record: CampaignRecord | undefined; changed: boolean }> {
    const result = await mutateDocument(this.ref(campaignId), decodeCampaign, (current) =>
      current === undefined ? undefined : transitionCampaign(current, to, at),
    );
    return { record: result.after, changed: result.written };
  }

  /** The campaign's messages in each state: one aggregation query per state, on (campaignId, state). */
  async countByState(campaignId: string): Promise<Record<MessageState, number>> {
    const messages = this.db.collection(COLLECTIONS.agentMessages).where('campaignId', '==', campaignId);
    const counts = await Promise.all(
      MESSAGE_STATES.map(async (state) => {
        const snapshot = await messages.where('state', '==', state).count().get();
        return [state, snapshot.data().count] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<MessageState, number>;
  }

  /** How many recipients have a record, whatever its state. */
  async countRecords(campaignId: string): Promise<number> {
    const snapshot = await this.db
      .collection(COLLECTIONS.agentMessages)
      .where('campaignId', '==', campaignId)
      .count()
      .get();
    return snapshot.data().count;
  }

  async countEnqueuedChunks(campaignId: string): Promise<number> {
    const snapshot = await this.ref(campaignId)
      .collection(COLLECTIONS.campaignChunks)
      .where('enqueued', '==', true)
      .count()
      .get();
    return snapshot.data().count;
  }
}

function decodeCampaign(data: DocumentData): CampaignRecord {
  return timestampsToDates(data) as CampaignRecord;
}
