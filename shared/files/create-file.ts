/**
 * `POST /v1/files`: RBM's files.create in URL mode, once per URL pair. RBM keeps a file 60 days; the answer is
 * reused for 55, so a file is never handed out within days of its expiry, and one URL is uploaded once however
 * often it is sent (Google asks agents not to submit many unique URLs).
 */
import { createHash } from 'node:crypto';
import { ApiError, type FieldViolation } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import { isJsonObject } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import { checkAgentId } from '../outbound/request-checks.js';
import { checkQueryNames, singleValue, type QueryValues } from '../query/params.js';
import type { RbmError, RbmOutcome } from '../rbm/client.js';
import type { FileStore } from '../store/files.js';

export const FILE_REUSE_DAYS = 55;
export const MAX_FILE_URL_LENGTH = 2048;

export interface FilesPort {
  createFileFromUrl(fileUrl: string, thumbnailUrl?: string): Promise<RbmOutcome>;
}

export interface FileDeps {
  files: FileStore;
  rbm: FilesPort;
  agentId: string;
  logger: Logger;
  now?: () => Date;
}

export type FileOutcome =
  | { kind: 'created'; name: string; cache: 'HIT' | 'MISS' }
  | { kind: 'rejected'; status: number; error: RbmError }
  | { kind: 'rbmUnavailable'; attempts: number; rbmStatus: string };

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

/** Whether a stored file may still be handed out. */
export function isReusableFile(createdAt: Date, now: Date): boolean {
  const ageMs = now.getTime() - createdAt.getTime();
  return ageMs < FILE_REUSE_DAYS * 86_400_000;
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

export async function createFile(
  request: { query: QueryValues; body: unknown },
  deps: FileDeps,
): Promise<FileOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, ['agentId'], violations);
  checkAgentId(singleValue(request.query, 'agentId', violations), deps.agentId, violations);
  const file = parseFileBody(isJsonObject(request.body) ? request.body : {}, deps.agentId, violations);
  if (file === undefined || violations.length > 0) throw ApiError.invalidArgument(violations);

  const now = deps.now ?? (() => new Date());
  const key = fileKey(file.fileUrl, file.thumbnailUrl);
  const stored = await deps.files.get(key);
  if (stored !== undefined && isReusableFile(stored.createdAt, now())) {
    return { kind: 'created', name: stored.name, cache: 'HIT' };
  }
  const answer = await deps.rbm.createFileFromUrl(file.fileUrl, file.thumbnailUrl);
  if (answer.kind === 'rejected') return { kind: 'rejected', status: answer.status, error: answer.error };
  if (answer.kind === 'unavailable') {
    return { kind: 'rbmUnavailable', attempts: answer.attempts, rbmStatus: answer.error.status };
  }
  const name = answer.body.name;
  if (typeof name !== 'string' || !name.startsWith('files/')) {
    return {
      kind: 'rejected',
      status: 502,
      error: { code: 502, status: 'UNAVAILABLE', message: 'RBM answered files.create without a file name.' },
    };
  }
  try {
    await deps.files.store(key, {
      name,
      fileUrl: file.fileUrl,
      thumbnailUrl: file.thumbnailUrl ?? null,
      createdAt: now(),
    });
  } catch (error) {
    // The file exists at RBM either way: answer it; the next request uploads again.
    if (!isTransientGrpcError(error)) throw error;
    deps.logger.warn('File created but not cached: storage unavailable', { err: error });
  }
  deps.logger.info('File created', { cached: false });
  return { kind: 'created', name, cache: 'MISS' };
}
