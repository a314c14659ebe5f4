/** `files/{key}` = `{name, fileUrl, thumbnailUrl, createdAt}`: RBM files created from a URL pair, for reuse. */
import type { Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';

export interface StoredRbmFile {
  /** `files/…`, what `uploadedRbmFile.fileName` takes. */
  name: string;
  fileUrl: string;
  /** Null when the file was created without a thumbnail URL. */
  thumbnailUrl: string | null;
  createdAt: Date;
}

export async function getStoredFile(db: Firestore, key: string): Promise<StoredRbmFile | undefined> {
  const data = (await db.collection(COLLECTIONS.files).doc(key).get()).data();
  if (data === undefined) return undefined;
  const file = timestampsToDates(data) as Record<string, unknown>;
  if (typeof file.name !== 'string' || !(file.createdAt instanceof Date)) return undefined;
  return {
    name: file.name,
    fileUrl: typeof file.fileUrl === 'string' ? file.fileUrl : '',
    thumbnailUrl: typeof file.thumbnailUrl === 'string' ? file.thumbnailUrl : null,
    createdAt: file.createdAt,
  };
}

export async function storeFile(db: Firestore, key: string, file: StoredRbmFile): Promise<void> {
  await db
    .collection(COLLECTIONS.files)
    .doc(key)
    .set({ ...file });
}

/** The file cache over one Firestore, as one object, so its caller can bound each call (storage-deadline.ts). */
export function fileStore(db: Firestore) {
  return {
    get: (key: string) => getStoredFile(db, key),
    store: (key: string, file: StoredRbmFile) => storeFile(db, key, file),
  };
}

export type FileStore = ReturnType<typeof fileStore>;
