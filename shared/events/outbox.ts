/**
 * The outbox: events a record change must publish, kept on the record itself. The store writes a record
 * and its new events in one write, publishes them, then removes the confirmed ones; whatever stays
 * unconfirmed (a crash, a failed publish) is republished later. Consumers de-duplicate on `eventKey`.
 */
import type { AgentMessageRecord, OutboxEntry } from '../message-record.js';
import { fallbackEventAttributes, fallbackEventFor } from './fallback-event.js';
import { statusEventAttributes, statusEventFor } from './status-event.js';

export type { OutboxEntry };
export type OutboxTopic = OutboxEntry['topic'];

/** The events the change from `before` (undefined: the record is new) to `after` must publish, in order. */
export function outboxFor(before: AgentMessageRecord | undefined, after: AgentMessageRecord): OutboxEntry[] {
  const queuedAt = after.updatedAt.toISOString();
  const entries: OutboxEntry[] = [];
  const status = statusEventFor(before, after);
  if (status !== undefined) {
    const attributes = statusEventAttributes(status);
    entries.push({
      eventKey: attributes.eventKey,
      topic: 'status',
      data: { ...status },
      attributes,
      queuedAt,
    });
  }
  const fallback = fallbackEventFor(before, after);
  if (fallback !== undefined) {
    const attributes = fallbackEventAttributes(fallback);
    entries.push({
      eventKey: attributes.eventKey,
      topic: 'fallback',
      data: { ...fallback },
      attributes,
      queuedAt,
    });
  }
  return entries;
}

/**
 * `after` with the events of the change from `before` queued behind those still unconfirmed. An event
 * already queued is not queued twice. Use it for records written without `applyFact`, such as a record
 * created directly in a final state.
 */
export function withOutbox(
  before: AgentMessageRecord | undefined,
  after: AgentMessageRecord,
): AgentMessageRecord {
  const added = outboxFor(before, after);
  if (added.length === 0) return after;
  const queued = after.outbox ?? [];
  const keys = new Set(queued.map((entry) => entry.eventKey));
  return { ...after, outbox: [...queued, ...added.filter((entry) => !keys.has(entry.eventKey))] };
}

/** The entries of `after` that `before` did not have: what the writer of this change publishes. */
export function addedEntries(
  before: AgentMessageRecord | undefined,
  after: AgentMessageRecord,
): OutboxEntry[] {
  const known = new Set((before?.outbox ?? []).map((entry) => entry.eventKey));
  return (after.outbox ?? []).filter((entry) => !known.has(entry.eventKey));
}

/**
 * The record without the entries whose publish was confirmed, or undefined when none of them is queued.
 * The outbox is bookkeeping: removing entries is not a change of the message, so `updatedAt` stays.
 */
export function confirmPublished(
  record: AgentMessageRecord,
  eventKeys: readonly string[],
): AgentMessageRecord | undefined {
  const confirmed = new Set(eventKeys);
  const queued = record.outbox ?? [];
  const remaining = queued.filter((entry) => !confirmed.has(entry.eventKey));
  if (remaining.length === queued.length) return undefined;
  const { outbox: _dropped, ...rest } = record;
  return remaining.length === 0 ? rest : { ...rest, outbox: remaining };
}

/** Entries queued at or before `queuedBy`: old enough that their writer's own publish has surely failed. */
export function unconfirmedEntries(record: AgentMessageRecord, queuedBy: Date): OutboxEntry[] {
  return (record.outbox ?? []).filter((entry) => Date.parse(entry.queuedAt) <= queuedBy.getTime());
}
