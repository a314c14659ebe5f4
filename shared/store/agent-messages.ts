/** `agentMessages/{messageId}`: one record per agent message, changed only through the state machine. */
import type { Firestore, Timestamp } from '@google-cloud/firestore';
import {
  MESSAGE_STATES,
  applyDeliveryEvent,
  applyFact,
  type AgentMessageRecord,
  type DeliveryEvent,
  type DeliveryFact,
} from '../delivery-state.js';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { timestampsToDates } from './firestore.js';
import { mutateDocument, updateIfUnchanged, type MutationResult } from './optimistic.js';

export const AGENT_MESSAGES = 'agentMessages';

export type CreateResult =
  /** `writeTime` lets the creator update its own record without reading it back. */
  | { created: true; record: AgentMessageRecord; writeTime: Timestamp }
  | { created: false; existing: AgentMessageRecord };

export class AgentMessageStore {
  constructor(
    private readonly db: Firestore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private ref(messageId: string) {
    return this.db.collection(AGENT_MESSAGES).doc(messageId);
  }

  async get(messageId: string): Promise<AgentMessageRecord | undefined> {
    const snapshot = await this.ref(messageId).get();
    const data = snapshot.data();
    return data === undefined
      ? undefined
      : decodeAgentMessage(timestampsToDates(data) as Record<string, unknown>);
  }

  /** Writes a new PENDING record unless one exists; then returns the existing one instead. */
  async createPending(record: AgentMessageRecord): Promise<CreateResult> {
    try {
      const write = await this.ref(record.messageId).create(
        Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)),
      );
      return { created: true, record, writeTime: write.writeTime };
    } catch (error) {
      if (grpcCode(error) !== GrpcCode.ALREADY_EXISTS) throw error;
      const existing = await this.get(record.messageId);
      if (existing === undefined) return this.createPending(record); // deleted in between: try again
      return { created: false, existing };
    }
  }

  /** Applies a fact to an existing record; resolves to the stored record after it (undefined if none). */
  async applyFact(messageId: string, fact: DeliveryFact): Promise<MutationResult<AgentMessageRecord>> {
    return mutateDocument(this.ref(messageId), decodeAgentMessage, (current) =>
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
    if (await updateIfUnchanged(this.ref(record.messageId), record, next, writeTime)) {
      return { before: record, after: next, written: true };
    }
    return this.applyFact(record.messageId, fact);
  }

  /** Applies a DELIVERED/READ/TTL event, creating the record for an unknown message. */
  async applyEvent(event: DeliveryEvent): Promise<MutationResult<AgentMessageRecord>> {
    return mutateDocument(this.ref(event.messageId), decodeAgentMessage, (current) =>
      applyDeliveryEvent(current, event, this.now()),
    );
  }
}

function isState(value: unknown): value is AgentMessageRecord['state'] {
  return typeof value === 'string' && (MESSAGE_STATES as readonly string[]).includes(value);
}

/** Stored document (timestamps already converted to Dates) → record; unknown fields are dropped. */
export function decodeAgentMessage(data: Record<string, unknown>): AgentMessageRecord {
  const str = (key: string) => (typeof data[key] === 'string' ? (data[key] as string) : undefined);
  const date = (key: string) => (data[key] instanceof Date ? (data[key] as Date) : undefined);
  const error = data.error as AgentMessageRecord['error'] | undefined;
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
    error: typeof error === 'object' && error !== null ? error : undefined,
    revokeFailed: data.revokeFailed === true ? true : undefined,
    appliedEventIds: Array.isArray(data.appliedEventIds)
      ? data.appliedEventIds.filter((id): id is string => typeof id === 'string')
      : undefined,
  };
  return Object.fromEntries(
    Object.entries(record).filter(([, v]) => v !== undefined),
  ) as unknown as AgentMessageRecord;
}
