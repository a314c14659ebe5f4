/**
 * Issue 6's soak at CI size: 200 messages through send, the fake RBM (429/503/hangs), duplicated, reordered
 * and delayed callbacks, a webhook whose first publish fails for a share of them, Pub/Sub push and inbound;
 * then a drain and every check of scripts/soak/verify.ts. `npm run soak -- --messages 5000` is the big run.
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
  });
  console.log(formatReport(report));
  expect(report.violations).toEqual([]);
  expect(report.summary.sends.answered200 + report.summary.sends.answered404).toBe(200);
});
