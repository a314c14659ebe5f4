/**
 * Publishing the events a record write queued (status changes and fallback decisions) and confirming
 * them on the record. A publish that fails leaves its entry queued: the inbound redelivery or reconcile
 * publishes it later, so nothing is lost; consumers de-duplicate on `eventKey`.
 */
import { withDeadline } from '../deadline.js';
import type { AgentMessageRecord } from '../message-record.js';
import type { Logger } from '../log/logger.js';
import type { Publish } from '../pubsub/publisher.js';
import type { MutationResult } from '../store/optimistic.js';
import type { WrittenRecord } from '../store/agent-messages.js';
import type { OutboxEntry } from '../events/outbox.js';
import type { EventTopics } from '../events/topics.js';

export interface OutboxConfirmer {
  confirmPublished(
    written: WrittenRecord | undefined,
    messageId: string,
    eventKeys: readonly string[],
  ): Promise<void>;
}

export interface OutcomePublisherDeps {
  publish: Publish;
  topics: EventTopics;
  store: OutboxConfirmer;
  logger: Logger;
  /** Bound on one publish, so a hung Pub/Sub cannot hold the caller. */
  publishDeadlineMs?: number;
}

export interface PublishReport {
  published: number;
  failed: number;
}

export class OutcomePublisher {
  constructor(private readonly deps: OutcomePublisherDeps) {}

  /** Publishes what the write added to the outbox, then confirms what was accepted. */
  async afterWrite(result: MutationResult<AgentMessageRecord>): Promise<PublishReport> {
    const after = result.after;
    if (!result.written || after === undefined) return { published: 0, failed: 0 };
    const known = new Set((result.before?.outbox ?? []).map((entry) => entry.eventKey));
    const added = (after.outbox ?? []).filter((entry) => !known.has(entry.eventKey));
    const written = result.writeTime ? { record: after, writeTime: result.writeTime } : undefined;
    return this.publish(after.messageId, added, written);
  }

  /** Publishes entries still queued on a record (a redelivery, or reconcile) and confirms them. */
  async queued(record: AgentMessageRecord, entries = record.outbox ?? []): Promise<PublishReport> {
    return this.publish(record.messageId, entries, undefined);
  }

  private async publish(
    messageId: string,
    entries: readonly OutboxEntry[],
    written: WrittenRecord | undefined,
  ): Promise<PublishReport> {
    if (entries.length === 0) return { published: 0, failed: 0 };
    const results = await Promise.allSettled(entries.map((entry) => this.publishOne(entry)));
    const confirmed = entries.filter((_, i) => results[i]?.status === 'fulfilled').map((e) => e.eventKey);
    const failed = entries.length - confirmed.length;
    if (failed > 0) {
      this.deps.logger.warn('Event publish failed; it stays queued for a later publish', {
        messageId,
        failed,
        err: results.find((r) => r.status === 'rejected')?.reason,
      });
    }
    if (confirmed.length > 0) await this.deps.store.confirmPublished(written, messageId, confirmed);
    return { published: confirmed.length, failed };
  }

  private publishOne(entry: OutboxEntry): Promise<string> {
    const topic = entry.topic === 'status' ? this.deps.topics.status : this.deps.topics.fallback;
    return withDeadline(
      this.deps.publish(topic, Buffer.from(JSON.stringify(entry.data)), { ...entry.attributes }),
      this.deps.publishDeadlineMs ?? 10_000,
      `publishing ${entry.eventKey}`,
    );
  }
}
