/**
 * `npm run soak -- --messages N [--seed S] [--concurrency C] [--json FILE]`: the whole loop at volume with
 * faults on the built functions and fresh emulators, then a drain and the invariant checks of scripts/soak/verify.ts. Prints a report;
 * exits 1 on any violation. Build first (`npm run build`).
 * `npm run soak -- --campaign N [--rate R] [--seed S] [--json FILE]` soaks one campaign instead
 * (scripts/soak/campaign-run.ts).
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { format } from 'prettier';
import { formatReport } from './soak/report.js';
import { runSoak } from './soak/run.js';
import { formatCampaignReport } from './soak/campaign-report.js';
import { runCampaignSoak } from './soak/campaign-run.js';

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

/** Writes a report with when and how it was made, formatted as prettier would so `npm run lint` stays green. */
async function writeReport(file: string, report: object, command: string, date: string): Promise<void> {
  await writeFile(
    file,
    await format(JSON.stringify({ date, command, ...report }), { parser: 'json', printWidth: 110 }),
  );
}

const startedAt = new Date().toISOString();

if (values.campaign !== undefined) {
  const recipients = positive('campaign', values.campaign, 5000);
  const ratePerSecond = positive('rate', values.rate, 50);
  const report = await runCampaignSoak({
    recipients,
    ratePerSecond,
    seed: positive('seed', values.seed, 1),
    progress: (line) => console.log(`[soak] ${line}`),
  });
  console.log(formatCampaignReport(report));
  if (values.json) {
    await writeReport(
      values.json,
      report,
      `npm run soak -- --campaign ${recipients} --rate ${ratePerSecond}`,
      startedAt,
    );
  }
  process.exit(report.violations.length === 0 ? 0 : 1);
}

const messages = positive('messages', values.messages, 200);
const report = await runSoak({
  messages,
  seed: positive('seed', values.seed, 1),
  concurrency: positive('concurrency', values.concurrency, 16),
  progress: (line) => console.log(`[soak] ${line}`),
});
console.log(formatReport(report));
if (values.json) await writeReport(values.json, report, `npm run soak -- --messages ${messages}`, startedAt);
process.exitCode = report.violations.length === 0 ? 0 : 1;
