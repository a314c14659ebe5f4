/**
 * The upload claim of a URL pair, as pure rules. `files/{key}` is either a finished file or, while its first
 * upload runs, a claim naming the request that uploads it. Concurrent first requests thus call RBM once: the
 * one whose create() of the document succeeds uploads, the others wait for the name to appear. A claim
 * protects its holder for a lease (its RBM call and its final write fit well inside); a claim older than that
 * was left by a holder that died, and is taken over.
 */
import { claimDecision, type ClaimHold } from './publish-claim.js';

/** A finished entry, exactly as stored: `{name, fileUrl, thumbnailUrl, createdAt}`. */
export interface StoredRbmFile {
  /** `files/…`, what `uploadedRbmFile.fileName` takes. */
  name: string;
  fileUrl: string;
  /** Null when the file was created without a thumbnail URL. */
  thumbnailUrl: string | null;
  createdAt: Date;
}

/** How `files/{key}` stands, with a claim's age measured on the storage's own clock; V is a write token. */
export type FileEntry<V> =
  | { kind: 'file'; file: StoredRbmFile; version: V }
  | { kind: 'uploading'; ageMs: number; version: V }
  /** Neither (a document this code never writes): replaced like an expired file. */
  | { kind: 'unreadable'; version: V };

export interface UploadPair {
  fileUrl: string;
  thumbnailUrl: string | null;
}

/** Where files and their upload claims are kept (Firestore in production, memory in unit tests). */
export interface FileUploads<V> {
  read(key: string): Promise<FileEntry<V> | undefined>;
  /** Creates the entry as a claim; undefined when an entry already exists. */
  claim(key: string, pair: UploadPair, claimId: string): Promise<ClaimHold<V> | undefined>;
  /** Replaces the entry read at `version` with a claim; undefined when it changed since. */
  takeOver(key: string, pair: UploadPair, claimId: string, version: V): Promise<ClaimHold<V> | undefined>;
  /** Writes the finished entry, claim fields gone (a file RBM created is worth keeping whoever holds the claim). */
  store(key: string, file: StoredRbmFile): Promise<void>;
  /** Deletes the claim, only while it is still `hold`; false when it was finished or taken over meanwhile. */
  release(key: string, hold: ClaimHold<V>): Promise<boolean>;
}

export const FILE_REUSE_DAYS = 55;
/**
 * How long a claim protects its holder. The holder's work after claiming is one RBM call (bounded by
 * RBM_RETRY_DEADLINE_MS, 20 s by default) and one write (bounded by FIRESTORE_DEADLINE_MS, 10 s by default).
 */
export const UPLOAD_LEASE_MS = 60_000;
/**
 * How long a request waits for another's upload before answering 503. Shorter than the lease, so a waiter
 * never outlives a live holder's lease, and well inside the function's 120 s timeout even if it then uploads.
 */
export const UPLOAD_WAIT_MS = 40_000;
const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

/** Whether a stored file may still be handed out. */
export function isReusableFile(createdAt: Date, now: Date): boolean {
  const ageMs = now.getTime() - createdAt.getTime();
  return ageMs < FILE_REUSE_DAYS * 86_400_000;
}

export type UploadDecision =
  /** A finished, reusable file: answer it. */
  | { kind: 'hit'; name: string }
  /** No entry: create the claim. */
  | { kind: 'claim' }
  /** An expired or unreadable file, or a claim past its lease: replace it with our claim. */
  | { kind: 'takeOver' }
  /** Another request is uploading: wait for its name; its lease ends in `leaseLeftMs`. */
  | { kind: 'wait'; leaseLeftMs: number };

export function uploadDecision<V>(
  entry: FileEntry<V> | undefined,
  now: Date,
  leaseMs = UPLOAD_LEASE_MS,
): UploadDecision {
  if (entry === undefined) return { kind: 'claim' };
  switch (entry.kind) {
    case 'file':
      return isReusableFile(entry.file.createdAt, now)
        ? { kind: 'hit', name: entry.file.name }
        : { kind: 'takeOver' };
    case 'uploading':
      // The lease rule of every claim in the project (./publish-claim.ts).
      return claimDecision({ kind: 'claimed', ageMs: entry.ageMs }, leaseMs) === 'takeOver'
        ? { kind: 'takeOver' }
        : { kind: 'wait', leaseLeftMs: leaseMs - entry.ageMs };
    case 'unreadable':
      return { kind: 'takeOver' };
  }
}

/** The pause before the `attempt`-th re-read (1-based): quick at first, as most uploads take well under 1 s. */
export function pollDelayMs(attempt: number): number {
  return Math.min(MAX_POLL_MS, FIRST_POLL_MS * 2 ** Math.max(0, attempt - 1));
}

/** `Retry-After` (whole seconds, at least 1) once waiting is over: by then the file is there or the claim free. */
export function retryAfterSeconds(leaseLeftMs: number): number {
  return Math.max(1, Math.ceil(leaseLeftMs / 1000));
}
