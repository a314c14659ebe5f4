/**
 * `userMessages/{id}`: each user message stored once and published once to the user-messages topic.
 *
 * Pub/Sub delivers at least once, and concurrently: two copies of one message can arrive together. The
 * document doubles as a publish claim: whoever creates it (or takes over a stale claim) publishes; a copy
 * that finds a fresh claim throws, so Pub/Sub redelivers it after the owner finished; a copy that finds it
 * published acknowledges. A failed publish releases the claim before throwing, so the redelivery publishes
 * at once; a crash between write and publish is recovered when the claim's lease expires.
 */
import { randomUUID } from 'node:crypto';
import { FieldValue, type Firestore, type Timestamp } from '@google-cloud/firestore';
import type { Publish } from '../pubsub/publisher.js';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { timestampsToDates } from '../store/firestore.js';
import type { UserMessageKind } from './classify.js';
import { TransientError } from './transient-error.js';

export const USER_MESSAGES = 'userMessages';

export interface UserMessage {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  sendTime?: Date;
  receivedAt: Date;
  kind: UserMessageKind;
  payload: unknown;
}

export type UserMessageOutcome = 'published' | 'duplicate';

export interface UserMessageDeps {
  db: Firestore;
  publish: Publish;
  topicId: string;
  now: () => Date;
  /** How long a claim protects an unfinished publish before another delivery may take it over. */
  claimLeaseMs: number;
}

/** The document as stored (and, with RFC 3339 times, as published). */
function documentOf(message: UserMessage): Record<string, unknown> {
  return {
    messageId: message.messageId,
    agentId: message.agentId,
    phoneNumber: message.phoneNumber,
    ...(message.sendTime ? { sendTime: message.sendTime } : {}),
    receivedAt: message.receivedAt,
    kind: message.kind,
    [message.kind]: message.payload,
  };
}

const INTERNAL_FIELDS = new Set(['publishState', 'claimId', 'claimedAt', 'publishedAt', 'pubsubMessageId']);

/** The published JSON: the stored document without bookkeeping, timestamps as RFC 3339 strings. */
export function publishedJson(stored: Record<string, unknown>): string {
  const visible = Object.fromEntries(Object.entries(stored).filter(([key]) => !INTERNAL_FIELDS.has(key)));
  return JSON.stringify(visible);
}

export async function storeAndPublishUserMessage(
  message: UserMessage,
  deps: UserMessageDeps,
): Promise<UserMessageOutcome> {
  const ref = deps.db.collection(USER_MESSAGES).doc(message.messageId);
  const claimId = randomUUID();
  let stored: Record<string, unknown>;
  let claimTime: Timestamp;
  try {
    const document = documentOf(message);
    const write = await ref.create({ ...document, publishState: 'CLAIMED', claimId, claimedAt: deps.now() });
    stored = timestampsToDates(document) as Record<string, unknown>;
    claimTime = write.writeTime;
  } catch (error) {
    if (grpcCode(error) !== GrpcCode.ALREADY_EXISTS) throw error;
    const snapshot = await ref.get();
    const data = timestampsToDates(snapshot.data() ?? {}) as Record<string, unknown>;
    if (!snapshot.exists || snapshot.updateTime === undefined)
      throw new TransientError('user message vanished; retry');
    if (data.publishState === 'PUBLISHED') return 'duplicate';
    const claimedAt = data.claimedAt instanceof Date ? data.claimedAt.getTime() : 0;
    if (typeof data.claimId === 'string' && deps.now().getTime() - claimedAt < deps.claimLeaseMs) {
      throw new TransientError('user message is being published by another delivery; retry later');
    }
    try {
      const write = await ref.update(
        { claimId, claimedAt: deps.now() },
        { lastUpdateTime: snapshot.updateTime },
      );
      claimTime = write.writeTime;
    } catch (updateError) {
      if (grpcCode(updateError) === GrpcCode.FAILED_PRECONDITION) {
        throw new TransientError('user message claim taken by another delivery; retry later');
      }
      throw updateError;
    }
    stored = data;
  }

  let pubsubMessageId: string;
  try {
    pubsubMessageId = await deps.publish(deps.topicId, Buffer.from(publishedJson(toWire(stored))), {
      phoneNumber: String(stored.phoneNumber),
      messageId: String(stored.messageId),
      kind: String(stored.kind),
    });
  } catch (error) {
    // Give the claim back so the redelivery publishes straight away instead of waiting out the lease.
    await ref
      .update({ claimId: FieldValue.delete(), claimedAt: FieldValue.delete() }, { lastUpdateTime: claimTime })
      .catch(() => undefined);
    throw new TransientError('publishing the user message failed', { cause: error });
  }
  await ref.update({
    publishState: 'PUBLISHED',
    publishedAt: deps.now(),
    pubsubMessageId,
    claimId: FieldValue.delete(),
    claimedAt: FieldValue.delete(),
  });
  return 'published';
}

/** Dates as RFC 3339 strings, recursively. */
function toWire(value: Record<string, unknown>): Record<string, unknown> {
  const convert = (item: unknown): unknown => {
    if (item instanceof Date) return item.toISOString();
    if (Array.isArray(item)) return item.map(convert);
    if (typeof item === 'object' && item !== null) {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, convert(v)]));
    }
    return item;
  };
  return convert(value) as Record<string, unknown>;
}
