/**
 * `agentMessages/{messageId}`: one record per agent message, changed only through the state machine.
 * Besides the record, each write keeps two derived fields that reconcile queries on: `outboxSince` (the
 * oldest unconfirmed event) and `timerAt` (when a sent message's timer rule or open revoke request starts
 * counting).
 * See docs/data-model.md.
 */
import type { DocumentData, Firestore, Timestamp } from '@google-cloud/firestore';
import {
  MESSAGE_STATES,
  applyDeliveryEvent,
  applyFact,
  type AgentMessageRecord,
  type DeliveryEvent,
  type DeliveryFact,
} from '../delivery-state.js';
import { confirmPublished, type OutboxEntry } from '../events/outbox.js';
import { timerStartAt } from '../fallback/timers.js';
import { COLLECTIONS } from './collections.js';
import { retentionExpiry } from './retention.js';
import { timestampsToDates } from './firestore.js';
import {
  createOnce,
  mutateDocument,
  updateIfUnchanged,
  withoutUndefined,
  type MutationResult,
} from './optimistic.js';

export type CreateResult =
  /** `writeTime` lets the creator update its own record without reading it back. */
  | { created: true; record: AgentMessageRecord; writeTime: Timestamp }
  | { created: false; existing: AgentMessageRecord };

/** A write of this process: the version written and its time, to confirm its events without a read. */
export interface WrittenRecord {
  record: AgentMessageRecord;
  writeTime: Timestamp;
}

export interface AgentMessageStoreOptions {
  now?: () => Date;
  /** Days a record is kept: a record this store creates gets `deleteAt` (docs/operations.md#retention). */
  retentionDays?: number;
}

export class AgentMessageStore {
  private readonly now: () => Date;
  private readonly retentionDays: number | undefined;

  constructor(
    private readonly db: Firestore,
    options: AgentMessageStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.retentionDays = options.retentionDays;
  }

  /** `record` with its deletion time, when this store sets retention and the record has none yet. */
  private retained(record: AgentMessageRecord): AgentMessageRecord {
    if (this.retentionDays === undefined || record.deleteAt !== undefined) return record;
    return { ...record, deleteAt: retentionExpiry(record.createdAt, this.retentionDays) };
  }

  private ref(messageId: string) {
    return this.db.collection(COLLECTIONS.agentMessages).doc(messageId);
  }

  async get(messageId: string): Promise<AgentMessageRecord | undefined> {
    const snapshot = await this.ref(messageId).get();
    const data = snapshot.data();
    return data === undefined
      ? undefined
      : decodeAgentMessage(timestampsToDates(data) as Record<string, unknown>);
  }

  /** Writes a new record unless one exists; then returns the existing one instead. */
  async createPending(unretained: AgentMessageRecord): Promise<CreateResult> {
    const record = this.retained(unretained);
    const writeTime = await createOnce(this.ref(record.messageId), encodeAgentMessage(record));
    if (writeTime !== undefined) return { created: true, record, writeTime };
    const existing = await this.get(record.messageId);
    if (existing === undefined) return this.createPending(unretained); // deleted in between: try again
    return { created: false, existing };
  }

  /** Applies a fact to an existing record; resolves to the stored record after it (undefined if none). */
  async applyFact(messageId: string, fact: DeliveryFact): Promise<MutationResult<AgentMessageRecord>> {
    return this.mutate(messageId, (current) =>
      current === undefined ? undefined : applyFact(current, fact, this.now()),
    );
  }

  /**
   * Applies a fact to a record this process created, without reading it back: one precondition update on
   * the create's write time; only when someone wrote in between does it fall back to read-modify-write.
   */
  async applyFactToCreated(
    created: { record: AgentMessageRecord; writeTime: Timestamp },
    fact: DeliveryFact,
  ): Promise<MutationResult<AgentMessageRecord>> {
    const { record, writeTime } = created;
    const next = applyFact(record, fact, this.now());
    if (next === undefined) return { before: record, after: record, written: false };
    const written = await updateIfUnchanged(
      this.ref(record.messageId),
      encodeAgentMessage(record),
      encodeAgentMessage(next),
      writeTime,
    );
    if (written !== undefined) return { before: record, after: next, written: true, writeTime: written };
    return this.applyFact(record.messageId, fact);
  }

  /** Applies a DELIVERED/READ/TTL event, creating the record for an unknown message. */
  async applyEvent(event: DeliveryEvent): Promise<MutationResult<AgentMessageRecord>> {
    return this.mutate(event.messageId, (current) => applyDeliveryEvent(current, event, this.now()));
  }

  /**
   * Removes published events from the outbox. After this process's own write it is one precondition
   * update (no read); if someone wrote since, it reads and retries.
   */
  async confirmPublished(
    written: WrittenRecord | undefined,
    messageId: string,
    eventKeys: readonly string[],
  ): Promise<void> {
    if (eventKeys.length === 0) return;
    if (written !== undefined) {
      const next = confirmPublished(written.record, eventKeys);
      if (next === undefined) return;
      const done = await updateIfUnchanged(
        this.ref(messageId),
        encodeAgentMessage(written.record),
        encodeAgentMessage(next),
        written.writeTime,
      );
      if (done !== undefined) return;
    }
    await this.mutate(messageId, (current) =>
      current === undefined ? undefined : confirmPublished(current, eventKeys),
    );
  }

  /** Records whose oldest unconfirmed event was queued at or before `queuedBy`, oldest first. */
  async withUnconfirmedEvents(queuedBy: Date, limit: number): Promise<AgentMessageRecord[]> {
    return this.query(
      this.db
        .collection(COLLECTIONS.agentMessages)
        .where('outboxSince', '<=', queuedBy)
        .orderBy('outboxSince')
        .limit(limit),
    );
  }

  /**
   * SENT records whose timer or open revoke request started counting at or before `startedBy`
   * (docs/status-and-fallback.md).
   */
  async withTimerStartedBy(startedBy: Date, limit: number): Promise<AgentMessageRecord[]> {
    return this.query(
      this.db
        .collection(COLLECTIONS.agentMessages)
        .where('timerAt', '<=', startedBy)
        .orderBy('timerAt')
        .limit(limit),
    );
  }

  /** PENDING records created at or before `createdBy`, oldest first. */
  async pendingCreatedBy(createdBy: Date, limit: number): Promise<AgentMessageRecord[]> {
    return this.query(
      this.db
        .collection(COLLECTIONS.agentMessages)
        .where('state', '==', 'PENDING')
        .where('createdAt', '<=', createdBy)
        .orderBy('createdAt')
        .limit(limit),
    );
  }

  private async query(query: FirebaseFirestore.Query): Promise<AgentMessageRecord[]> {
    const snapshot = await query.get();
    return snapshot.docs.map((doc) =>
      decodeAgentMessage(timestampsToDates(doc.data()) as Record<string, unknown>),
    );
  }

  private mutate(
    messageId: string,
    change: (current: AgentMessageRecord | undefined) => AgentMessageRecord | undefined,
  ): Promise<MutationResult<AgentMessageRecord>> {
    return mutateDocument(
      this.ref(messageId),
      decodeAgentMessage,
      (current) => {
        const next = change(current);
        // A record created here (an event for an unknown message) is retained like one created by send.
        return next !== undefined && current === undefined ? this.retained(next) : next;
      },
      encodeAgentMessage,
    );
  }
}

/** The outbox entries to publish for a write: those it added. */
export function entriesOf(result: MutationResult<AgentMessageRecord>): OutboxEntry[] {
  if (!result.written || result.after === undefined) return [];
  const known = new Set((result.before?.outbox ?? []).map((entry) => entry.eventKey));
  return (result.after.outbox ?? []).filter((entry) => !known.has(entry.eventKey));
}

/** The record as stored, with the derived fields reconcile queries on. */
export function encodeAgentMessage(record: AgentMessageRecord): DocumentData {
  const oldest = record.outbox?.[0]?.queuedAt;
  return withoutUndefined({
    ...record,
    outboxSince: oldest === undefined ? undefined : new Date(oldest),
    timerAt: timerStartAt(record),
  });
}

function isState(value: unknown): value is AgentMessageRecord['state'] {
  return typeof value === 'string' && (MESSAGE_STATES as readonly string[]).includes(value);
}

/** Stored document (timestamps already converted to Dates) → record; unknown and derived fields are dropped. */
export function decodeAgentMessage(data: Record<string, unknown>): AgentMessageRecord {
  const str = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const date = (key: string) => (data[key] instanceof Date ? (data[key] as Date) : undefined);
  const object = <T>(key: string) =>
    typeof data[key] === 'object' && data[key] !== null && !(data[key] instanceof Date)
      ? (data[key] as T)
      : undefined;
  const record: AgentMessageRecord = {
    messageId: str('messageId') ?? '',
    agentId: str('agentId') ?? '',
    phoneNumber: str('phoneNumber') ?? '',
    state: isState(data.state) ? data.state : 'PENDING',
    contentType: str('contentType'),
    trafficType: str('trafficType'),
    contentSha256: str('contentSha256'),
    createdAt: date('createdAt') ?? new Date(0),
    updatedAt: date('updatedAt') ?? new Date(0),
    sentAt: date('sentAt'),
    deliveredAt: date('deliveredAt'),
    readAt: date('readAt'),
    revokedAt: date('revokedAt'),
    expiredAt: date('expiredAt'),
    failedAt: date('failedAt'),
    name: str('name'),
    sendTime: date('sendTime'),
    expireTime: date('expireTime'),
    attempts: typeof data.attempts === 'number' ? data.attempts : 0,
    error: object<AgentMessageRecord['error']>('error'),
    revokeFailed: data.revokeFailed === true ? true : undefined,
    revokeFailedAt: date('revokeFailedAt'),
    revokeRequestedAt: date('revokeRequestedAt'),
    correlationId: str('correlationId'),
    idempotencyKey: str('idempotencyKey'),
    fallbackPolicy: str('fallbackPolicy') as AgentMessageRecord['fallbackPolicy'],
    fallback: object<AgentMessageRecord['fallback']>('fallback'),
    campaignId: str('campaignId'),
    timerRevoke: object<AgentMessageRecord['timerRevoke']>('timerRevoke'),
    outbox: Array.isArray(data.outbox) ? (data.outbox as OutboxEntry[]) : undefined,
    deleteAt: date('deleteAt'),
    appliedEventIds: Array.isArray(data.appliedEventIds)
      ? data.appliedEventIds.filter((id): id is string => typeof id === 'string')
      : undefined,
  };
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined),
  ) as unknown as AgentMessageRecord;
}
