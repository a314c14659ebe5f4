/** The fake Cloud Tasks' options and the handle tests and tools drive it through. */
import type { DispatchRecord } from './dispatcher.js';
import type { CallFault, DispatchFault, DispatchFaultScope } from './faults.js';
import type { QueueConfig, QueueSettings } from './queue-config.js';
import type { TaskRecord } from './state.js';

export interface FakeCloudTasksOptions {
  /** Loopback port to listen on. Default: a free one. */
  readonly port?: number;
  /** Settings of every queue (under a queue's own); unset ones take the defaults in queue-config.ts. */
  readonly defaultQueue?: QueueSettings;
  /** Settings per full queue name. */
  readonly queues?: Readonly<Record<string, QueueSettings>>;
  /** Answer 404 for a queue not in `queues` (nor configured later), as Cloud Tasks does. Default: any queue. */
  readonly knownQueuesOnly?: boolean;
  /** How long a task's name stays taken after it ran or was deleted. Default one hour, as Cloud Tasks. */
  readonly nameRetentionMs?: number;
  /** When set, REST calls must carry `Authorization: Bearer <requireToken>` (401 otherwise). */
  readonly requireToken?: string;
  /** Start with dispatch paused. */
  readonly paused?: boolean;
  /** How many dispatch records `dispatches()` keeps (the most recent). Default 20,000. */
  readonly maxDispatchRecords?: number;
}

/** A task as the fake holds it (a snapshot). */
export type TaskView = Readonly<TaskRecord>;

/** One REST call (`/v2/...`) the fake answered. */
export interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly hasToken: boolean;
  /** The injected call fault that answered it, if any. */
  readonly fault: CallFault | undefined;
  readonly at: Date;
}

export interface FakeCloudTasks {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (use as CLOUD_TASKS_ENDPOINT with CLOUD_TASKS_AUTH=none). */
  readonly url: string;
  /** Every task created and not yet forgotten, finished ones included, in creation order. */
  tasks(queue?: string): TaskView[];
  task(name: string): TaskView | undefined;
  /** Dispatch requests in the order sent (the most recent `maxDispatchRecords`). */
  dispatches(): DispatchRecord[];
  calls(): ApiCall[];
  /** Tasks waiting or in flight (in one queue, or all). */
  pending(queue?: string): number;
  queueConfig(queue: string): QueueConfig;
  /** Merges settings into the queue's; applies to the next dispatches. Throws on a bad name or setting. */
  configureQueue(queue: string, settings: QueueSettings): QueueConfig;
  /** The next matching attempts (`scope.count`, default 1) get `fault`. Faults queue in order. */
  injectFault(fault: DispatchFault, scope?: DispatchFaultScope): void;
  /** The next `count` REST calls answer `fault.status`. */
  failNextCalls(count: number, fault: CallFault): void;
  /** Stops starting dispatches in one queue, or all; attempts in flight finish. */
  pause(queue?: string): void;
  resume(queue?: string): void;
  isPaused(queue: string): boolean;
  /** Forgets tasks, dispatches, calls, faults, pauses and queue settings made since start. */
  reset(): void;
  stop(): Promise<void>;
}

/** What the admin routes drive: the handle without its address and lifecycle. */
export type FakeCloudTasksControl = Omit<FakeCloudTasks, 'url' | 'stop'>;
