/** createFile's upload claim against in-memory storage (Firestore's semantics) and a scripted RBM. */
import { describe, expect, it } from 'vitest';
import { createFile, fileKey, type FileOutcome } from '../../../shared/files/create-file.js';
import {
  UPLOAD_LEASE_MS,
  UPLOAD_WAIT_MS,
  pollDelayMs,
  retryAfterSeconds,
  uploadDecision,
  type FileEntry,
  type FileUploads,
  type StoredRbmFile,
  type UploadPair,
} from '../../../shared/file-upload-claim.js';
import type { ClaimHold } from '../../../shared/publish-claim.js';
import { createLogger } from '../../../shared/log/logger.js';
import type { RbmOutcome } from '../../../shared/rbm/client.js';
import { ok, rejected, unavailable } from '../../support/fake-rbm-port.js';

const silent = createLogger({}, () => undefined);
const URL_A = 'https://cdn.example.com/parcel.png';
const KEY = fileKey(URL_A, undefined);
const PAIR: UploadPair = { fileUrl: URL_A, thumbnailUrl: null };
const START = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

type Doc =
  | { file: StoredRbmFile; version: number }
  | { claim: UploadPair & { claimId: string; claimedAt: number }; version: number }
  | { other: Record<string, unknown>; version: number };

/** One clock for the storage (claim ages) and the orchestrator; sleeping advances it. */
class Clock {
  ms = START;
  now = () => new Date(this.ms);
  /** Concurrent sleepers share the clock: it moves to the latest wake-up time, not the sum of their pauses. */
  sleep = async (ms: number) => {
    const until = this.ms + ms;
    await new Promise((resolve) => setImmediate(resolve));
    this.ms = Math.max(this.ms, until);
  };
}

/** files/{key} in memory: create() fails on an existing entry, writes are preconditioned on a version. */
class MemoryFiles implements FileUploads<number> {
  readonly docs = new Map<string, Doc>();
  private version = 0;
  /** Called before every read, so a test can play another request's moves while this one waits. */
  onRead: (reads: number) => void = () => undefined;
  private reads = 0;
  failStore = false;

  constructor(private readonly clock: Clock) {}

  next(): number {
    return ++this.version;
  }

  seedFile(name: string, ageMs: number, key = KEY): void {
    const file = { name, ...PAIR, createdAt: new Date(this.clock.ms - ageMs) };
    this.docs.set(key, { file, version: this.next() });
  }

  seedClaim(claimId: string, ageMs: number, key = KEY): void {
    this.docs.set(key, {
      claim: { ...PAIR, claimId, claimedAt: this.clock.ms - ageMs },
      version: this.next(),
    });
  }

  /** The stored fields, as Firestore would hold them. */
  stored(key = KEY): Record<string, unknown> | undefined {
    const doc = this.docs.get(key);
    if (doc === undefined) return undefined;
    if ('file' in doc) return { ...doc.file };
    if ('claim' in doc) return { ...doc.claim };
    return { ...doc.other };
  }

  async read(key: string): Promise<FileEntry<number> | undefined> {
    this.onRead(++this.reads);
    const doc = this.docs.get(key);
    if (doc === undefined) return undefined;
    if ('file' in doc) return { kind: 'file', file: { ...doc.file }, version: doc.version };
    if ('claim' in doc)
      return { kind: 'uploading', ageMs: this.clock.ms - doc.claim.claimedAt, version: doc.version };
    return { kind: 'unreadable', version: doc.version };
  }

  async claim(key: string, pair: UploadPair, claimId: string): Promise<ClaimHold<number> | undefined> {
    if (this.docs.has(key)) return undefined;
    const version = this.next();
    this.docs.set(key, { claim: { ...pair, claimId, claimedAt: this.clock.ms }, version });
    return { claimId, version };
  }

  async takeOver(key: string, pair: UploadPair, claimId: string, version: number) {
    if (this.docs.get(key)?.version !== version) return undefined;
    const next = this.next();
    this.docs.set(key, { claim: { ...pair, claimId, claimedAt: this.clock.ms }, version: next });
    return { claimId, version: next };
  }

  async store(key: string, file: StoredRbmFile): Promise<void> {
    if (this.failStore) throw Object.assign(new Error('storage down'), { code: 4 });
    this.docs.set(key, { file: { ...file }, version: this.next() });
  }

  async release(key: string, hold: ClaimHold<number>): Promise<boolean> {
    if (this.docs.get(key)?.version !== hold.version) return false;
    this.docs.delete(key);
    return true;
  }
}

/** files.create answering from a queue (default: a new name per call), recording every call. */
class FilesRbm {
  readonly calls: string[] = [];
  private readonly answers: RbmOutcome[] = [];
  /** Resolves each call only after this many event-loop turns, so concurrent requests overlap it. */
  turns = 0;

  answer(...answers: RbmOutcome[]): this {
    this.answers.push(...answers);
    return this;
  }

  createFileFromUrl = async (fileUrl: string): Promise<RbmOutcome> => {
    this.calls.push(fileUrl);
    for (let i = 0; i < this.turns; i++) await new Promise((resolve) => setImmediate(resolve));
    return this.answers.shift() ?? ok({ name: `files/f${this.calls.length}` });
  };
}

function harness() {
  const clock = new Clock();
  const files = new MemoryFiles(clock);
  const rbm = new FilesRbm();
  let claims = 0;
  const post = (fileUrl = URL_A): Promise<FileOutcome> =>
    createFile(
      { query: {}, body: { fileUrl } },
      {
        files,
        rbm,
        agentId: 'agent',
        logger: silent,
        now: clock.now,
        sleep: clock.sleep,
        newClaimId: () => `claim-${++claims}`,
      },
    );
  return { clock, files, rbm, post };
}

const finished = (name: string) => ({ name, ...PAIR, createdAt: new Date(START) });

describe('uploadDecision', () => {
  const now = new Date(START);
  const file = (ageMs: number): FileEntry<number> => ({
    kind: 'file',
    file: { name: 'files/x', ...PAIR, createdAt: new Date(START - ageMs) },
    version: 1,
  });
  it.each([
    ['no entry', undefined, { kind: 'claim' }],
    ['a file 54.9 days old', file(54.9 * DAY), { kind: 'hit', name: 'files/x' }],
    ['a file 55 days old', file(55 * DAY), { kind: 'takeOver' }],
    ['a fresh claim', { kind: 'uploading', ageMs: 1_000, version: 1 }, { kind: 'wait', leaseLeftMs: 59_000 }],
    ['a claim at its lease', { kind: 'uploading', ageMs: UPLOAD_LEASE_MS, version: 1 }, { kind: 'takeOver' }],
    ['an unreadable entry', { kind: 'unreadable', version: 1 }, { kind: 'takeOver' }],
  ] as const)('%s → %o', (_, entry, decision) => {
    expect(uploadDecision(entry as FileEntry<number> | undefined, now)).toEqual(decision);
  });

  it('polls quickly first, then every second; Retry-After is whole seconds, at least 1', () => {
    expect([1, 2, 3, 4, 5, 9].map(pollDelayMs)).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([0, 1, 999, 1000, 1001, 20_000].map(retryAfterSeconds)).toEqual([1, 1, 1, 1, 2, 20]);
    expect(UPLOAD_WAIT_MS).toBeLessThan(UPLOAD_LEASE_MS);
  });
});

describe('createFile upload claim', () => {
  it.each<{
    name: string;
    seed: (files: MemoryFiles) => void;
    outcome: FileOutcome;
    rbmCalls: number;
    stored: Record<string, unknown> | undefined;
  }>([
    {
      name: 'no entry: claims, uploads once, stores exactly the finished entry',
      seed: () => undefined,
      outcome: { kind: 'created', name: 'files/f1', cache: 'MISS' },
      rbmCalls: 1,
      stored: finished('files/f1'),
    },
    {
      name: 'a fresh entry: answered from it, no upload',
      seed: (files) => files.seedFile('files/kept', 54 * DAY),
      outcome: { kind: 'created', name: 'files/kept', cache: 'HIT' },
      rbmCalls: 0,
      stored: { name: 'files/kept', ...PAIR, createdAt: new Date(START - 54 * DAY) },
    },
    {
      name: 'an expired entry: taken over and uploaded again',
      seed: (files) => files.seedFile('files/old', 55 * DAY),
      outcome: { kind: 'created', name: 'files/f1', cache: 'MISS' },
      rbmCalls: 1,
      stored: finished('files/f1'),
    },
    {
      name: 'a claim past its lease (its holder died): taken over and uploaded',
      seed: (files) => files.seedClaim('dead', UPLOAD_LEASE_MS),
      outcome: { kind: 'created', name: 'files/f1', cache: 'MISS' },
      rbmCalls: 1,
      stored: finished('files/f1'),
    },
    {
      name: 'an entry this code never writes: replaced',
      seed: (files) => files.docs.set(KEY, { other: { name: 42 }, version: files.next() }),
      outcome: { kind: 'created', name: 'files/f1', cache: 'MISS' },
      rbmCalls: 1,
      stored: finished('files/f1'),
    },
  ])('$name', async ({ seed, outcome, rbmCalls, stored }) => {
    const h = harness();
    seed(h.files);
    expect(await h.post()).toEqual(outcome);
    expect(h.rbm.calls).toHaveLength(rbmCalls);
    expect(h.files.stored()).toEqual(stored);
  });

  it('a fresh claim by another: waits for its name and answers it as a HIT, without uploading', async () => {
    const h = harness();
    h.files.seedClaim('other', 5_000);
    h.files.onRead = (reads) => {
      if (reads === 4) h.files.docs.set(KEY, { file: finished('files/theirs'), version: h.files.next() });
    };
    expect(await h.post()).toEqual({ kind: 'created', name: 'files/theirs', cache: 'HIT' });
    expect(h.rbm.calls).toEqual([]);
    expect(h.clock.ms - START).toBe(100 + 200 + 400);
  });

  it('a fresh claim that never finishes: 503 with Retry-After at its lease end, never a HIT, claim kept', async () => {
    const h = harness();
    h.files.seedClaim('other', 5_000);
    expect(await h.post()).toEqual({
      kind: 'uploadInProgress',
      retryAfterSeconds: Math.ceil((UPLOAD_LEASE_MS - 5_000 - UPLOAD_WAIT_MS) / 1000),
    });
    expect(h.clock.ms - START).toBe(UPLOAD_WAIT_MS);
    expect(h.rbm.calls).toEqual([]);
    expect(h.files.stored()).toMatchObject({ claimId: 'other' });
  });

  it('another’s claim released while waiting (its upload failed): claims it and uploads at once', async () => {
    const h = harness();
    h.files.seedClaim('other', 1_000);
    h.files.onRead = (reads) => {
      if (reads === 3) h.files.docs.delete(KEY);
    };
    expect(await h.post()).toEqual({ kind: 'created', name: 'files/f1', cache: 'MISS' });
    expect(h.rbm.calls).toHaveLength(1);
    expect(h.files.stored()).toEqual({ ...finished('files/f1'), createdAt: new Date(START + 100 + 200) });
  });

  it.each([
    ['refused', rejected(400), { kind: 'rejected', status: 400 }],
    ['unavailable', unavailable(), { kind: 'rbmUnavailable', attempts: 3, rbmStatus: 'UNAVAILABLE' }],
    ['answered without a name', ok({}), { kind: 'rejected', status: 502 }],
  ] as const)(
    'RBM %s: the claim is released, so the next request uploads at once',
    async (_, answer, outcome) => {
      const h = harness();
      h.rbm.answer(answer);
      expect(await h.post()).toMatchObject(outcome);
      expect(h.files.stored()).toBeUndefined();
      expect(await h.post()).toEqual({ kind: 'created', name: 'files/f2', cache: 'MISS' });
      expect(h.rbm.calls).toHaveLength(2);
      expect(h.clock.ms).toBe(START);
    },
  );

  it('storage fails after RBM answered: the name is answered and the claim given back', async () => {
    const h = harness();
    h.files.failStore = true;
    expect(await h.post()).toEqual({ kind: 'created', name: 'files/f1', cache: 'MISS' });
    expect(h.files.stored()).toBeUndefined();
  });

  it('a holder whose claim was taken over does not release the new holder’s claim', async () => {
    const h = harness();
    h.rbm.createFileFromUrl = async (fileUrl) => {
      h.rbm.calls.push(fileUrl);
      h.files.seedClaim('newer', 0);
      return rejected(400);
    };
    await h.post();
    expect(h.files.stored()).toMatchObject({ claimId: 'newer' });
  });

  it('8 concurrent first requests: one upload, every request answered with its name', async () => {
    const h = harness();
    h.rbm.turns = 5;
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => h.post()));
    expect(h.rbm.calls).toHaveLength(1);
    expect(outcomes.map((o) => (o.kind === 'created' ? o.name : o.kind))).toEqual(Array(8).fill('files/f1'));
    expect(outcomes.filter((o) => o.kind === 'created' && o.cache === 'MISS')).toHaveLength(1);
    expect(h.files.stored()).toMatchObject({ name: 'files/f1', ...PAIR });
    expect(Object.keys(h.files.stored() ?? {}).sort()).toEqual([
      'createdAt',
      'fileUrl',
      'name',
      'thumbnailUrl',
    ]);
  });
});
