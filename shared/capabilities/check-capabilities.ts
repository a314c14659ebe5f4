/**
 * `GET /v1/phones/{E.164}/capabilities`: answered from `capabilities/{E.164}` while the entry is young enough
 * (cache-rules.ts), else from RBM's getCapabilities (a fresh request id per call, since RBM ignores a reused
 * one), whose answer is cached: 200 as reachable with its features, 404 as not reachable.
 */
import { ApiError, type FieldViolation } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import { isUuid, newMessageId } from '../ids.js';
import type { Logger } from '../log/logger.js';
import { checkAgentId, checkPhoneNumber } from '../outbound/request-checks.js';
import { checkQueryNames, singleValue, type QueryValues } from '../query/params.js';
import type { RbmError, RbmOutcome } from '../rbm/client.js';
import type { CapabilityCache, CapabilityEntry } from '../store/capabilities.js';
import { ageSeconds, isReusable, type CapabilityTtls } from './cache-rules.js';

export interface CapabilitiesPort {
  getCapabilities(phoneNumber: string, requestId: string): Promise<RbmOutcome>;
}

export interface CapabilityDeps {
  cache: Pick<CapabilityCache, 'get' | 'recordCapabilities' | 'recordNotReachable'>;
  rbm: CapabilitiesPort;
  agentId: string;
  ttls: CapabilityTtls;
  logger: Logger;
  now?: () => Date;
}

export type CacheStatus = 'HIT' | 'MISS';

export type CapabilityOutcome =
  | { kind: 'features'; features: string[]; cache: CacheStatus; ageSeconds: number }
  /** RBM says the phone is not on RCS (now, or when cached). */
  | { kind: 'notReachable'; error: RbmError; cache: CacheStatus; ageSeconds: number }
  /** Another refusal by RBM (e.g. 403): passed through, not cached. */
  | { kind: 'rejected'; status: number; error: RbmError }
  | { kind: 'rbmUnavailable'; attempts: number; rbmStatus: string };

/** The 404 of a cached "not reachable", worded as RBM's own. */
export const CACHED_NOT_FOUND: Readonly<RbmError> = {
  code: 404,
  status: 'NOT_FOUND',
  message: 'Requested entity was not found.',
};

const MAX_AGE_PATTERN = /^\d{1,10}$/;

function readMaxAge(query: QueryValues, violations: FieldViolation[]): number | undefined {
  const raw = singleValue(query, 'maxAgeSeconds', violations);
  if (raw === undefined) return undefined;
  if (!MAX_AGE_PATTERN.test(raw)) {
    violations.push({ field: 'maxAgeSeconds', description: 'must be a whole number of seconds, 0 or more.' });
    return undefined;
  }
  return Number(raw);
}

export async function checkCapabilities(
  request: { phoneNumber: string; query: QueryValues },
  deps: CapabilityDeps,
): Promise<CapabilityOutcome> {
  const { query, phoneNumber } = request;
  const violations: FieldViolation[] = [];
  checkQueryNames(query, ['maxAgeSeconds', 'requestId', 'agentId'], violations);
  checkPhoneNumber(phoneNumber, violations);
  const maxAgeSeconds = readMaxAge(query, violations);
  // RBM's own requestId parameter is accepted for compatibility; each call to RBM gets a fresh one.
  const requestId = singleValue(query, 'requestId', violations);
  if (requestId !== undefined && !isUuid(requestId)) {
    violations.push({ field: 'requestId', description: 'must be an RFC 4122 UUID.' });
  }
  checkAgentId(singleValue(query, 'agentId', violations), deps.agentId, violations);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);

  const now = deps.now ?? (() => new Date());
  const cached = await deps.cache.get(phoneNumber);
  const at = now();
  if (isReusable(cached, at, deps.ttls, maxAgeSeconds)) return fromCache(cached, at);

  const answer = await deps.rbm.getCapabilities(phoneNumber, newMessageId());
  const checkedAt = now();
  switch (answer.kind) {
    case 'ok': {
      const features = featureNames(answer.body.features);
      await cacheQuietly(deps.logger, () => deps.cache.recordCapabilities(phoneNumber, features, checkedAt));
      return { kind: 'features', features, cache: 'MISS', ageSeconds: 0 };
    }
    case 'rejected':
      if (answer.status === 404) {
        await cacheQuietly(deps.logger, () =>
          deps.cache.recordNotReachable(phoneNumber, 'CAPABILITIES', checkedAt),
        );
        return { kind: 'notReachable', error: answer.error, cache: 'MISS', ageSeconds: 0 };
      }
      return { kind: 'rejected', status: answer.status, error: answer.error };
    case 'unavailable':
      return { kind: 'rbmUnavailable', attempts: answer.attempts, rbmStatus: answer.error.status };
  }
}

function fromCache(entry: CapabilityEntry, now: Date): CapabilityOutcome {
  const age = ageSeconds(entry, now);
  return entry.reachable
    ? { kind: 'features', features: [...(entry.features ?? [])], cache: 'HIT', ageSeconds: age }
    : { kind: 'notReachable', error: { ...CACHED_NOT_FOUND }, cache: 'HIT', ageSeconds: age };
}

/** RBM's feature list as given: every string kept, unknown names included. */
export function featureNames(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** RBM's answer stands even when caching it fails for a moment: the next request asks RBM again. */
export async function cacheQuietly(logger: Logger, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!isTransientGrpcError(error)) throw error;
    logger.warn('Capability answer not cached: storage unavailable', { err: error });
  }
}
