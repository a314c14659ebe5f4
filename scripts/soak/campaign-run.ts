/**
 * `npm run soak -- --campaign N [--rate R] [--seed S]`: one campaign of N recipients through the faults a
 * deployment meets (RBM 429 and 503, duplicated dispatches, lost answers, the function killed while it enqueues)
 * on the built campaigns function, then the checks: no phone created at RBM twice, every recipient counted, and
 * never more than 110% of the rate in any 10 s window (docs/campaigns.md).
 */
import { campaignMessageId } from '../../shared/campaigns/ids.js';
import { benchPhones, startCampaignHarness, type CampaignHarness } from '../../devtools/campaign-harness.js';
import { maxWindowRate, repeated } from './campaign-checks.js';
import type { CampaignSoakReport } from './campaign-report.js';
import { pollUntil, seededRandom } from './util.js';

export interface CampaignSoakOptions {
  readonly recipients: number;
  readonly ratePerSecond: number;
  readonly seed: number;
  readonly progress: (line: string) => void;
}

const MESSAGE = { contentMessage: { text: 'Spring sale: 20% off' }, messageTrafficType: 'PROMOTION' };

export async function runCampaignSoak(options: CampaignSoakOptions): Promise<CampaignSoakReport> {
  const { ratePerSecond } = options;
  const harness = await startCampaignHarness({
    projectId: 'rbm-soak-campaigns',
    agentId: 'soak-agent',
    // The queue's own rate is the campaign's: retries share it, so nothing goes out faster than paced. Its
    // concurrency is half a second's worth: sends that stall together (a busy machine, RBM retries inside send)
    // finish together, and so few in flight keeps any 10 s window within 5% of the rate, beside the bucket's burst.
    queue: {
      maxDispatchesPerSecond: ratePerSecond,
      maxConcurrentDispatches: Math.max(1, Math.floor(ratePerSecond / 2)),
      maxAttempts: -1,
      minBackoffMs: 200,
      maxBackoffMs: 2_000,
    },
    // Short send retry budgets, so RBM's 503s reach the queue as 503s and are retried there.
    env: {
      RBM_RETRY_DEADLINE_MS: '1500',
      RBM_RETRY_INITIAL_BACKOFF_MS: '50',
      RBM_RETRY_MAX_BACKOFF_MS: '400',
      RBM_REQUEST_TIMEOUT_MS: '2000',
    },
  });
  try {
    return await soak(harness, options);
  } finally {
    await harness.stop();
  }
}

async function soak(harness: CampaignHarness, options: CampaignSoakOptions): Promise<CampaignSoakReport> {
  const { recipients, ratePerSecond, progress } = options;
  const random = seededRandom(options.seed);
  const started = Date.now();
  const campaignId = `soak-${options.seed}-${started.toString(36)}`;
  const phones = benchPhones(recipients, 3_000_000);
  const faults = {
    duplicateDispatch: Math.max(1, Math.round(recipients * 0.02)),
    lostAnswer: Math.max(1, Math.round(recipients * 0.02)),
    rbm503: 0,
    rbm429: 0,
    crash: 1,
  };
  harness.cloudTasks.injectFault(
    { kind: 'duplicate' },
    { count: faults.duplicateDispatch, queue: harness.queue },
  );
  harness.cloudTasks.injectFault(
    { kind: 'loseResponse' },
    { count: faults.lostAnswer, queue: harness.queue },
  );

  progress(`campaign ${campaignId}: ${recipients} recipients at ${ratePerSecond}/s`);
  const answer = await fetch(`${harness.url}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ campaignId, agentMessage: MESSAGE, recipients: phones, ratePerSecond }),
  });
  if (answer.status !== 202) throw new Error(`create answered ${answer.status}: ${await answer.text()}`);

  // The crash: once some recipient tasks exist, the function is killed and started again.
  const crashAt = Math.min(recipients - 1, Math.max(1, Math.floor(recipients * 0.1)));
  await pollUntil(() => (recipientTasks(harness) >= crashAt ? true : undefined), {
    timeoutMs: 10 * 60_000,
    intervalMs: 20,
    description: `${crashAt} recipient tasks`,
  });
  const tasksAtCrash = recipientTasks(harness);
  await harness.crashAndRestart();
  progress(`killed the function with ${tasksAtCrash} of ${recipients} recipient tasks created; restarted`);

  // RBM faults in waves while the campaign runs: 503s and 429s (with Retry-After), about 5% of the sends.
  const waves = setInterval(() => {
    const count = 1 + Math.floor(random() * Math.max(1, ratePerSecond / 10));
    if (random() < 0.5) {
      harness.rbm.failNext(count, { status: 503 }, { only: 'create' });
      faults.rbm503 += count;
    } else {
      harness.rbm.failNext(count, { status: 429, retryAfterSeconds: 1 }, { only: 'create' });
      faults.rbm429 += count;
    }
  }, 2_000);
  let counts: Record<string, number> = {};
  try {
    await pollUntil(
      async () => {
        const view = (await (await fetch(`${harness.url}/v1/campaigns/${campaignId}`)).json()) as {
          state: string;
          counts: Record<string, number>;
        };
        counts = view.counts;
        const settled = view.state === 'COMPLETED' && view.counts.PENDING === 0;
        return settled && harness.cloudTasks.pending(harness.queue) === 0 ? true : undefined;
      },
      {
        timeoutMs: ((recipients / ratePerSecond) * 4 + 300) * 1000,
        intervalMs: 2_000,
        description: 'the campaign completed and every task finished',
      },
    );
  } finally {
    clearInterval(waves);
  }
  const elapsed = Math.round((Date.now() - started) / 1000);
  progress(`completed in ${elapsed} s`);
  return verify(harness, { campaignId, phones, ratePerSecond, counts, faults, tasksAtCrash, elapsed });
}

function recipientTasks(harness: CampaignHarness): number {
  return harness.cloudTasks.tasks(harness.queue).filter((task) => task.httpRequest.url.endsWith(':dispatch'))
    .length;
}

function verify(
  harness: CampaignHarness,
  run: {
    campaignId: string;
    phones: string[];
    ratePerSecond: number;
    counts: Record<string, number>;
    faults: Record<string, number>;
    tasksAtCrash: number;
    elapsed: number;
  },
): CampaignSoakReport {
  const violations: string[] = [];
  const ids = new Set(run.phones.map((phone) => campaignMessageId(run.campaignId, phone)));
  const creates = harness.rbm.successfulCreates().filter((call) => ids.has(call.messageId ?? ''));
  const twice = repeated(creates.map((call) => call.phone ?? ''));
  if (twice.size > 0) violations.push(`${twice.size} phone(s) created at RBM more than once`);
  const missing = run.phones.length - new Set(creates.map((call) => call.phone)).size;
  if (missing > 0) violations.push(`${missing} recipient(s) never created at RBM`);
  const counted = Object.entries(run.counts)
    .filter(([state]) => state !== 'NOT_DISPATCHED')
    .reduce((sum, [, count]) => sum + count, 0);
  if (counted !== run.phones.length || run.counts.NOT_DISPATCHED !== 0) {
    violations.push(
      `counts ${JSON.stringify(run.counts)} do not account for ${run.phones.length} recipients`,
    );
  }
  if (run.counts.SENT !== run.phones.length) {
    violations.push(
      `${run.phones.length - (run.counts.SENT ?? 0)} recipient(s) not SENT after transient faults`,
    );
  }
  const windowRate = maxWindowRate(
    creates.map((call) => call.at.getTime()),
    10_000,
  );
  const maxWindowPercent = Math.round((windowRate / run.ratePerSecond) * 1000) / 10;
  if (maxWindowPercent > 110) violations.push(`a 10 s window ran at ${maxWindowPercent}% of the rate`);
  if (run.tasksAtCrash >= run.phones.length) violations.push('the crash did not land mid-enqueue');
  const leaked = harness.logs().filter((line) => run.phones.some((phone) => line.includes(phone)));
  if (leaked.length > 0) violations.push(`${leaked.length} log line(s) carry a full phone number`);
  const dispatches = harness.cloudTasks.dispatches().filter((record) => record.url.endsWith(':dispatch'));
  return {
    recipients: run.phones.length,
    ratePerSecond: run.ratePerSecond,
    durationS: run.elapsed,
    faults: run.faults,
    tasksAtCrash: run.tasksAtCrash,
    counts: run.counts,
    rbmCreates: creates.length,
    rbmAttempts: harness.rbm.creates().filter((call) => ids.has(call.messageId ?? '')).length,
    maxWindowPercent,
    dispatchAttempts: dispatches.length,
    violations,
  };
}
