/**
 * Read-modify-write of one document without transactions: read, compute the next version with a pure
 * function, then `create()` (if absent) or `update()` with a `lastUpdateTime` precondition. A concurrent
 * writer makes the write fail with ALREADY_EXISTS or FAILED_PRECONDITION, and the loop starts again from
 * a fresh read. This is correct in production and, unlike transactions, fast and correct on the Firestore
 * emulator under contention (docs/data-model.md#concurrency).
 */
import {
  FieldValue,
  type DocumentData,
  type DocumentReference,
  type Timestamp,
} from '@google-cloud/firestore';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { defaultSleep } from '../http/retrying-call.js';
import { timestampsToDates } from './firestore.js';

export interface MutationResult<T> {
  before: T | undefined;
  /** The stored version after the call: the new one when written, else the one read. */
  after: T | undefined;
  written: boolean;
  /** When written: the write's time, so the writer can update its own version again without a read. */
  writeTime?: Timestamp;
}

export class ContentionError extends Error {
  constructor(path: string, attempts: number) {
    super(`Gave up writing ${path} after ${attempts} conflicting attempts.`);
    this.name = 'ContentionError';
  }
}

const MAX_ATTEMPTS = 25;

/** The wait before trying a conflicted write again: jittered, growing with the attempt, at most 200 ms. */
export function pauseAfterConflict(attempt: number): Promise<void> {
  return defaultSleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
}

export async function mutateDocument<T extends object>(
  ref: DocumentReference,
  decode: (data: Record<string, unknown>) => T,
  mutate: (current: T | undefined) => T | undefined,
  encode: (value: T) => DocumentData = withoutUndefined,
): Promise<MutationResult<T>> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const snapshot = await ref.get();
    const data = snapshot.data();
    const before =
      data === undefined ? undefined : decode(timestampsToDates(data) as Record<string, unknown>);
    const next = mutate(before);
    if (next === undefined) return { before, after: before, written: false };
    try {
      const write =
        before === undefined || snapshot.updateTime === undefined
          ? await ref.create(encode(next))
          : await ref.update(updateFields(data ?? {}, encode(next)), { lastUpdateTime: snapshot.updateTime });
      return { before, after: next, written: true, writeTime: write.writeTime };
    } catch (error) {
      const code = grpcCode(error);
      const conflict =
        code === GrpcCode.ALREADY_EXISTS ||
        code === GrpcCode.FAILED_PRECONDITION ||
        code === GrpcCode.ABORTED;
      if (!conflict) throw error;
      await pauseAfterConflict(attempt);
    }
  }
  throw new ContentionError(ref.path, MAX_ATTEMPTS);
}

export function withoutUndefined(value: object): DocumentData {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

/**
 * Writes `next` over `before` only if the document was not written since `lastUpdateTime` (when `before`
 * was written or read). Resolves to false, without writing, when someone else wrote in between.
 */
export async function updateIfUnchanged(
  ref: DocumentReference,
  before: DocumentData,
  next: DocumentData,
  lastUpdateTime: Timestamp,
): Promise<Timestamp | undefined> {
  try {
    return (await ref.update(updateFields(before, next), { lastUpdateTime })).writeTime;
  } catch (error) {
    if (grpcCode(error) === GrpcCode.FAILED_PRECONDITION) return undefined;
    throw error;
  }
}

/**
 * Creates the document unless it exists: the create-once idiom every collection uses. Resolves to the
 * write time, or undefined when a document was already there.
 */
export async function createOnce(ref: DocumentReference, data: DocumentData): Promise<Timestamp | undefined> {
  try {
    return (await ref.create(data)).writeTime;
  } catch (error) {
    if (grpcCode(error) === GrpcCode.ALREADY_EXISTS) return undefined;
    throw error;
  }
}

/** Every field of `next`, plus deletes for the fields it dropped. */
function updateFields(before: DocumentData, next: DocumentData): DocumentData {
  const fields: DocumentData = withoutUndefined(next);
  for (const key of Object.keys(before)) {
    if (!(key in fields)) fields[key] = FieldValue.delete();
  }
  return fields;
}
