/**
 * Faults the fake can inject. On dispatch: the at-least-once behaviours a task handler must survive. On the
 * REST API: errors a client must retry through.
 */
import type { TaskRecord } from './state.js';

export type DispatchFault =
  /** Send the attempt twice at once; the attempt succeeds if either answer is 2xx. */
  | { readonly kind: 'duplicate' }
  /** Send the attempt, ignore the handler's answer and retry as if it had failed. */
  | { readonly kind: 'loseResponse' }
  /** Wait `ms` before sending the attempt (it holds a concurrency slot meanwhile). */
  | { readonly kind: 'delay'; readonly ms: number };

export interface DispatchFaultScope {
  /** How many attempts get the fault. Default 1. */
  readonly count?: number;
  /** Only attempts of this task (full name or short id). */
  readonly taskName?: string;
  /** Only attempts from this queue (full name). */
  readonly queue?: string;
}

/** The next REST calls answer `status`; with `applied`, after the call took effect (a lost answer). */
export interface CallFault {
  readonly status: 429 | 500 | 503;
  readonly applied?: boolean;
}

interface QueuedDispatchFault {
  readonly fault: DispatchFault;
  readonly scope: DispatchFaultScope;
}

export class FaultQueue {
  private dispatchFaults: QueuedDispatchFault[] = [];
  private callFaults: CallFault[] = [];

  addDispatchFault(fault: DispatchFault, scope: DispatchFaultScope = {}): void {
    for (let i = 0; i < (scope.count ?? 1); i++) this.dispatchFaults.push({ fault, scope });
  }

  addCallFaults(count: number, fault: CallFault): void {
    for (let i = 0; i < count; i++) this.callFaults.push(fault);
  }

  /** The first queued fault that applies to this attempt of `task`, removed from the queue. */
  takeDispatchFault(task: TaskRecord): DispatchFault | undefined {
    const index = this.dispatchFaults.findIndex(({ scope }) => applies(scope, task));
    if (index < 0) return undefined;
    return this.dispatchFaults.splice(index, 1)[0]?.fault;
  }

  takeCallFault(): CallFault | undefined {
    return this.callFaults.shift();
  }

  /** Faults not consumed yet. */
  pending(): number {
    return this.dispatchFaults.length + this.callFaults.length;
  }

  clear(): void {
    this.dispatchFaults = [];
    this.callFaults = [];
  }
}

function applies(scope: DispatchFaultScope, task: TaskRecord): boolean {
  if (scope.queue !== undefined && scope.queue !== task.queue) return false;
  return scope.taskName === undefined || scope.taskName === task.name || scope.taskName === task.taskId;
}

/** A dispatch fault from untrusted JSON (the admin route), or a description of what is wrong. */
export function parseDispatchFault(value: unknown): DispatchFault | string {
  const fault = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (fault.kind === 'duplicate' || fault.kind === 'loseResponse') return { kind: fault.kind };
  if (fault.kind === 'delay') {
    const ms = fault.ms;
    return typeof ms === 'number' && ms >= 0 && Number.isFinite(ms)
      ? { kind: 'delay', ms }
      : 'fault.ms must be a number of milliseconds';
  }
  return 'fault.kind must be "duplicate", "loseResponse" or "delay"';
}
