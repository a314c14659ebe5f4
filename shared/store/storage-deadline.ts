/**
 * A deadline on every storage call, so a hung Firestore turns into a quick, retryable failure (the client's
 * own default waits a minute per call, and retries). The call itself is not cancelled: the stores' writes are
 * preconditioned or idempotent, so a late one that lands still leaves a consistent record.
 */
import { positiveInteger, type Env } from '../config/env.js';
import { withDeadline } from '../deadline.js';

export const STORAGE_DEADLINE_VARIABLE = 'FIRESTORE_DEADLINE_MS';
/** Small enough that a request making a few storage calls still answers well inside its function's timeout. */
export const DEFAULT_STORAGE_DEADLINE_MS = 10_000;

export function storageDeadlineMs(env: Env): number {
  return positiveInteger(env, STORAGE_DEADLINE_VARIABLE, DEFAULT_STORAGE_DEADLINE_MS);
}

/**
 * `target` with each of its methods that returns a promise bounded by `ms`: past it the promise rejects with
 * a DeadlineExceededError (gRPC code DEADLINE_EXCEEDED, which callers already treat as transient).
 */
export function withStorageDeadline<T extends object>(target: T, ms: number, what: string): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        const result: unknown = value.apply(object, args);
        return result instanceof Promise ? withDeadline(result, ms, `${what}.${String(property)}`) : result;
      };
    },
  });
}
