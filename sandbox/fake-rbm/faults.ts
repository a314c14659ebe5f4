/** Injected faults: a queue of failures for the next calls of a kind, and the answer a status fault gives. */
import type { ApiAnswer } from './api-answer.js';
import { googleError, statusNameFor } from './google-error.js';
import type { CallKind, Fault, FaultScope } from './types.js';

/** Unscoped faults go to these kinds only, so callers that queue them for sends are not surprised by other calls. */
const UNSCOPED_KINDS: ReadonlySet<CallKind> = new Set(['create', 'delete']);

interface QueuedFault {
  readonly fault: Fault;
  readonly scope: FaultScope;
}

export class FaultQueue {
  private queued: QueuedFault[] = [];

  add(count: number, fault: Fault, scope: FaultScope = {}): void {
    for (let i = 0; i < count; i++) this.queued.push({ fault, scope });
  }

  /** The first queued fault this kind of call consumes, removed from the queue. */
  take(kind: CallKind): Fault | undefined {
    const index = this.queued.findIndex(({ scope }) =>
      scope.only === undefined ? UNSCOPED_KINDS.has(kind) : scope.only === kind,
    );
    if (index < 0) return undefined;
    return this.queued.splice(index, 1)[0]?.fault;
  }

  clear(): void {
    this.queued = [];
  }
}

export type StatusFault = Extract<Fault, { readonly status: unknown }>;

/** The Google error answer of an injected status, with `Retry-After` when the fault has one. */
export function faultAnswer(fault: StatusFault): ApiAnswer {
  return {
    status: fault.status,
    body: googleError(fault.status, statusNameFor(fault.status), `Injected fault: ${fault.status}`),
    headers: fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) },
  };
}
