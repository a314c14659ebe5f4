/**
 * `userMessages/{id}`: each user message stored once and published once to the user-messages topic.
 *
 * Pub/Sub delivers at least once, and concurrently: two copies of one message can arrive together. The
 * document doubles as a publish claim (rules in ./publish-claim.ts): whoever creates it, or takes over a
 * claim whose lease is over, publishes; a copy that finds a live claim throws, so Pub/Sub redelivers it
 * after the holder finished; a copy that finds it published acknowledges. Each publish has a budget well
 * under the lease and the Pub/Sub client gives up when it is spent, so by the time a claim can be taken
 * over its holder can no longer publish. A failed publish gives the claim back, so the redelivery publishes
 * at once; a crash between write and publish is recovered when the lease is over.
 */
import { randomUUID } from 'node:crypto';
import type { Publish } from '../pubsub/publisher.js';
import type { UserMessageKind } from './classify.js';
import { claimDecision, publishBudgetMs, type UserMessageClaims } from '../publish-claim.js';
import { TransientError } from './transient-error.js';

export interface UserMessage {
  messageId: string;
  agentId: string;
  phoneNumber: string;
  sendTime?: Date;
  receivedAt: Date;
  kind: UserMessageKind;
  payload: unknown;
  /** When Firestore's TTL policy deletes the document (docs/operations.md#retention). */
  deleteAt?: Date;
}

export type UserMessageOutcome = 'published' | 'duplicate';

export interface PublishOnceDeps<V> {
  claims: UserMessageClaims<V>;
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
    ...(message.deleteAt ? { deleteAt: message.deleteAt } : {}),
  };
}

const PUBLISHED_FIELDS = ['messageId', 'agentId', 'phoneNumber', 'sendTime', 'receivedAt', 'kind'];

/** The published JSON: the user message's own fields in a fixed order (nothing else kept on its document). */
export function publishedJson(stored: Record<string, unknown>): string {
  const fields = [...PUBLISHED_FIELDS, String(stored.kind)].filter((key) => stored[key] !== undefined);
  return JSON.stringify(Object.fromEntries(fields.map((key) => [key, stored[key]])));
}

export async function publishUserMessageOnce<V>(
  message: UserMessage,
  deps: PublishOnceDeps<V>,
): Promise<UserMessageOutcome> {
  const id = message.messageId;
  const claimId = randomUUID();
  let stored = documentOf(message);
  let hold = await deps.claims.create(id, stored, claimId);
  if (hold === undefined) {
    const current = await deps.claims.read(id);
    if (current === undefined) throw new TransientError('user message vanished; retry');
    switch (claimDecision(current.state, deps.claimLeaseMs)) {
      case 'duplicate':
        return 'duplicate';
      case 'wait':
        throw new TransientError('user message is being published by another delivery; retry later');
      case 'takeOver':
        break;
    }
    hold = await deps.claims.takeOver(id, claimId, current.version);
    if (hold === undefined)
      throw new TransientError('user message claim taken by another delivery; retry later');
    stored = current.document;
  }

  let pubsubMessageId: string;
  try {
    pubsubMessageId = await deps.publish(
      deps.topicId,
      Buffer.from(publishedJson(toWire(stored))),
      {
        phoneNumber: String(stored.phoneNumber),
        messageId: String(stored.messageId),
        kind: String(stored.kind),
      },
      { timeoutMs: publishBudgetMs(deps.claimLeaseMs) },
    );
  } catch (error) {
    // The client gave up within its budget and publishes nothing more: the redelivery may publish at once.
    await deps.claims.release(id, hold).catch(() => false);
    throw new TransientError('publishing the user message failed', { cause: error });
  }
  // Fenced on the claim: if it was taken over meanwhile, the new holder's state is left as it is.
  await deps.claims.markPublished(id, hold, { pubsubMessageId, at: deps.now() });
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
