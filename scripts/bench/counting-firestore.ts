/**
 * A Firestore client that counts document operations: every `DocumentReference.get` is one read (billed even
 * when the document is missing), every `create`/`set`/`update`/`delete` one write, failed ones (ALREADY_EXISTS,
 * FAILED_PRECONDITION) counted apart. Used to measure the shared library's code paths in-process.
 */
import type { CollectionReference, DocumentReference, Firestore } from '@google-cloud/firestore';

export interface OperationCounts {
  reads: number;
  writes: number;
  failedWrites: number;
  /** Per operation, e.g. `agentMessages.update`. */
  detail: Record<string, number>;
}

export function newCounts(): OperationCounts {
  return { reads: 0, writes: 0, failedWrites: 0, detail: {} };
}

const WRITES = new Set(['create', 'set', 'update', 'delete']);

function countingDocument(ref: DocumentReference, counts: () => OperationCounts): DocumentReference {
  return new Proxy(ref, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const name = String(prop);
      const collection = target.parent.id;
      if (name === 'get') {
        return (...args: unknown[]) => {
          const c = counts();
          c.reads += 1;
          c.detail[`${collection}.get`] = (c.detail[`${collection}.get`] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (WRITES.has(name)) {
        return async (...args: unknown[]) => {
          try {
            const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            );
            const c = counts();
            c.writes += 1;
            c.detail[`${collection}.${name}`] = (c.detail[`${collection}.${name}`] ?? 0) + 1;
            return result;
          } catch (error) {
            const c = counts();
            c.failedWrites += 1;
            c.detail[`${collection}.${name} (failed)`] =
              (c.detail[`${collection}.${name} (failed)`] ?? 0) + 1;
            throw error;
          }
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

function countingCollection(ref: CollectionReference, counts: () => OperationCounts): CollectionReference {
  return new Proxy(ref, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'doc') {
        return (...args: unknown[]) =>
          countingDocument((value as (...a: unknown[]) => DocumentReference).apply(target, args), counts);
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `db` with counting collections; `counts()` says where the current operations are added. */
export function countingFirestore(db: Firestore, counts: () => OperationCounts): Firestore {
  return new Proxy(db, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (prop === 'collection') {
        return (...args: unknown[]) =>
          countingCollection((value as (...a: unknown[]) => CollectionReference).apply(target, args), counts);
      }
      if (prop === 'runTransaction' || prop === 'batch' || prop === 'doc' || prop === 'getAll') {
        return () => {
          throw new Error(`countingFirestore: ${String(prop)} is not instrumented`);
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
