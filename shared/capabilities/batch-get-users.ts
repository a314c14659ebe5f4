/**
 * `POST /v1/users:batchGet`: RBM's users.batchGet passed through (the agent id goes in RBM's body); the
 * numbers RBM lists as reachable are cached as reachable, their features left as known. Caching is best effort,
 * as for a capability check: RBM's answer stands when storage fails or misses its deadline.
 */
import { ApiError, type FieldViolation } from '../errors.js';
import { isJsonObject } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import { checkAgentId } from '../outbound/request-checks.js';
import { isE164 } from '../phone.js';
import { checkQueryNames, singleValue, type QueryValues } from '../query/params.js';
import type { RbmError, RbmOutcome } from '../rbm/client.js';
import type { CapabilityCache } from '../store/capabilities.js';
import { cacheQuietly } from './check-capabilities.js';

export const MAX_BATCH_USERS = 10_000;

export interface BatchGetPort {
  batchGetUsers(phoneNumbers: readonly string[]): Promise<RbmOutcome>;
}

export interface BatchGetDeps {
  cache: Pick<CapabilityCache, 'recordManyReachable'>;
  rbm: BatchGetPort;
  agentId: string;
  logger: Logger;
  now?: () => Date;
}

export type BatchGetOutcome =
  | { kind: 'ok'; body: Record<string, unknown> }
  | { kind: 'rejected'; status: number; error: RbmError }
  | { kind: 'rbmUnavailable'; attempts: number; rbmStatus: string };

/** The distinct numbers of `{users, agentId?}`, or undefined with every problem in `violations`. */
export function parseBatchGetBody(
  body: Record<string, unknown>,
  agentId: string,
  violations: FieldViolation[],
): string[] | undefined {
  const before = violations.length;
  for (const field of Object.keys(body)) {
    if (field !== 'users' && field !== 'agentId') {
      violations.push({ field, description: 'is not a field of a users:batchGet request (users, agentId).' });
    }
  }
  if (body.agentId !== undefined) {
    checkAgentId(typeof body.agentId === 'string' ? body.agentId : '', agentId, violations);
  }
  const { users } = body;
  if (!Array.isArray(users) || users.length === 0) {
    violations.push({ field: 'users', description: 'must list 1 to 10,000 E.164 phone numbers.' });
    return undefined;
  }
  users.forEach((user, i) => {
    if (typeof user !== 'string' || !isE164(user)) {
      violations.push({
        field: `users[${i}]`,
        description: 'must be an E.164 number: "+" then 7 to 15 digits.',
      });
    }
  });
  const distinct = [...new Set(users.filter((user): user is string => typeof user === 'string'))];
  if (distinct.length > MAX_BATCH_USERS) {
    violations.push({
      field: 'users',
      description: `lists ${distinct.length} distinct numbers; at most ${MAX_BATCH_USERS} per request.`,
    });
  }
  return violations.length > before ? undefined : distinct;
}

export async function batchGetUsers(
  request: { query: QueryValues; body: unknown },
  deps: BatchGetDeps,
): Promise<BatchGetOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, ['agentId'], violations);
  checkAgentId(singleValue(request.query, 'agentId', violations), deps.agentId, violations);
  const users = parseBatchGetBody(isJsonObject(request.body) ? request.body : {}, deps.agentId, violations);
  if (users === undefined || violations.length > 0) throw ApiError.invalidArgument(violations);

  const answer = await deps.rbm.batchGetUsers(users);
  if (answer.kind === 'rejected') return { kind: 'rejected', status: answer.status, error: answer.error };
  if (answer.kind === 'unavailable') {
    return { kind: 'rbmUnavailable', attempts: answer.attempts, rbmStatus: answer.error.status };
  }
  const asked = new Set(users);
  const reachable = Array.isArray(answer.body.reachableUsers)
    ? answer.body.reachableUsers.filter((user): user is string => typeof user === 'string' && asked.has(user))
    : [];
  const checkedAt = (deps.now ?? (() => new Date()))();
  // Up to 10,000 writes, paced by the BulkWriter: past the storage deadline the answer goes out, cached or not.
  await cacheQuietly(deps.logger, () => deps.cache.recordManyReachable(reachable, 'BATCH_GET', checkedAt));
  deps.logger.info('users:batchGet answered', { asked: users.length, reachable: reachable.length });
  return { kind: 'ok', body: answer.body };
}
