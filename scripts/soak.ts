/**
 * `npm run soak -- --messages N [--seed S] [--concurrency C] [--json FILE]`: the whole loop at volume with
 * faults on the built functions and fresh emulators, then a drain and the invariant checks of scripts/soak/verify.ts. Prints a report;
 * exits 1 on any violation. Build first (`npm run build`).
 * `npm run soak -- --campaign N [--rate R] [--seed S]` soaks one campaign instead (scripts/soak/campaign-run.ts).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { format } from 'prettier';
import { formatReport } from './soak/report.js';
import { runSoak } from './soak/run.js';
import { formatCampaignReport, runCampaignSoak } from './soak/campaign-run.js';

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0)
    throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
}

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'string' },
    campaign: { type: 'string' },
    rate: { type: 'string' },
  },
});

if (values.campaign !== undefined) {
  const report = await runCampaignSoak({
    recipients: positive('campaign', values.campaign, 5000),
    ratePerSecond: positive('rate', values.rate, 50),
    seed: positive('seed', values.seed, 1),
    progress: (line) => console.log(`[soak] ${line}`),
  });
  console.log(formatCampaignReport(report));
  process.exit(report.violations.length === 0 ? 0 : 1);
}

const startedAt = new Date().toISOString();
const messages = positive('messages', values.messages, 200);
const report = await runSoak({
  messages,
  seed: positive('seed', values.seed, 1),
  concurrency: positive('concurrency', values.concurrency, 16),
  progress: (line) => console.log(`[soak] ${line}`),
});
console.log(formatReport(report));
if (values.json) {
  const command = `npm run soak -- --messages ${messages}`;
  // Formatted as prettier would, so a committed report keeps `npm run lint` green.
  const json = JSON.stringify({ date: startedAt, command, ...report });
  await writeFile(values.json, await format(json, { parser: 'json', printWidth: 110 }));
}
process.exitCode = report.violations.length === 0 ? 0 : 1;
