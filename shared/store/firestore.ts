/** One Firestore client per process, created on first use (cold starts pay only for what they touch). */
import { Firestore, Timestamp } from '@google-cloud/firestore';
import { emulatorCredentials } from '../emulator-credentials.js';

let client: Firestore | undefined;

export function firestore(projectId?: string): Firestore {
  client ??= new Firestore({
    ...(projectId ? { projectId } : {}),
    ...emulatorCredentials('FIRESTORE_EMULATOR_HOST'),
    ignoreUndefinedProperties: true,
  });
  return client;
}

/** Firestore Timestamps (and nested ones) become Dates; everything else is kept. */
export function timestampsToDates(value: unknown): unknown {
  if (value instanceof Timestamp) return value.toDate();
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(timestampsToDates);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, timestampsToDates(v)]));
  }
  return value;
}
