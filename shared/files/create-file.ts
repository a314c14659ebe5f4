/**
 * `POST /v1/files`: RBM's files.create in URL mode, once per URL pair. RBM keeps a file 60 days; the answer is
 * reused for 55, so a file is never handed out within days of its expiry, and one URL is uploaded once however
 * often it is sent (Google asks agents not to submit many unique URLs). Concurrent first requests for a pair
 * share one upload through a claim on its entry (../file-upload-claim.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { ApiError, type FieldViolation } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import { defaultSleep } from '../http/retrying-call.js';
import { isJsonObject } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import { checkAgentId } from '../outbound/request-checks.js';
import { checkQueryNames, singleValue, type QueryValues } from '../query/params.js';
import type { RbmError, RbmOutcome } from '../rbm/client.js';
import {
  UPLOAD_WAIT_MS,
  pollDelayMs,
  retryAfterSeconds,
  uploadDecision,
  type FileUploads,
  type UploadPair,
} from '../file-upload-claim.js';
import type { ClaimHold } from '../publish-claim.js';

export { FILE_REUSE_DAYS, isReusableFile } from '../file-upload-claim.js';
export const MAX_FILE_URL_LENGTH = 2048;

export interface FilesPort {
  createFileFromUrl(fileUrl: string, thumbnailUrl?: string): Promise<RbmOutcome>;
}

export interface FileDeps<V> {
  files: FileUploads<V>;
  rbm: FilesPort;
  agentId: string;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  newClaimId?: () => string;
}

export type FileOutcome =
  | { kind: 'created'; name: string; cache: 'HIT' | 'MISS' }
  | { kind: 'rejected'; status: number; error: RbmError }
  | { kind: 'rbmUnavailable'; attempts: number; rbmStatus: string }
  /** Another request held the upload for as long as this one could wait: retry after `retryAfterSeconds`. */
  | { kind: 'uploadInProgress'; retryAfterSeconds: number };

export interface FileRequestBody {
  fileUrl: string;
  thumbnailUrl?: string;
}

/** The cache key of a URL pair: SHA-256 of both (an absent thumbnail is not an empty one). */
export function fileKey(fileUrl: string, thumbnailUrl: string | undefined): string {
  return createHash('sha256')
    .update(JSON.stringify([fileUrl, thumbnailUrl ?? null]))
    .digest('hex');
}

function checkUrl(value: unknown, field: string, required: boolean, violations: FieldViolation[]): void {
  if (value === undefined && !required) return;
  let valid = typeof value === 'string' && value.length <= MAX_FILE_URL_LENGTH;
  if (valid) {
    try {
      const url = new URL(value as string);
      valid = url.protocol === 'https:' && url.hostname !== '';
    } catch {
      valid = false;
    }
  }
  if (!valid) {
    violations.push({
      field,
      description: `${required ? 'is required: ' : 'must be '}an https:// URL of at most ${MAX_FILE_URL_LENGTH} characters.`,
    });
  }
}

export function parseFileBody(
  body: Record<string, unknown>,
  agentId: string,
  violations: FieldViolation[],
): FileRequestBody | undefined {
  const before = violations.length;
  for (const field of Object.keys(body)) {
    if (field !== 'fileUrl' && field !== 'thumbnailUrl' && field !== 'agentId') {
      violations.push({ field, description: 'is not a field of a file (fileUrl, thumbnailUrl).' });
    }
  }
  checkUrl(body.fileUrl, 'fileUrl', true, violations);
  checkUrl(body.thumbnailUrl, 'thumbnailUrl', false, violations);
  if (body.agentId !== undefined) {
    checkAgentId(typeof body.agentId === 'string' ? body.agentId : '', agentId, violations);
  }
  if (violations.length > before) return undefined;
  return {
    fileUrl: body.fileUrl as string,
    ...(typeof body.thumbnailUrl === 'string' ? { thumbnailUrl: body.thumbnailUrl } : {}),
  };
}

export async function createFile<V>(
  request: { query: QueryValues; body: unknown },
  deps: FileDeps<V>,
): Promise<FileOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, ['agentId'], violations);
  checkAgentId(singleValue(request.query, 'agentId', violations), deps.agentId, violations);
  const file = parseFileBody(isJsonObject(request.body) ? request.body : {}, deps.agentId, violations);
  if (file === undefined || violations.length > 0) throw ApiError.invalidArgument(violations);

  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? defaultSleep;
  const key = fileKey(file.fileUrl, file.thumbnailUrl);
  const pair: UploadPair = { fileUrl: file.fileUrl, thumbnailUrl: file.thumbnailUrl ?? null };
  const claimId = (deps.newClaimId ?? randomUUID)();
  const waitUntil = now().getTime() + UPLOAD_WAIT_MS;
  for (let polls = 0; ;) {
    const entry = await deps.files.read(key);
    const decision = uploadDecision(entry, now());
    if (decision.kind === 'hit') return { kind: 'created', name: decision.name, cache: 'HIT' };
    if (decision.kind === 'wait') {
      const left = waitUntil - now().getTime();
      if (left <= 0) {
        deps.logger.warn('File upload still held by another request', { leaseLeftMs: decision.leaseLeftMs });
        return { kind: 'uploadInProgress', retryAfterSeconds: retryAfterSeconds(decision.leaseLeftMs) };
      }
      await sleep(Math.min(pollDelayMs(++polls), left));
      continue;
    }
    // A lost race means another request claimed first: the next read shows its claim.
    const hold =
      decision.kind === 'claim' || entry === undefined
        ? await deps.files.claim(key, pair, claimId)
        : await deps.files.takeOver(key, pair, claimId, entry.version);
    if (hold !== undefined) return upload(key, pair, hold, deps, now);
  }
}

/** The holder's part: RBM once, then the finished entry, or the claim given back so the next request retries. */
async function upload<V>(
  key: string,
  pair: UploadPair,
  hold: ClaimHold<V>,
  deps: FileDeps<V>,
  now: () => Date,
): Promise<FileOutcome> {
  const answer = await deps.rbm.createFileFromUrl(pair.fileUrl, pair.thumbnailUrl ?? undefined);
  let outcome: FileOutcome;
  if (answer.kind === 'rejected') {
    outcome = { kind: 'rejected', status: answer.status, error: answer.error };
  } else if (answer.kind === 'unavailable') {
    outcome = { kind: 'rbmUnavailable', attempts: answer.attempts, rbmStatus: answer.error.status };
  } else if (typeof answer.body.name !== 'string' || !answer.body.name.startsWith('files/')) {
    outcome = {
      kind: 'rejected',
      status: 502,
      error: { code: 502, status: 'UNAVAILABLE', message: 'RBM answered files.create without a file name.' },
    };
  } else {
    const name = answer.body.name;
    try {
      await deps.files.store(key, { name, ...pair, createdAt: now() });
      deps.logger.info('File created', { cached: true });
      return { kind: 'created', name, cache: 'MISS' };
    } catch (error) {
      // The file exists at RBM either way: answer it; the claim is given back so the next request uploads again.
      if (!isTransientGrpcError(error)) throw error;
      deps.logger.warn('File created but not cached: storage unavailable', { err: error });
      outcome = { kind: 'created', name, cache: 'MISS' };
    }
  }
  await releaseClaim(key, hold, deps);
  return outcome;
}

async function releaseClaim<V>(key: string, hold: ClaimHold<V>, deps: FileDeps<V>): Promise<void> {
  try {
    await deps.files.release(key, hold);
  } catch (error) {
    // Storage is down: the claim lapses with its lease instead.
    if (!isTransientGrpcError(error)) throw error;
    deps.logger.warn('File upload claim not released: storage unavailable', { err: error });
  }
}
