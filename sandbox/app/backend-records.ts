/**
 * The state the backend recorded, read from Firestore (the emulator, for the local stack): `agentMessages/{id}`,
 * whether `userMessages/{id}` exists, and `consents/{E.164}`, plus a change signal while someone is watching.
 */
import { Timestamp } from '@google-cloud/firestore';
import type { DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import type { BackendRecord } from './view-model.js';

/** Opens the backend's Firestore on first use (the page may never be watched); closed with the page. */
export type FirestoreTarget = () => Firestore;

export interface BackendRecords {
  /** The records of these agent message ids (missing ones absent from the map). */
  agentMessages(ids: readonly string[]): Promise<Map<string, BackendRecord>>;
  /** Which of these user message ids have a `userMessages` document. */
  storedUserMessages(ids: readonly string[]): Promise<Set<string>>;
  /** The consent documents of these phones (phones without one absent from the map). */
  consents(phones: readonly string[]): Promise<Map<string, BackendRecord>>;
  /** Calls `listener` when any of these collections changes; returns the unsubscribe function. */
  watch(listener: () => void): () => void;
  close(): Promise<void>;
}

/** Firestore values as JSON: Timestamps become RFC 3339 strings, maps and arrays recursively. */
export function toJson(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate().toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toJson(inner)]));
  }
  return value;
}

const BATCH = 300;
const WATCHED = ['agentMessages', 'userMessages', 'consents'] as const;

export function backendRecords(target: FirestoreTarget): BackendRecords {
  let db: Firestore | undefined;
  const client = (): Firestore => (db ??= target());

  const fetchAll = async (collection: string, ids: readonly string[]): Promise<DocumentSnapshot[]> => {
    const unique = [...new Set(ids)].filter((id) => id !== '' && !id.includes('/'));
    const snapshots: DocumentSnapshot[] = [];
    for (let start = 0; start < unique.length; start += BATCH) {
      const refs = unique.slice(start, start + BATCH).map((id) => client().collection(collection).doc(id));
      const [first, ...rest] = refs;
      if (first) snapshots.push(...(await client().getAll(first, ...rest)));
    }
    return snapshots;
  };

  const listeners = new Set<() => void>();
  let unsubscribers: Array<() => void> = [];
  const notify = (): void => {
    for (const listener of listeners) listener();
  };
  const startWatching = (): void => {
    unsubscribers = WATCHED.map((collection) =>
      client()
        .collection(collection)
        .onSnapshot(notify, () => undefined),
    );
  };
  const stopWatching = (): void => {
    for (const unsubscribe of unsubscribers) unsubscribe();
    unsubscribers = [];
  };

  const documents = async (collection: string, ids: readonly string[]) => {
    const records = new Map<string, BackendRecord>();
    for (const snapshot of await fetchAll(collection, ids)) {
      const data = snapshot.data();
      if (data) records.set(snapshot.id, toJson(data) as BackendRecord);
    }
    return records;
  };

  return {
    agentMessages: (ids) => documents('agentMessages', ids),
    consents: (phones) => documents('consents', phones),
    storedUserMessages: async (ids) =>
      new Set((await fetchAll('userMessages', ids)).filter((s) => s.exists).map((s) => s.id)),
    watch: (listener) => {
      listeners.add(listener);
      if (listeners.size === 1) startWatching();
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) stopWatching();
      };
    },
    close: async () => {
      listeners.clear();
      stopWatching();
      await db?.terminate();
      db = undefined;
    },
  };
}
