/**
 * The outcome checks of a soak run, after the drain: each message's fallback decision and policy, the
 * decisions published on rbm-fallback under each policy's rules, a status event for every change of state
 * (status-history.ts), revoke races flagged as deliveries after a decision, refused sends that never reached
 * RBM, and the consent changes behind the refusals. Pure over what was collected.
 */
import type { FakeRbm } from '../../sandbox/fake-rbm/index.js';
import type { AgentMessageRecord } from '../../shared/delivery-state.js';
import type { FallbackPolicy } from '../../shared/fallback-decision.js';
import type { TappedMessage } from './clients.js';
import type { SendOutcome } from './driver.js';
import {
  indexFallbackEvents,
  indexStatusEvents,
  type FallbackEventSeen,
  type StatusEventSeen,
} from './event-index.js';
import { decisionPublished, expectedOutcome } from './outcome-expectations.js';
import type { PhoneScript, PlannedMessage, SoakPlan } from './plan.js';
import type { ReconcileDrainReport } from './reconcile-drain.js';
import { statusHistoryProblems } from './status-history.js';
import { expectedId, type Violation } from './verify.js';

const CONSENT_REFUSAL = 'RECIPIENT_UNSUBSCRIBED';
const PENDING_TIMEOUT = 'PENDING_TIMEOUT';

export interface OutcomeInput {
  readonly plan: SoakPlan;
  readonly agentId: string;
  readonly records: ReadonlyMap<string, AgentMessageRecord>;
  readonly sends: readonly SendOutcome[];
  readonly rbm: FakeRbm;
  readonly statusEvents: readonly TappedMessage[];
  readonly fallbackEvents: readonly TappedMessage[];
  readonly consentEvents: readonly TappedMessage[];
  readonly reconcile: ReconcileDrainReport;
  /** Log lines of send, revoke and inbound saying an event publish failed (injected faults). */
  readonly eventPublishFaults: number;
}

/** Numbers for the report (JSON-serialisable). */
export interface OutcomeSummary {
  /** Records by their stored Fallback-Policy. */
  policies: Record<FallbackPolicy, number>;
  withCorrelationId: number;
  statusEvents: { received: number; distinct: number };
  fallbackEvents: { received: number; distinct: number };
  /** Decisions stored on records and published, by `reason/certainty`. */
  decisions: Record<string, { stored: number; published: number }>;
  /** Decisions followed by a DELIVERED or READ. */
  deliveredAfter: number;
  /** Records still SENT with no decision: RBM keeps trying, and nothing says it will fail. */
  awaitingOutcome: number;
  revokeRaces: { injected: number; decidedThenDelivered: number; deliveredFirst: number };
  ttlEvents: { revoked: number; revokeFailed: number };
  droppedOutcomes: number;
  /**
   * `changesPublished`: Pub/Sub messages on rbm-consent-changes (redeliveries to the tap not counted);
   * `distinctChanges`: the changes they carry.
   */
  consent: {
    unsubscribedPhones: number;
    changesPublished: number;
    distinctChanges: number;
    refusedSends: number;
  };
  reconcile: ReconcileDrainReport;
  eventPublishFaults: number;
}

export interface OutcomeCheck {
  readonly summary: OutcomeSummary;
  readonly violations: Violation[];
}

const delivered = (record: AgentMessageRecord): boolean =>
  record.state === 'DELIVERED' || record.state === 'READ';

const refusal = (record: AgentMessageRecord): boolean => record.error?.reason === CONSENT_REFUSAL;

/** The records a decision must exist for when the message has this policy, by the rules' triggers. */
function decisionRequired(record: AgentMessageRecord, policy: FallbackPolicy): boolean {
  if (record.state === 'REVOKED' || record.state === 'EXPIRED') return true;
  if (record.state === 'FAILED') {
    if (refusal(record)) return false;
    return record.error?.reason !== PENDING_TIMEOUT || policy === 'critical';
  }
  // A failed (TTL) revoke: critical decides at once or when reconcile's revoke is answered 404.
  return record.state === 'SENT' && record.revokeFailed === true && policy === 'critical';
}

function callbackCount(rbm: FakeRbm, eventType: string): number {
  return rbm.callbacks.filter(
    (callback) =>
      callback.copy === 0 && 'eventType' in callback.payload && callback.payload.eventType === eventType,
  ).length;
}

export function checkOutcomes(input: OutcomeInput): OutcomeCheck {
  const violations: Violation[] = [];
  const add = (check: string, detail: string): void => {
    violations.push({ check, detail });
  };
  const status = indexStatusEvents(input.statusEvents);
  const fallback = indexFallbackEvents(input.fallbackEvents);
  for (const problem of status.problems) add('status events', problem);
  for (const problem of fallback.problems) add('fallback events', problem);

  const scriptOf = new Map(input.plan.phones.map((phone) => [phone.phone, phone.script]));
  const planned = new Map<string, PlannedMessage>();
  for (const phone of input.plan.phones) {
    for (const message of phone.messages) planned.set(expectedId(input.agentId, message), message);
  }
  const raced = new Set(
    input.rbm
      .deletes()
      .filter((call) => call.fault === 'revokeRace')
      .flatMap((call) => (call.messageId ? [call.messageId.toLowerCase()] : [])),
  );
  const created = new Set(
    input.rbm.creates().flatMap((call) => (call.messageId ? [call.messageId.toLowerCase()] : [])),
  );
  const answered = new Map(input.sends.map((send) => [expectedId(input.agentId, send.message), send]));

  const summary: OutcomeSummary = {
    policies: { none: 0, safe: 0, critical: 0 },
    withCorrelationId: 0,
    statusEvents: { received: status.received, distinct: status.distinct },
    fallbackEvents: { received: fallback.received, distinct: fallback.distinct },
    decisions: {},
    deliveredAfter: 0,
    awaitingOutcome: 0,
    revokeRaces: { injected: raced.size, decidedThenDelivered: 0, deliveredFirst: 0 },
    ttlEvents: {
      revoked: callbackCount(input.rbm, 'TTL_EXPIRATION_REVOKED'),
      revokeFailed: callbackCount(input.rbm, 'TTL_EXPIRATION_REVOKE_FAILED'),
    },
    droppedOutcomes: input.rbm.messages().filter((message) => message.outcomeDropped === true).length,
    consent: { unsubscribedPhones: 0, changesPublished: 0, distinctChanges: 0, refusedSends: 0 },
    reconcile: input.reconcile,
    eventPublishFaults: input.eventPublishFaults,
  };

  for (const [id, record] of input.records) {
    const message = planned.get(id);
    const script = message ? scriptOf.get(message.phone) : undefined;
    if (!message || !script) continue; // verify.ts reports records of no planned send
    const label = `message #${message.index} (${script}, ${message.outcome.policy})`;
    const policy = record.fallbackPolicy ?? 'none';
    summary.policies[policy] += 1;
    if (record.correlationId !== undefined) summary.withCorrelationId += 1;
    const statusEvents = status.byMessage.get(id) ?? [];
    const fallbackEvents = fallback.byMessage.get(id) ?? [];
    const problems = [
      ...recordProblems(record, message, script, fallbackEvents, raced.has(id)),
      ...eventProblems(record, message, statusEvents, fallbackEvents),
    ];
    if (refusal(record)) {
      summary.consent.refusedSends += 1;
      if (created.has(id)) problems.push('refused, yet RBM was asked to create it');
      if (record.attempts !== 0) problems.push(`refused after ${record.attempts} RBM attempts`);
      if (answered.get(id)?.final?.status !== 400)
        problems.push('refused, but the send was not answered 400');
    }
    for (const problem of problems) add('outcomes', `${label}: ${problem}`);

    const decision = record.fallback;
    if (decision) {
      const key = `${decision.reason}/${decision.certainty}`;
      const row = (summary.decisions[key] ??= { stored: 0, published: 0 });
      row.stored += 1;
      if (fallbackEvents.length > 0) row.published += 1;
      if (decision.deliveredAfter === true) summary.deliveredAfter += 1;
    } else if (record.state === 'SENT') {
      summary.awaitingOutcome += 1;
    }
    if (raced.has(id)) {
      if (decision?.deliveredAfter === true) summary.revokeRaces.decidedThenDelivered += 1;
      else if (delivered(record) && !decision) summary.revokeRaces.deliveredFirst += 1;
    }
  }

  for (const id of status.byMessage.keys())
    if (!input.records.has(id)) add('status events', `events for ${id}, which has no record`);
  for (const id of fallback.byMessage.keys())
    if (!input.records.has(id)) add('fallback events', `a decision for ${id}, which has no record`);

  const consent = consentProblems(input, scriptOf);
  summary.consent.unsubscribedPhones = consent.unsubscribedPhones;
  summary.consent.changesPublished = consent.changesPublished;
  summary.consent.distinctChanges = consent.distinctChanges;
  for (const problem of consent.problems) add('consent', problem);
  for (const problem of faultsNotExercised(input.plan, summary)) add('faults', problem);
  return { summary, violations };
}

/** The record against its plan: policy, correlation id, decision, and the decision's publication. */
function recordProblems(
  record: AgentMessageRecord,
  message: PlannedMessage,
  script: PhoneScript,
  fallbackEvents: readonly FallbackEventSeen[],
  raced: boolean,
): string[] {
  const problems: string[] = [];
  const plan = message.outcome;
  const policy = record.fallbackPolicy ?? 'none';
  if (policy !== plan.policy) problems.push(`policy ${policy}, sent as ${plan.policy}`);
  if (record.correlationId !== plan.correlationId)
    problems.push(`correlationId ${String(record.correlationId)}, sent ${String(plan.correlationId)}`);

  const decision = record.fallback;
  const expected = expectedOutcome(script, message);
  const matches = expected.decisions.some((want) =>
    want === null
      ? decision === undefined
      : decision !== undefined &&
        decision.reason === want.reason &&
        decision.certainty === want.certainty &&
        (decision.deliveredAfter === true) === want.deliveredAfter,
  );
  if (!matches) {
    const got = decision
      ? `${decision.reason}/${decision.certainty}${decision.deliveredAfter ? ' delivered after' : ''}`
      : 'none';
    const want = expected.decisions
      .map((d) => (d ? `${d.reason}/${d.certainty}${d.deliveredAfter ? ' delivered after' : ''}` : 'none'))
      .join(' or ');
    problems.push(`decision ${got}, expected ${want}`);
  }

  // Published under the policy's rules: none publishes nothing, safe NOT_DELIVERED only, critical both.
  const wantPublished = decision !== undefined && decisionPublished(policy, decision.certainty) ? 1 : 0;
  if (fallbackEvents.length !== wantPublished)
    problems.push(`${fallbackEvents.length} decisions published, expected ${wantPublished}`);
  if (
    !delivered(record) &&
    policy !== 'none' &&
    decisionRequired(record, policy) &&
    fallbackEvents.length !== 1
  )
    problems.push(`not delivered (${record.state}) and ${fallbackEvents.length} decisions published`);

  // A delivered message with a decision: the business may have used both channels, so it must be told.
  if (delivered(record) && decision) {
    if (decision.deliveredAfter !== true) problems.push(`delivered, decided ${decision.reason}, not flagged`);
    if (decision.certainty === 'NOT_DELIVERED' && !raced)
      problems.push(`delivered, yet decided ${decision.reason} NOT_DELIVERED without a revoke race`);
  }
  if ((record.outbox ?? []).length > 0)
    problems.push(`${record.outbox?.length} events still queued on the record after the drain`);
  return problems;
}

/** The status events against the record's history, and the fallback event against the stored decision. */
function eventProblems(
  record: AgentMessageRecord,
  message: PlannedMessage,
  statusEvents: readonly StatusEventSeen[],
  fallbackEvents: readonly FallbackEventSeen[],
): string[] {
  const problems = statusHistoryProblems(record, statusEvents, refusal(record) ? 'final' : 'PENDING');
  const correlationId = message.outcome.correlationId;
  for (const event of [...statusEvents, ...fallbackEvents]) {
    if (event.correlationId !== correlationId)
      problems.push(`an event carries correlationId ${String(event.correlationId)}`);
    if (event.phoneNumber !== record.phoneNumber || event.agentId !== record.agentId)
      problems.push('an event names another phone or agent');
  }
  const last = statusEvents.find((event) => event.state === record.state);
  if (record.fallback?.deliveredAfter === true && last?.fallback?.deliveredAfter !== true)
    problems.push(`the ${record.state} event does not carry deliveredAfter`);
  const published = fallbackEvents[0];
  const decision = record.fallback;
  if (published && decision) {
    if (
      published.reason !== decision.reason ||
      published.certainty !== decision.certainty ||
      published.decidedAt !== decision.decidedAt.toISOString()
    )
      problems.push(
        `published ${published.reason}/${published.certainty}, stored ${decision.reason}/${decision.certainty}`,
      );
  }
  return problems;
}

/**
 * Each unsubscribed phone has its one change published (redelivered copies aside), from the source its script
 * used; no other phone has any.
 */
function consentProblems(
  input: OutcomeInput,
  scriptOf: ReadonlyMap<string, PhoneScript>,
): { unsubscribedPhones: number; changesPublished: number; distinctChanges: number; problems: string[] } {
  const problems: string[] = [];
  const changes = new Map<string, Map<string, Record<string, unknown>>>();
  const published = new Set<string>();
  for (const message of input.consentEvents) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(message.data.toString('utf8')) as Record<string, unknown>;
    } catch {
      problems.push('a consent change that is not JSON');
      continue;
    }
    published.add(message.id);
    const phone = String(data.phoneNumber);
    const byChange = changes.get(phone) ?? new Map<string, Record<string, unknown>>();
    byChange.set(`${String(data.subscribed)}/${String(data.changedAt)}`, data);
    changes.set(phone, byChange);
  }
  let unsubscribedPhones = 0;
  for (const [phone, script] of scriptOf) {
    const source =
      script === 'unsubscribed-event' ? 'EVENT' : script === 'unsubscribed-keyword' ? 'KEYWORD' : undefined;
    const seen = [...(changes.get(phone)?.values() ?? [])];
    if (source === undefined) {
      if (seen.length > 0) problems.push(`a consent change for a ${script} phone, which never unsubscribed`);
      continue;
    }
    unsubscribedPhones += 1;
    if (seen.length !== 1 || seen[0]?.subscribed !== false || seen[0]?.source !== source) {
      const got = seen
        .map((change) => `${String(change.subscribed)} from ${String(change.source)}`)
        .join(', ');
      problems.push(
        `a ${script} phone has changes [${got}] published, expected one unsubscribe from ${source}`,
      );
    }
  }
  const distinctChanges = [...changes.values()].reduce((n, byChange) => n + byChange.size, 0);
  return { unsubscribedPhones, changesPublished: published.size, distinctChanges, problems };
}

/** The run proves nothing about a rule it did not exercise. */
function faultsNotExercised(plan: SoakPlan, summary: OutcomeSummary): string[] {
  const scripts = new Set(plan.phones.map((phone) => phone.script));
  const missing: string[] = [];
  const expect = (planned: boolean, count: number, what: string) => {
    if (planned && count === 0) missing.push(`no ${what} happened: the run did not exercise them`);
  };
  expect(scripts.has('revoke-race'), summary.revokeRaces.injected, 'revoke races');
  expect(scripts.has('ttl-expired'), summary.ttlEvents.revoked, 'TTL_EXPIRATION_REVOKED events');
  expect(
    scripts.has('ttl-revoke-failed'),
    summary.ttlEvents.revokeFailed,
    'TTL_EXPIRATION_REVOKE_FAILED events',
  );
  expect(scripts.has('outcome-dropped'), summary.droppedOutcomes, 'dropped outcomes');
  expect(scripts.has('outcome-dropped'), summary.reconcile.timerRevokes.revoked, 'reconcile timer revokes');
  expect(
    scripts.has('unsubscribed-event') || scripts.has('unsubscribed-keyword'),
    summary.consent.refusedSends,
    'refused promotions',
  );
  expect(true, summary.eventPublishFaults, 'failed event publishes');
  expect(true, summary.fallbackEvents.distinct, 'published decisions');
  return missing;
}
