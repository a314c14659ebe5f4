/**
 * `GET` and `PUT /v1/consents/{E.164}`: read a phone's consent, or apply the business's own change (`source:
 * API`) under the same rule as every other source, the latest `changedAt` winning.
 */
import { parseTimestampNanos, NANOS_PER_MILLISECOND } from '../agent-message/time.js';
import { DEFAULT_CONSENT_CLAIM_LEASE_MS, publishConsentChanges } from '../publishing/consent-publisher.js';
import type { Consent } from '../consent/consent-rules.js';
import { ApiError, type FieldViolation } from '../errors.js';
import { isJsonObject } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import { checkPhoneNumber } from '../outbound/request-checks.js';
import type { Publish } from '../pubsub/publisher.js';
import type { ConsentStore } from '../store/consents.js';
import { checkQueryNames, type QueryValues } from './params.js';
import { consentView } from './views.js';

/** How far ahead of this server's clock a `changedAt` may be (clock skew); later ones would block every real change. */
export const MAX_CHANGED_AT_AHEAD_MS = 5 * 60_000;

export type ConsentLookup =
  { kind: 'found'; body: Record<string, unknown> } | { kind: 'notFound'; message: string };

export type ConsentPutOutcome =
  /** The stored document after the change (an older change leaves the newer document as it was). */
  | { kind: 'stored'; body: Record<string, unknown> }
  /** Stored, but the consent topic did not take the change: a retry of the request publishes it. */
  | { kind: 'publishFailed'; body: Record<string, unknown> };

export interface ConsentDeps {
  consents: ConsentStore;
  agentId: string;
  publish: Publish;
  consentTopic: string;
  logger: Logger;
  now?: () => Date;
}

function toBody(consent: Consent): Record<string, unknown> {
  return consentView({ ...consent });
}

export async function getConsentOf(
  request: { phoneNumber: string; query: QueryValues },
  deps: { consents: Pick<ConsentStore, 'get'> },
): Promise<ConsentLookup> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, [], violations);
  checkPhoneNumber(request.phoneNumber, violations);
  if (violations.length > 0) throw ApiError.invalidArgument(violations);
  const consent = await deps.consents.get(request.phoneNumber);
  return consent === undefined
    ? { kind: 'notFound', message: 'No consent is recorded for this phone number.' }
    : { kind: 'found', body: toBody(consent) };
}

/** The body `{subscribed, changedAt?}`, checked whole. */
export function parseConsentBody(
  body: Record<string, unknown>,
  now: Date,
  violations: FieldViolation[],
): { subscribed: boolean; changedAt: Date } | undefined {
  for (const field of Object.keys(body)) {
    if (field !== 'subscribed' && field !== 'changedAt') {
      violations.push({ field, description: 'is not a field of a consent change (subscribed, changedAt).' });
    }
  }
  const { subscribed, changedAt } = body;
  if (typeof subscribed !== 'boolean') {
    violations.push({ field: 'subscribed', description: 'is required: true or false.' });
  }
  let at = now;
  if (changedAt !== undefined) {
    const nanos = typeof changedAt === 'string' ? parseTimestampNanos(changedAt) : undefined;
    if (nanos === undefined) {
      violations.push({
        field: 'changedAt',
        description: 'must be an RFC 3339 timestamp such as "2026-01-31T09:00:00Z".',
      });
    } else {
      at = new Date(Number(nanos / NANOS_PER_MILLISECOND));
      if (at.getTime() - now.getTime() > MAX_CHANGED_AT_AHEAD_MS) {
        violations.push({ field: 'changedAt', description: 'must not be in the future.' });
      }
    }
  }
  if (typeof subscribed !== 'boolean' || violations.length > 0) return undefined;
  return { subscribed, changedAt: at };
}

export async function putConsent(
  request: { phoneNumber: string; query: QueryValues; body: unknown },
  deps: ConsentDeps,
): Promise<ConsentPutOutcome> {
  const now = (deps.now ?? (() => new Date()))();
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, [], violations);
  checkPhoneNumber(request.phoneNumber, violations);
  const parsed = parseConsentBody(isJsonObject(request.body) ? request.body : {}, now, violations);
  if (parsed === undefined || violations.length > 0) throw ApiError.invalidArgument(violations);

  const change: Consent = {
    phoneNumber: request.phoneNumber,
    agentId: deps.agentId,
    subscribed: parsed.subscribed,
    changedAt: parsed.changedAt,
    source: 'API',
  };
  const result = await deps.consents.applyChange(change, () => now);
  const body = toBody(result.consent);
  try {
    // A concurrent caller holding the claim publishes this change too: the answer need not wait for it.
    const report = await publishConsentChanges(result, {
      consents: deps.consents,
      publish: deps.publish,
      topicId: deps.consentTopic,
      claimLeaseMs: DEFAULT_CONSENT_CLAIM_LEASE_MS,
    });
    deps.logger.info('Consent change handled', { applied: result.applied, ...report });
  } catch (error) {
    deps.logger.warn('Consent change stored but not published yet', { err: error });
    return { kind: 'publishFailed', body };
  }
  return { kind: 'stored', body };
}
