/**
 * A Firestore client that counts document operations: every `DocumentReference.get` is one read (billed even
 * when the document is missing), every `create`/`set`/`update`/`delete` one write, failed ones (ALREADY_EXISTS,
 * FAILED_PRECONDITION) counted apart; a query reads each document it returns (at least one). Used to measure the shared library's code paths in-process.
 */
import type {
  CollectionReference,
  DocumentReference,
  Firestore,
  Query,
  QuerySnapshot,
} from '@google-cloud/firestore';

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

/** Methods of a query that return another query (which must count too). */
const QUERY_BUILDERS = new Set([
  'where',
  'orderBy',
  'limit',
  'limitToLast',
  'offset',
  'select',
  'startAt',
  'startAfter',
  'endAt',
  'endBefore',
]);

/** A query's `get` reads every document it returns, and at least one (Firestore bills an empty result one read). */
function countingQuery(query: Query, collection: string, counts: () => OperationCounts): Query {
  return new Proxy(query, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target);
      if (typeof value !== 'function') return value;
      const name = String(prop);
      if (QUERY_BUILDERS.has(name)) {
        return (...args: unknown[]) =>
          countingQuery((value as (...a: unknown[]) => Query).apply(target, args), collection, counts);
      }
      if (name === 'get') {
        return async () => {
          const snapshot = await (value as () => Promise<QuerySnapshot>).apply(target);
          const c = counts();
          const reads = Math.max(1, snapshot.size);
          c.reads += reads;
          c.detail[`${collection}.query`] = (c.detail[`${collection}.query`] ?? 0) + reads;
          return snapshot;
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
      if (typeof prop === 'string' && QUERY_BUILDERS.has(prop)) {
        return (...args: unknown[]) =>
          countingQuery((value as (...a: unknown[]) => Query).apply(target, args), target.id, counts);
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
