/**
 * The inbound pipeline: envelope → classification → durable state. Permanent problems become an
 * `inboundRejects` record and the message is acknowledged; transient ones throw so Pub/Sub redelivers.
 */
import type { Consent } from '../consent/consent-rules.js';
import { keywordIntent, type ConsentKeywords } from '../consent/keywords.js';
import type { AgentMessageRecord, DeliveryFact } from '../delivery-state.js';
import type { PublishReport } from '../publishing/outcome-publisher.js';
import { unconfirmedEntries } from '../events/outbox.js';
import type { MutationResult } from '../store/optimistic.js';
import type { Logger } from '../log/logger.js';
import type { Publish } from '../pubsub/publisher.js';
import type { DeliveryEvent } from '../delivery-state.js';
import type { Reject } from '../store/inbound-rejects.js';
import type { UserMessageClaims } from '../publish-claim.js';
import { classifyInbound, type DeliveryEventType, type InboundPayload } from './classify.js';
import { retentionExpiry } from '../store/retention.js';
import { TransientError } from './transient-error.js';
import { readEnvelope } from './envelope.js';
import { publishUserMessageOnce } from './user-messages.js';

/** Where inbound keeps what it learns: narrow ports, so unit tests hand in fakes (shared/store/ in production). */
export interface InboundStorage {
  /** Applies a DELIVERED/READ/TTL event to the agent-message record. */
  applyEvent(event: DeliveryEvent): Promise<MutationResult<AgentMessageRecord>>;
  /** User messages and their publish claims. */
  userMessages: UserMessageClaims<unknown>;
  /** Keeps a payload that can never be processed; resolves to its id. */
  recordReject(reject: Reject, now: Date): Promise<string>;
  /** Keeps an agent launch event once; false when already kept. */
  recordLaunchEvent(
    eventId: string,
    fields: Record<string, unknown>,
    sendTime: Date | undefined,
    now: Date,
  ): Promise<boolean>;
}

export interface InboundDeps {
  storage: InboundStorage;
  publish: Publish;
  agentId: string;
  userMessagesTopic: string;
  logger: Logger;
  now: () => Date;
  claimLeaseMs: number;
  /** Days a user message is kept (its `deleteAt`); unset: kept until deleted otherwise. */
  userMessageRetentionDays?: number;
  /** Publishes the status and fallback events a record write queued. */
  events: {
    afterWrite(result: MutationResult<AgentMessageRecord>): Promise<PublishReport>;
    queued(record: AgentMessageRecord, entries?: AgentMessageRecord['outbox']): Promise<PublishReport>;
  };
  /**
   * Applies a consent change and publishes it (throws when the publish failed, so it is retried). The Pub/Sub
   * message id names the publish claim, so a redelivery after a crash resumes it without waiting its lease.
   */
  recordConsent(change: Consent, pubsubMessageId?: string): Promise<boolean>;
  keywords: ConsentKeywords;
  /** Called for each user message once stored and published (capability cache, automatic READ); may repeat. */
  onNewUserMessage?(message: { messageId: string; phoneNumber: string }): Promise<void>;
}

/** A redelivery publishes events queued this long ago or more; newer ones may still be in their writer's hands. */
export const REDELIVERY_PUBLISH_AFTER_MS = 5_000;

export type InboundOutcome =
  | 'rejected'
  | 'deliveryEventApplied'
  | 'duplicate'
  | 'userMessagePublished'
  | 'consentRecorded'
  | 'launchEventRecorded'
  | 'ignored';

export async function processInbound(
  eventData: unknown,
  eventId: string | undefined,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const envelope = readEnvelope(eventData, eventId);
  if (!envelope.ok)
    return reject(deps, { reason: envelope.reason, data: envelope.raw, pubsubMessageId: eventId });
  const { data, attributes, pubsubMessageId } = envelope.message;
  const rejectWith = (reason: string) =>
    reject(deps, {
      reason,
      data: data.toString('base64'),
      attributes,
      ...(pubsubMessageId ? { pubsubMessageId } : {}),
    });

  let decoded: unknown;
  try {
    decoded = JSON.parse(data.toString('utf8'));
  } catch {
    return rejectWith('message data is not JSON');
  }
  const payload = classifyInbound(decoded, attributes);
  if (payload.kind === 'unprocessable') return rejectWith(payload.reason);
  if (payload.agentId !== undefined && payload.agentId !== deps.agentId) {
    return rejectWith(`message for another agent (${payload.agentId})`);
  }
  const logger = deps.logger.child({ pubsubMessageId });
  const outcome = await apply(payload, pubsubMessageId, deps);
  logger.info('Inbound processed', { kind: payload.kind, outcome, ...describe(payload) });
  return outcome;
}

async function apply(
  payload: Exclude<InboundPayload, { kind: 'unprocessable' }>,
  pubsubMessageId: string | undefined,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  const now = deps.now();
  const agentId = payload.agentId ?? deps.agentId;
  switch (payload.kind) {
    case 'deliveryEvent': {
      const result = await deps.storage.applyEvent({
        eventId: payload.eventId,
        messageId: payload.messageId,
        agentId,
        phoneNumber: payload.phoneNumber,
        fact: deliveryFact(payload.eventType, payload.sendTime ?? now, now),
      });
      // A failed publish is retried by Pub/Sub's redelivery of this event, which finds the entry still queued.
      const report = result.written
        ? await deps.events.afterWrite(result)
        : result.after
          ? await deps.events.queued(
              result.after,
              unconfirmedEntries(result.after, new Date(now.getTime() - REDELIVERY_PUBLISH_AFTER_MS)),
            )
          : { published: 0, failed: 0 };
      if (report.failed > 0) throw new TransientError('status events not published; redelivery retries them');
      return result.written ? 'deliveryEventApplied' : 'duplicate';
    }
    case 'userMessage': {
      const outcome = await publishUserMessageOnce(
        {
          messageId: payload.id,
          agentId,
          phoneNumber: payload.phoneNumber,
          ...(payload.sendTime ? { sendTime: payload.sendTime } : {}),
          receivedAt: now,
          kind: payload.content,
          payload: payload.payload,
          ...(deps.userMessageRetentionDays === undefined
            ? {}
            : { deleteAt: retentionExpiry(now, deps.userMessageRetentionDays) }),
        },
        {
          claims: deps.storage.userMessages,
          publish: deps.publish,
          topicId: deps.userMessagesTopic,
          now: deps.now,
          claimLeaseMs: deps.claimLeaseMs,
        },
      );
      // A keyword changes consent whether or not this copy was the first: the change itself is idempotent.
      const intent =
        payload.content === 'text' && typeof payload.payload === 'string'
          ? keywordIntent(payload.payload, deps.keywords)
          : undefined;
      if (intent !== undefined) {
        await deps.recordConsent(
          {
            phoneNumber: payload.phoneNumber,
            agentId,
            subscribed: intent === 'optIn',
            changedAt: payload.sendTime ?? now,
            source: 'KEYWORD',
          },
          pubsubMessageId,
        );
      }
      // Also for a redelivered copy: what failed the first time (an automatic READ) is retried here.
      await deps.onNewUserMessage?.({ messageId: payload.id, phoneNumber: payload.phoneNumber });
      return outcome === 'published' ? 'userMessagePublished' : 'duplicate';
    }
    case 'consent': {
      const applied = await deps.recordConsent(
        {
          phoneNumber: payload.phoneNumber,
          agentId,
          subscribed: payload.subscribed,
          changedAt: payload.sendTime ?? now,
          source: 'EVENT',
        },
        pubsubMessageId,
      );
      return applied ? 'consentRecorded' : 'duplicate';
    }
    case 'launchEvent': {
      const id = payload.eventId ?? pubsubMessageId;
      if (id === undefined) throw new Error('launch event without any id'); // unreachable with Pub/Sub
      const written = await deps.storage.recordLaunchEvent(
        id.replace(/\//g, '_'),
        payload.fields,
        payload.sendTime,
        now,
      );
      return written ? 'launchEventRecorded' : 'duplicate';
    }
    case 'typing':
      return 'ignored';
  }
}

/**
 * `at` is when the event happened (its sendTime); `receivedAt` when the project learned of it. Only the
 * phone's own facts (delivered, read) carry the event's time; the others are stamped when learnt.
 */
function deliveryFact(eventType: DeliveryEventType, at: Date, receivedAt: Date): DeliveryFact {
  switch (eventType) {
    case 'DELIVERED':
      return { kind: 'delivered', at };
    case 'READ':
      return { kind: 'read', at };
    case 'TTL_EXPIRATION_REVOKED':
      return { kind: 'expired', at: receivedAt };
    case 'TTL_EXPIRATION_REVOKE_FAILED':
      // The grace for a DELIVERED counts from the receipt: a callback RBM retried for hours must not
      // find its grace already over.
      return { kind: 'revokeFailed', source: 'ttl', at: receivedAt };
  }
}

async function reject(
  deps: InboundDeps,
  reject: {
    reason: string;
    data: string;
    attributes?: Record<string, string>;
    pubsubMessageId?: string | undefined;
  },
): Promise<InboundOutcome> {
  const { pubsubMessageId, ...rest } = reject;
  const id = await deps.storage.recordReject(
    { ...rest, ...(pubsubMessageId ? { pubsubMessageId } : {}) },
    deps.now(),
  );
  deps.logger.warn('Inbound payload rejected', { reason: reject.reason, rejectId: id, pubsubMessageId });
  return 'rejected';
}

function describe(payload: Exclude<InboundPayload, { kind: 'unprocessable' }>): Record<string, unknown> {
  switch (payload.kind) {
    case 'deliveryEvent':
      return { eventType: payload.eventType, messageId: payload.messageId, eventId: payload.eventId };
    case 'userMessage':
      return { messageId: payload.id, content: payload.content };
    case 'consent':
      return { subscribed: payload.subscribed, eventId: payload.eventId };
    case 'typing':
    case 'launchEvent':
      return payload.eventId === undefined ? {} : { eventId: payload.eventId };
    default:
      return {};
  }
}
