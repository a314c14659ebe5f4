/**
 * An in-memory stand-in for shared/store/agent-messages.ts with the same semantics (create once, facts
 * through the pure state machine, outbox confirmation, reconcile's queries), for orchestrator unit tests.
 */
import type { Timestamp } from '@google-cloud/firestore';
import {
  applyDeliveryEvent,
  applyFact,
  type AgentMessageRecord,
  type DeliveryEvent,
  type DeliveryFact,
} from '../../shared/delivery-state.js';
import { confirmPublished } from '../../shared/events/outbox.js';
import { timerStartAt } from '../../shared/fallback/timers.js';
import type { CreateResult, WrittenRecord } from '../../shared/store/agent-messages.js';
import type { MutationResult } from '../../shared/store/optimistic.js';

export class InMemoryAgentMessages {
  readonly records = new Map<string, AgentMessageRecord>();
  /** Makes the next N storage calls fail as an unavailable Firestore would. */
  failNext = 0;
  private writes = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error('14 UNAVAILABLE: storage down'), { code: 14 });
    }
  }

  private stamp(): Timestamp {
    this.writes += 1;
    return { seconds: this.writes, nanoseconds: 0 } as unknown as Timestamp;
  }

  async get(messageId: string): Promise<AgentMessageRecord | undefined> {
    this.maybeFail();
    return this.records.get(messageId);
  }

  async createPending(record: AgentMessageRecord): Promise<CreateResult> {
    this.maybeFail();
    const existing = this.records.get(record.messageId);
    if (existing) return { created: false, existing };
    this.records.set(record.messageId, record);
    return { created: true, record, writeTime: this.stamp() };
  }

  async applyFact(messageId: string, fact: DeliveryFact): Promise<MutationResult<AgentMessageRecord>> {
    return this.mutate(messageId, (current) => (current ? applyFact(current, fact, this.now()) : undefined));
  }

  async applyFactToCreated(
    created: { record: AgentMessageRecord; writeTime: Timestamp },
    fact: DeliveryFact,
  ): Promise<MutationResult<AgentMessageRecord>> {
    return this.applyFact(created.record.messageId, fact);
  }

  async applyEvent(event: DeliveryEvent): Promise<MutationResult<AgentMessageRecord>> {
    return this.mutate(event.messageId, (current) => applyDeliveryEvent(current, event, this.now()));
  }

  async confirmPublished(
    _written: WrittenRecord | undefined,
    messageId: string,
    eventKeys: readonly string[],
  ): Promise<void> {
    await this.mutate(messageId, (current) => (current ? confirmPublished(current, eventKeys) : undefined));
  }

  async withUnconfirmedEvents(queuedBy: Date, limit: number): Promise<AgentMessageRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.outbox?.[0] !== undefined && Date.parse(r.outbox[0].queuedAt) <= queuedBy.getTime())
      .slice(0, limit);
  }

  async withTimerStartedBy(startedBy: Date, limit: number): Promise<AgentMessageRecord[]> {
    return [...this.records.values()]
      .filter((r) => {
        const startedAt = timerStartAt(r);
        return startedAt !== undefined && startedAt.getTime() <= startedBy.getTime();
      })
      .slice(0, limit);
  }

  async pendingCreatedBy(createdBy: Date, limit: number): Promise<AgentMessageRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.state === 'PENDING' && r.createdAt.getTime() <= createdBy.getTime())
      .slice(0, limit);
  }

  private async mutate(
    messageId: string,
    change: (current: AgentMessageRecord | undefined) => AgentMessageRecord | undefined,
  ): Promise<MutationResult<AgentMessageRecord>> {
    this.maybeFail();
    const before = this.records.get(messageId);
    const after = change(before);
    if (after === undefined) return { before, after: before, written: false };
    this.records.set(messageId, after);
    return { before, after, written: true, writeTime: this.stamp() };
  }
}
