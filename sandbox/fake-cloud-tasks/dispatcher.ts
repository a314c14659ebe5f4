/**
 * Sends due tasks to their HTTP targets, per queue: in due-time order, no faster than the token bucket allows,
 * no more at once than `maxConcurrentDispatches`, retrying failures (non-2xx, no answer) with the queue's
 * backoff until `maxAttempts`. Every attempt is recorded.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { describeFetchError } from '../../shared/http/retrying-call.js';
import { dispatchHeaders, type AttemptInfo } from './dispatch-request.js';
import { DueQueue } from './due-queue.js';
import type { DispatchFault, FaultQueue } from './faults.js';
import { mayRetry, retryBackoffMs, type QueueConfig } from './queue-config.js';
import type { TaskRecord, TaskStore } from './state.js';
import { TokenBucket } from './token-bucket.js';

export interface DispatchRecord {
  readonly taskName: string;
  readonly queue: string;
  readonly url: string;
  readonly method: string;
  /** The task's attempt number, 1 for the first (both copies of a duplicated attempt share it). */
  readonly attempt: number;
  /** Headers sent, the placeholder `Authorization` included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly fault: DispatchFault['kind'] | undefined;
  /** The second copy of a duplicated attempt. */
  readonly duplicate: boolean;
  /** When the request went out (after any injected delay). */
  readonly startedAt: Date;
  finishedAt: Date | undefined;
  /** The handler's status; 0 when none came (connection error, dispatch deadline). Undefined while in flight. */
  status: number | undefined;
  error: string | undefined;
  /** How the queue counted this request: a lost response counts as failed whatever its status. */
  outcome: 'inFlight' | 'succeeded' | 'failed';
}

export interface DispatcherDeps {
  readonly store: TaskStore;
  readonly faults: FaultQueue;
  readonly configFor: (queue: string) => QueueConfig;
  readonly startPaused: boolean;
  /** The log keeps the most recent this many records. */
  readonly maxRecords: number;
}

/** One queue's dispatch state. */
interface Lane {
  readonly queue: string;
  readonly due: DueQueue<TaskRecord>;
  readonly bucket: TokenBucket;
  config: QueueConfig;
  inFlight: number;
  timer: NodeJS.Timeout | undefined;
  timerAt: number;
  closed: boolean;
}

export class Dispatcher {
  readonly records: DispatchRecord[] = [];
  private readonly lanes = new Map<string, Lane>();
  private readonly pausedQueues = new Set<string>();
  private pausedAll: boolean;
  private aborter = new AbortController();
  private stopped = false;

  constructor(private readonly deps: DispatcherDeps) {
    this.pausedAll = deps.startPaused;
  }

  /** A new task (scheduled at its `nextAttemptAt`). */
  enqueue(task: TaskRecord): void {
    const lane = this.laneFor(task.queue);
    lane.due.push(task.nextAttemptAt, task);
    this.pump(lane);
  }

  /** The queue's configuration changed: new rate, burst and limits apply from now. */
  reconfigure(queue: string): void {
    const lane = this.lanes.get(queue);
    if (!lane) return;
    lane.config = this.deps.configFor(queue);
    lane.bucket.reconfigure(lane.config.maxDispatchesPerSecond, lane.config.maxBurstSize, Date.now());
    this.pump(lane);
  }

  /** Stops starting attempts (in one queue, or all); attempts in flight finish. */
  pause(queue?: string): void {
    if (queue === undefined) this.pausedAll = true;
    else this.pausedQueues.add(queue);
  }

  resume(queue?: string): void {
    if (queue === undefined) {
      this.pausedAll = false;
      this.pausedQueues.clear();
    } else {
      this.pausedQueues.delete(queue);
    }
    for (const lane of this.lanes.values()) this.pump(lane);
  }

  isPaused(queue: string): boolean {
    return this.pausedAll || this.pausedQueues.has(queue);
  }

  /** Forgets every queue's schedule and the records; attempts in flight are aborted. */
  clear(): void {
    this.aborter.abort();
    this.aborter = new AbortController();
    for (const lane of this.lanes.values()) closeLane(lane);
    this.lanes.clear();
    this.records.length = 0;
    this.pausedQueues.clear();
    this.pausedAll = this.deps.startPaused;
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  /** Appends to the log, dropping the oldest tenth once it is over its size (not one by one: that is O(n) each). */
  private record(record: DispatchRecord): void {
    this.records.push(record);
    const { maxRecords } = this.deps;
    if (this.records.length > maxRecords + Math.ceil(maxRecords / 10)) {
      this.records.splice(0, this.records.length - maxRecords);
    }
  }

  private laneFor(queue: string): Lane {
    let lane = this.lanes.get(queue);
    if (!lane) {
      const config = this.deps.configFor(queue);
      lane = {
        queue,
        due: new DueQueue<TaskRecord>(),
        bucket: new TokenBucket(config.maxDispatchesPerSecond, config.maxBurstSize, Date.now()),
        config,
        inFlight: 0,
        timer: undefined,
        timerAt: 0,
        closed: false,
      };
      this.lanes.set(queue, lane);
    }
    return lane;
  }

  /** Starts every attempt that is due and allowed now, and sets a timer for the next one. */
  private pump(lane: Lane): void {
    if (this.stopped || lane.closed || this.isPaused(lane.queue)) return;
    const now = Date.now();
    while (lane.inFlight < lane.config.maxConcurrentDispatches) {
      const next = lane.due.peek();
      if (!next) return;
      if (next.item.state !== 'scheduled' || next.item.nextAttemptAt !== next.dueAt) {
        lane.due.pop(); // deleted since it was queued
        continue;
      }
      if (next.dueAt > now) return this.wakeAt(lane, next.dueAt);
      const wait = lane.bucket.msUntilToken(now);
      if (wait > 0) return this.wakeAt(lane, now + wait);
      lane.bucket.take(now);
      lane.due.pop();
      this.start(lane, next.item);
    }
    // At the concurrency limit: the next attempt to finish pumps again.
  }

  private wakeAt(lane: Lane, at: number): void {
    if (lane.timer !== undefined && lane.timerAt <= at) return;
    clearTimeout(lane.timer);
    lane.timerAt = at;
    lane.timer = setTimeout(
      () => {
        lane.timer = undefined;
        this.pump(lane);
      },
      Math.max(0, at - Date.now()),
    );
    lane.timer.unref();
  }

  private start(lane: Lane, task: TaskRecord): void {
    const attempt: AttemptInfo = {
      retryCount: task.dispatchCount,
      executionCount: task.executionCount,
      previousResponse: task.lastStatus,
      eta: task.nextAttemptAt,
    };
    task.state = 'dispatching';
    task.dispatchCount += 1;
    lane.inFlight += 1;
    const fault = this.deps.faults.takeDispatchFault(task);
    void this.attempt(lane, task, attempt, fault).finally(() => {
      lane.inFlight -= 1;
      this.pump(lane);
    });
  }

  private async attempt(
    lane: Lane,
    task: TaskRecord,
    attempt: AttemptInfo,
    fault: DispatchFault | undefined,
  ): Promise<void> {
    const { signal } = this.aborter;
    if (fault?.kind === 'delay') {
      try {
        await delay(fault.ms, undefined, { signal });
      } catch {
        return; // cleared or stopped meanwhile
      }
    }
    const copies = fault?.kind === 'duplicate' ? [false, true] : [false];
    const sent = await Promise.all(
      copies.map((duplicate) => this.send(task, attempt, fault, duplicate, lane.config, signal)),
    );
    if (signal.aborted) return;
    const answer = sent.find((record) => record.status !== 0)?.status;
    if (answer !== undefined && fault?.kind !== 'loseResponse') {
      task.responseCount += 1;
      if (answer < 500) task.executionCount += 1;
      task.lastStatus = answer;
    }
    if (task.state !== 'dispatching') return; // deleted while in flight: no retry
    const now = Date.now();
    if (sent.some((record) => record.outcome === 'succeeded')) {
      this.deps.store.finish(task, 'succeeded', new Date(now));
    } else if (!mayRetry(lane.config, task.dispatchCount)) {
      this.deps.store.finish(task, 'failed', new Date(now));
    } else {
      task.state = 'scheduled';
      task.nextAttemptAt = now + retryBackoffMs(lane.config, task.dispatchCount);
      lane.due.push(task.nextAttemptAt, task);
    }
  }

  private async send(
    task: TaskRecord,
    attempt: AttemptInfo,
    fault: DispatchFault | undefined,
    duplicate: boolean,
    config: QueueConfig,
    signal: AbortSignal,
  ): Promise<DispatchRecord> {
    const startedAt = new Date();
    const { url, httpMethod, body } = task.httpRequest;
    const headers = dispatchHeaders(task, attempt, startedAt);
    const record: DispatchRecord = {
      taskName: task.name,
      queue: task.queue,
      url,
      method: httpMethod,
      attempt: task.dispatchCount,
      headers,
      fault: fault?.kind,
      duplicate,
      startedAt,
      finishedAt: undefined,
      status: undefined,
      error: undefined,
      outcome: 'inFlight',
    };
    this.record(record);
    try {
      const response = await fetch(url, {
        method: httpMethod,
        headers,
        ...(body === '' ? {} : { body: Buffer.from(body, 'base64') }),
        signal: AbortSignal.any([
          signal,
          AbortSignal.timeout(task.dispatchDeadlineMs ?? config.dispatchDeadlineMs),
        ]),
      });
      await response.arrayBuffer();
      record.status = response.status;
    } catch (error) {
      record.status = 0;
      record.error = describeFetchError(error);
    }
    record.finishedAt = new Date();
    const ok = record.status >= 200 && record.status < 300 && fault?.kind !== 'loseResponse';
    record.outcome = ok ? 'succeeded' : 'failed';
    return record;
  }
}

function closeLane(lane: Lane): void {
  lane.closed = true;
  clearTimeout(lane.timer);
  lane.due.clear();
}
