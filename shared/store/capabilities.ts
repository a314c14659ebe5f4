/**
 * `capabilities/{E.164}` = `{phoneNumber, reachable, features, checkedAt, source}`: the last thing learnt about
 * whether a phone is on RCS and what it supports. Every write is one blind write (no read): the newest fact
 * replaces the entry, and facts that say nothing of features keep the ones already known.
 */
import type { Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';

/**
 * Who learnt it: a capabilities check, a users:batchGet, a send answered 404, or an inbound user message.
 */
export const CAPABILITY_SOURCES = ['CAPABILITIES', 'BATCH_GET', 'SEND', 'INBOUND'] as const;
export type CapabilitySource = (typeof CAPABILITY_SOURCES)[number];

export interface CapabilityEntry {
  phoneNumber: string;
  reachable: boolean;
  /** RBM's feature names as given (unknown names kept); undefined when never learnt. */
  features?: string[];
  checkedAt: Date;
  source: CapabilitySource;
}

function ref(db: Firestore, phoneNumber: string) {
  return db.collection(COLLECTIONS.capabilities).doc(phoneNumber);
}

export async function getCapabilityEntry(
  db: Firestore,
  phoneNumber: string,
): Promise<CapabilityEntry | undefined> {
  const data = (await ref(db, phoneNumber).get()).data();
  if (data === undefined) return undefined;
  const entry = timestampsToDates(data) as Record<string, unknown>;
  const features = Array.isArray(entry.features)
    ? entry.features.filter((feature): feature is string => typeof feature === 'string')
    : undefined;
  return {
    phoneNumber,
    reachable: entry.reachable === true,
    ...(features === undefined ? {} : { features }),
    checkedAt: entry.checkedAt instanceof Date ? entry.checkedAt : new Date(0),
    source: (CAPABILITY_SOURCES as readonly unknown[]).includes(entry.source)
      ? (entry.source as CapabilitySource)
      : 'CAPABILITIES',
  };
}

/** A capabilities check answered 200: reachable, with exactly these features. */
export async function recordCapabilities(
  db: Firestore,
  phoneNumber: string,
  features: readonly string[],
  checkedAt: Date,
): Promise<void> {
  await ref(db, phoneNumber).set({
    phoneNumber,
    reachable: true,
    features: [...features],
    checkedAt,
    source: 'CAPABILITIES',
  });
}

/** The phone is on RCS (features not learnt: the known ones are kept). Inbound calls it with `INBOUND`. */
export async function recordReachable(
  db: Firestore,
  phoneNumber: string,
  source: CapabilitySource,
  checkedAt: Date,
): Promise<void> {
  await ref(db, phoneNumber).set({ phoneNumber, reachable: true, checkedAt, source }, { merge: true });
}

/** RBM answered 404 for the phone. Send calls it with `SEND` when a create is answered 404. */
export async function recordNotReachable(
  db: Firestore,
  phoneNumber: string,
  source: CapabilitySource,
  checkedAt: Date,
): Promise<void> {
  await ref(db, phoneNumber).set({ phoneNumber, reachable: false, checkedAt, source }, { merge: true });
}

/** Many phones found reachable at once (users:batchGet), in bulk; features kept. */
export async function recordManyReachable(
  db: Firestore,
  phoneNumbers: readonly string[],
  source: CapabilitySource,
  checkedAt: Date,
): Promise<void> {
  if (phoneNumbers.length === 0) return;
  const writer = db.bulkWriter();
  // Handlers attached at once, so a write that fails while close() flushes is never an unhandled rejection.
  const settled = Promise.allSettled(
    phoneNumbers.map((phoneNumber) =>
      writer.set(ref(db, phoneNumber), { phoneNumber, reachable: true, checkedAt, source }, { merge: true }),
    ),
  );
  await writer.close();
  const failed = (await settled).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** The capability cache over one Firestore, as one object, so its caller can bound each call (storage-deadline.ts). */
export function capabilityCache(db: Firestore) {
  return {
    get: (phoneNumber: string) => getCapabilityEntry(db, phoneNumber),
    recordCapabilities: (phoneNumber: string, features: readonly string[], checkedAt: Date) =>
      recordCapabilities(db, phoneNumber, features, checkedAt),
    recordReachable: (phoneNumber: string, source: CapabilitySource, checkedAt: Date) =>
      recordReachable(db, phoneNumber, source, checkedAt),
    recordNotReachable: (phoneNumber: string, source: CapabilitySource, checkedAt: Date) =>
      recordNotReachable(db, phoneNumber, source, checkedAt),
    recordManyReachable: (phoneNumbers: readonly string[], source: CapabilitySource, checkedAt: Date) =>
      recordManyReachable(db, phoneNumbers, source, checkedAt),
  };
}

export type CapabilityCache = ReturnType<typeof capabilityCache>;
