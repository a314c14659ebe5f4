/** The outcome lines of the soak report: policies, decisions by reason and certainty, events, races, consent. */
import type { OutcomeSummary } from './outcome-verify.js';

/** Decision rows in the order of the decision table, then any other. */
const REASON_ORDER = [
  'NOT_REACHABLE',
  'REJECTED',
  'REVOKED',
  'EXPIRED',
  'EXPIRY_UNCONFIRMED',
  'REVOKE_UNCONFIRMED',
  'NO_OUTCOME',
  'NOT_SENT',
];

function rank(key: string): number {
  const index = REASON_ORDER.indexOf(key.split('/')[0] ?? '');
  return index < 0 ? REASON_ORDER.length : index;
}

export function formatOutcomes(o: OutcomeSummary): string[] {
  const decisions = Object.entries(o.decisions)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([key, row]) => `${key} ${row.stored} (${row.published} published)`)
    .join(', ');
  const r = o.reconcile;
  return [
    `  policies: none ${o.policies.none}, safe ${o.policies.safe}, critical ${o.policies.critical}; ` +
      `${o.withCorrelationId} with a Correlation-Id`,
    `  decisions: ${decisions || 'none'}; ${o.deliveredAfter} delivered after the decision; ` +
      `${o.awaitingOutcome} SENT with no outcome yet`,
    `  status events: ${o.statusEvents.distinct} distinct of ${o.statusEvents.received} received; ` +
      `fallback events: ${o.fallbackEvents.distinct} distinct of ${o.fallbackEvents.received} received; ` +
      `${o.eventPublishFaults} event publishes failed first`,
    `  revoke races: ${o.revokeRaces.injected} injected, ${o.revokeRaces.decidedThenDelivered} decided then ` +
      `delivered, ${o.revokeRaces.deliveredFirst} delivered before the revoke was recorded`,
    `  TTL: ${o.ttlEvents.revoked} TTL_EXPIRATION_REVOKED, ${o.ttlEvents.revokeFailed} TTL_EXPIRATION_REVOKE_FAILED, ` +
      `${o.droppedOutcomes} outcomes dropped`,
    `  consent: ${o.consent.unsubscribedPhones} phones unsubscribed, ${o.consent.distinctChanges} changes in ` +
      `${o.consent.changesPublished} publishes, ${o.consent.refusedSends} promotions refused`,
    `  reconcile: ${r.passes} passes, ${r.timerRevokes.due} timer revokes (${r.timerRevokes.revoked} × 200, ` +
      `${r.timerRevokes.notFound} × 404, ${r.timerRevokes.deferred} deferred), ` +
      `${r.republishedEvents} queued events published for ${r.republishedRecords} records`,
  ];
}
