/**
 * The fake's tasks. A name stays taken for a while after its task ran or was deleted, as in Cloud Tasks
 * (about an hour), so a create retried after a lost answer still answers ALREADY_EXISTS.
 */
import { randomBytes } from 'node:crypto';
import type { HttpTarget, TaskRequest } from './task-request.js';

/** `scheduled`: waiting for its time, a token or a retry; `dispatching`: an attempt in flight. */
export type TaskState = 'scheduled' | 'dispatching' | 'succeeded' | 'failed' | 'deleted';

export interface TaskRecord {
  /** Full name `projects/P/locations/L/queues/Q/tasks/T`. */
  readonly name: string;
  /** Full queue name. */
  readonly queue: string;
  readonly taskId: string;
  readonly scheduleTime: Date;
  readonly createTime: Date;
  /** The task's own dispatch deadline, when it set one. */
  readonly dispatchDeadlineMs: number | undefined;
  readonly httpRequest: HttpTarget;
  state: TaskState;
  /** Attempts started (a duplicated dispatch counts once). */
  dispatchCount: number;
  /** Attempts the handler answered. */
  responseCount: number;
  /** Attempts the handler answered with something other than 5xx (`X-CloudTasks-TaskExecutionCount`). */
  executionCount: number;
  /** The status of the last answered attempt. */
  lastStatus: number | undefined;
  /** When the next attempt is due (epoch ms) while `scheduled`. */
  nextAttemptAt: number;
  /** When it left the queue: succeeded, failed for good, or deleted. */
  finishedAt: Date | undefined;
}

export type CreateResult =
  { readonly kind: 'created'; readonly task: TaskRecord } | { readonly kind: 'exists' };

export type DeleteResult = 'deleted' | 'finished' | 'unknown';

/** Cloud Tasks keeps a used name about an hour for queues created through its API. */
export const DEFAULT_NAME_RETENTION_MS = 60 * 60 * 1000;

export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord>();

  constructor(private readonly nameRetentionMs: number = DEFAULT_NAME_RETENTION_MS) {}

  create(queue: string, request: TaskRequest, now: Date): CreateResult {
    const taskId = request.taskId ?? generatedTaskId();
    const name = `${queue}/tasks/${taskId}`;
    const existing = this.tasks.get(name);
    if (existing && !this.nameReleased(existing, now)) return { kind: 'exists' };
    const scheduleTime = request.scheduleTime ?? now;
    const task: TaskRecord = {
      name,
      queue,
      taskId,
      scheduleTime,
      createTime: now,
      dispatchDeadlineMs: request.dispatchDeadlineMs,
      httpRequest: request.httpRequest,
      state: 'scheduled',
      dispatchCount: 0,
      responseCount: 0,
      executionCount: 0,
      lastStatus: undefined,
      nextAttemptAt: scheduleTime.getTime(),
      finishedAt: undefined,
    };
    this.tasks.set(name, task);
    return { kind: 'created', task };
  }

  /** A live task is deleted (an attempt in flight finishes, no retry follows); `finished`: it ran or went already. */
  delete(name: string, now: Date): DeleteResult {
    const task = this.tasks.get(name);
    if (!task || this.nameReleased(task, now)) return 'unknown';
    if (!isLive(task)) return 'finished';
    this.finish(task, 'deleted', now);
    return 'deleted';
  }

  finish(task: TaskRecord, state: 'succeeded' | 'failed' | 'deleted', now: Date): void {
    task.state = state;
    task.finishedAt = now;
  }

  get(name: string): TaskRecord | undefined {
    return this.tasks.get(name);
  }

  all(): TaskRecord[] {
    return [...this.tasks.values()];
  }

  clear(): void {
    this.tasks.clear();
  }

  private nameReleased(task: TaskRecord, now: Date): boolean {
    return task.finishedAt !== undefined && now.getTime() - task.finishedAt.getTime() >= this.nameRetentionMs;
  }
}

export function isLive(task: TaskRecord): boolean {
  return task.state === 'scheduled' || task.state === 'dispatching';
}

/** The Task resource as the REST API answers it (BASIC view: no body or headers). */
export function taskResource(task: TaskRecord): Record<string, unknown> {
  return {
    name: task.name,
    scheduleTime: task.scheduleTime.toISOString(),
    createTime: task.createTime.toISOString(),
    ...(task.dispatchDeadlineMs === undefined
      ? {}
      : { dispatchDeadline: `${task.dispatchDeadlineMs / 1000}s` }),
    dispatchCount: task.dispatchCount,
    responseCount: task.responseCount,
    view: 'BASIC',
    httpRequest: { url: task.httpRequest.url, httpMethod: task.httpRequest.httpMethod },
  };
}

/** Cloud Tasks picks a numeric id for an unnamed task. */
function generatedTaskId(): string {
  return randomBytes(8).readBigUInt64BE().toString();
}
