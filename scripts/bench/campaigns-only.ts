/**
 * `npm run bench -- --only campaigns [--quick] [--recipients N]`: the campaign figures alone (campaigns.ts); they
 * replace those of docs/benchmarks/bench.json, marked with when and how they were measured, and BENCHMARKS.md is
 * re-rendered.
 */
import { campaignsSection, measureCampaigns, type CampaignBenchOptions } from './campaigns.js';
import { functionsNodeVersion } from './send-concurrency.js';
import { updateStoredResults } from './stored-results.js';

/** `--only campaigns`: measures, prints the section, and stores it (every other figure kept as stored). */
export async function runCampaignsOnly(options: CampaignBenchOptions): Promise<void> {
  const date = new Date().toISOString();
  const campaigns = await measureCampaigns(options);
  const flags = [
    options.quick ? ' --quick' : '',
    options.recipients === undefined ? '' : ` --recipients ${options.recipients}`,
  ].join('');
  const run = {
    date,
    command: `npm run bench -- --only campaigns${flags}`,
    functionsNode: functionsNodeVersion(),
  };
  console.log(campaignsSection(campaigns, run));
  await updateStoredResults({ campaigns, campaignsRun: run });
  options.log('updated the campaign figures of docs/benchmarks/bench.json and re-rendered BENCHMARKS.md');
}
