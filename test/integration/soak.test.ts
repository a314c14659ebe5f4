/**
 * The soak at CI size: 200 messages through send, the fake RBM (429/503/hangs), duplicated, reordered and
 * delayed callbacks, a webhook whose first publish fails for a share of them, status and fallback events whose
 * first publish fails, Pub/Sub push and inbound; every Fallback-Policy, revoke races, TTL expiries and failed TTL
 * revokes, dropped outcomes and unsubscribed phones; then a drain with reconcile and every check of
 * scripts/soak/verify.ts and scripts/soak/outcome-verify.ts. `npm run soak -- --messages 5000` is the big run.
 */
import { expect, it } from 'vitest';
import { formatReport } from '../../scripts/soak/report.js';
import { runSoak } from '../../scripts/soak/run.js';
import { emulatorContext } from '../support/emulator-context.js';

it('loses and doubles nothing at 200 messages under faults', { timeout: 170_000 }, async () => {
  const context = emulatorContext();
  const report = await runSoak({
    messages: 200,
    seed: 6,
    concurrency: 12,
    projectId: context.projectId,
    emulators: { pubsubHost: context.pubsubHost, firestoreHost: context.firestoreHost },
    drainTimeoutMs: 60_000,
    progress: (line) => console.log(`[soak] ${line}`),
  });
  console.log(formatReport(report));
  expect(report.violations).toEqual([]);
  // Every send got its final answer: accepted, not an RCS user, or a promotion refused to an unsubscribed phone.
  const { sends } = report.summary;
  expect(sends.answered200 + sends.answered404 + report.outcomes.consent.refusedSends).toBe(200);
  expect(report.outcomes.revokeRaces.decidedThenDelivered).toBeGreaterThan(0);
  expect(report.outcomes.reconcile.timerRevokes.revoked).toBeGreaterThan(0);
});
