/**
 * `files/{key}` = `{name, fileUrl, thumbnailUrl, createdAt}`: RBM files created from a URL pair, for reuse.
 * While the first upload of a pair runs, the document is its claim instead: `{fileUrl, thumbnailUrl, claimId,
 * claimedAt}` with no name, so it is never answered as a file (rules in ../file-upload-claim.ts). Claim times
 * are Firestore's own (server timestamps, compared with the read time), so instances whose clocks differ agree
 * on when a lease is over.
 */
import { FieldValue, type Firestore, type Timestamp } from '@google-cloud/firestore';
import type { FileEntry, FileUploads, StoredRbmFile, UploadPair } from '../file-upload-claim.js';
import type { ClaimHold } from '../publish-claim.js';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { COLLECTIONS } from './collections.js';
import { createOnce } from './optimistic.js';

export type { StoredRbmFile } from '../file-upload-claim.js';

const NOT_FOUND = 5;

function millis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  const timestamp = value as Timestamp | null | undefined;
  return typeof timestamp?.toMillis === 'function' ? timestamp.toMillis() : undefined;
}

/** Lost to a concurrent write (or a deletion): the caller re-reads. */
function lostRace(error: unknown): boolean {
  const code = grpcCode(error);
  return code === GrpcCode.FAILED_PRECONDITION || code === NOT_FOUND;
}

export class FirestoreFileUploads implements FileUploads<Timestamp> {
  constructor(private readonly db: Firestore) {}

  private ref(key: string) {
    return this.db.collection(COLLECTIONS.files).doc(key);
  }

  async read(key: string): Promise<FileEntry<Timestamp> | undefined> {
    const snapshot = await this.ref(key).get();
    const data = snapshot.data();
    const version = snapshot.updateTime;
    if (data === undefined || version === undefined) return undefined;
    const createdAt = millis(data.createdAt);
    if (typeof data.name === 'string' && createdAt !== undefined) {
      const file: StoredRbmFile = {
        name: data.name,
        fileUrl: typeof data.fileUrl === 'string' ? data.fileUrl : '',
        thumbnailUrl: typeof data.thumbnailUrl === 'string' ? data.thumbnailUrl : null,
        createdAt: new Date(createdAt),
      };
      return { kind: 'file', file, version };
    }
    const claimedAt = millis(data.claimedAt);
    if (typeof data.claimId === 'string' && claimedAt !== undefined) {
      return { kind: 'uploading', ageMs: snapshot.readTime.toMillis() - claimedAt, version };
    }
    return { kind: 'unreadable', version };
  }

  async claim(key: string, pair: UploadPair, claimId: string): Promise<ClaimHold<Timestamp> | undefined> {
    const writeTime = await createOnce(this.ref(key), claimDocument(pair, claimId));
    return writeTime === undefined ? undefined : { claimId, version: writeTime };
  }

  async takeOver(
    key: string,
    pair: UploadPair,
    claimId: string,
    version: Timestamp,
  ): Promise<ClaimHold<Timestamp> | undefined> {
    try {
      const fields = {
        ...claimDocument(pair, claimId),
        name: FieldValue.delete(),
        createdAt: FieldValue.delete(),
      };
      const { writeTime } = await this.ref(key).update(fields, { lastUpdateTime: version });
      return { claimId, version: writeTime };
    } catch (error) {
      if (lostRace(error)) return undefined;
      throw error;
    }
  }

  async store(key: string, file: StoredRbmFile): Promise<void> {
    // set() replaces the whole document, so no claim field survives on a finished entry.
    await this.ref(key).set({ ...file });
  }

  async release(key: string, hold: ClaimHold<Timestamp>): Promise<boolean> {
    try {
      await this.ref(key).delete({ lastUpdateTime: hold.version });
      return true;
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  }
}

function claimDocument(pair: UploadPair, claimId: string) {
  return { ...pair, claimId, claimedAt: FieldValue.serverTimestamp() };
}

/** The file cache over one Firestore, as one object, so its caller can bound each call (storage-deadline.ts). */
export function fileStore(db: Firestore): FileStore {
  return new FirestoreFileUploads(db);
}

export type FileStore = FileUploads<Timestamp>;
