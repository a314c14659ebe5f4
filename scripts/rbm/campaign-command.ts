/**
 * `rbm campaign create|show|cancel`: start a campaign from a CSV of phone numbers and an AgentMessage, and
 * follow it with a progress bar until it completes or is cancelled (docs/campaigns.md).
 */
import { readFile } from 'node:fs/promises';
import { isFinished, progressLine } from '../../devtools/clients/campaign-progress.js';
import {
  cancelCampaign,
  createCampaign,
  getCampaign,
  type CampaignView,
} from '../../devtools/clients/campaigns-client.js';
import type { FunctionAnswer } from '../../devtools/clients/functions-client.js';
import { stackEnv } from '../../devtools/clients/stack-env.js';
import { agentMessageFrom, printAnswer, UsageError, type ParsedArgs } from './cli.js';

export const CAMPAIGN_USAGE = `  campaign create --recipients F.csv   send one message to every phone of a CSV (first column),
       (--json FILE | --text T)        paced, and follow it with a progress bar until done
       [--rate N] [--id ID] [--start RFC3339] [--fallback-policy none|safe|critical]
  campaign show <campaignId>           the campaign and its counts, with a progress bar until done
  campaign cancel <campaignId>         stop the sends not made yet (already sent ones stay)`;

const POLL_INTERVAL_MS = 1_000;

export async function campaign(args: ParsedArgs): Promise<number> {
  const action = args.positional[1];
  const url = stackEnv(['RBM_CAMPAIGNS_URL']).RBM_CAMPAIGNS_URL;
  switch (action) {
    case 'create':
      return create(url, args);
    case 'show':
      return follow(url, requiredId(args));
    case 'cancel': {
      const answer = await cancelCampaign(url, requiredId(args));
      if (answer.status !== 200) return failed(answer);
      console.log(progressLine(answer.json as CampaignView));
      return 0;
    }
    default:
      throw new UsageError('campaign needs create, show or cancel');
  }
}

function requiredId(args: ParsedArgs): string {
  const id = args.positional[2];
  if (id === undefined) throw new UsageError(`campaign ${args.positional[1] ?? ''} needs a campaign id`);
  return id;
}

async function create(url: string, args: ParsedArgs): Promise<number> {
  const file = args.flags.get('recipients');
  if (file === undefined) throw new UsageError('campaign create needs --recipients <file.csv>');
  const recipients = recipientsFromCsv(await readFile(file, 'utf8'));
  if (recipients.length === 0) throw new UsageError(`${file} lists no phone numbers`);
  const rate = args.flags.get('rate');
  const body = {
    agentMessage: await agentMessageOf(args),
    recipients,
    ...optional('campaignId', args.flags.get('id')),
    ...optional('ratePerSecond', rate === undefined ? undefined : rateOf(rate)),
    ...optional('startTime', args.flags.get('start')),
    ...optional('fallbackPolicy', args.flags.get('fallback-policy')),
  };
  const answer = await createCampaign(url, body);
  if (answer.status !== 202 && answer.status !== 200) return failed(answer);
  const view = answer.json as CampaignView;
  console.log(
    `${answer.status === 202 ? 'Campaign accepted' : 'Campaign already accepted (same request)'}: ${view.campaignId}, ` +
      `${view.recipientCount.toLocaleString('en')} recipients at ${view.ratePerSecond}/s from ${view.startTime}`,
  );
  return follow(url, view.campaignId);
}

/** Polls the campaign and redraws its progress line until it is COMPLETED or CANCELLED (Ctrl-C stops watching). */
async function follow(url: string, campaignId: string): Promise<number> {
  let stopped = false;
  const stop = (): void => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  const interactive = process.stdout.isTTY;
  let last = '';
  try {
    for (;;) {
      const answer = await getCampaign(url, campaignId);
      if (answer.status !== 200) return failed(answer);
      const view = answer.json as CampaignView;
      const line = progressLine(view, interactive ? Math.min(40, (process.stdout.columns || 100) - 80) : 24);
      if (interactive) process.stdout.write(`\r\x1b[2K${line}`);
      else if (line !== last) console.log(line);
      last = line;
      if (isFinished(view)) break;
      if (stopped) {
        if (interactive) process.stdout.write('\n');
        console.log(
          `Stopped watching; the campaign goes on. Follow it with: npm run rbm -- campaign show ${campaignId}`,
        );
        return 0;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    if (interactive) process.stdout.write('\n');
    return 0;
  } finally {
    process.off('SIGINT', stop);
  }
}

/** The first column of each line; blank lines, `#` comments and a header without digits are skipped. */
export function recipientsFromCsv(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => (line.split(/[,;\t]/)[0] ?? '').trim().replace(/^"(.*)"$/, '$1'))
    .filter((cell) => cell !== '' && !cell.startsWith('#') && /\d/.test(cell));
}

async function agentMessageOf(args: ParsedArgs): Promise<unknown> {
  const text = args.flags.get('text');
  const json = args.flags.get('json');
  if (text !== undefined) return { contentMessage: { text } };
  if (json === undefined)
    throw new UsageError('campaign create needs --json <message.json> or --text <text>');
  return agentMessageFrom(json);
}

function rateOf(value: string): number {
  const rate = Number(value);
  if (!Number.isFinite(rate) || rate <= 0)
    throw new UsageError('--rate must be a number of recipients per second');
  return rate;
}

function optional<K extends string>(key: K, value: unknown): Partial<Record<K, unknown>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, unknown>);
}

function failed(answer: FunctionAnswer): number {
  printAnswer(answer);
  return 1;
}
