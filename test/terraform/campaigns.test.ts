/** The campaigns queue and the campaigns function's view of itself, on the repository's Terraform and mutations of it. */
import { describe, expect, it } from 'vitest';
import { TASK_DISPATCH_DEADLINE_SECONDS } from '../../shared/campaigns/tasks.js';
import { checkCampaignsQueue } from './campaigns-checks.js';
import { checkFunctions } from './checks.js';
import { checkIam } from './iam-checks.js';
import { freshConfig, loadRepoTerraform, nestedBlock } from './load.js';
import type { TerraformConfig } from './load.js';

function campaignsEnvironment(config: TerraformConfig): Record<string, unknown> {
  const functions = config.locals.functions as Record<string, { environment: Record<string, unknown> }>;
  const campaigns = functions.campaigns;
  if (!campaigns) throw new Error('no campaigns in local.functions');
  return campaigns.environment;
}

describe('terraform: campaigns', () => {
  it('the queue takes its rate and retries from variables, and campaigns knows its URL without a cycle', async () => {
    expect(checkCampaignsQueue(await loadRepoTerraform())).toEqual([]);
  });

  it('wires the queue, its own URL and the task identity into campaigns', async () => {
    const environment = campaignsEnvironment(await loadRepoTerraform());
    expect(environment).toMatchObject({
      CLOUD_TASKS_QUEUE: '${google_cloud_tasks_queue.campaigns.id}',
      CAMPAIGNS_DISPATCH_URL: '${local.campaigns_url}',
      CAMPAIGNS_TASKS_SERVICE_ACCOUNT: '${google_service_account.campaign_tasks.email}',
    });
  });

  it("gives the campaign tasks' dispatch deadline as long as the function may run", async () => {
    // A shorter deadline would start a second attempt beside one still running; a longer one waits on a dead one.
    const functions = (await loadRepoTerraform()).locals.functions as Record<
      string,
      { timeout_seconds: number }
    >;
    expect(functions.campaigns?.timeout_seconds).toBe(TASK_DISPATCH_DEADLINE_SECONDS);
  });

  it('catches a queue rate written as a literal', async () => {
    const config = await freshConfig();
    const rate = nestedBlock(config.resource.google_cloud_tasks_queue?.campaigns, 'rate_limits');
    if (!rate) throw new Error('no rate_limits');
    rate.max_dispatches_per_second = 100;
    expect(checkCampaignsQueue(config)).toEqual([expect.stringContaining('max_dispatches_per_second')]);
  });

  it('catches a URL that is not the deterministic one', async () => {
    const config = await freshConfig();
    config.locals.campaigns_url = 'https://rbm-campaigns.example.com';
    expect(checkCampaignsQueue(config)).toEqual([expect.stringContaining('campaigns_url')]);
  });

  it('catches a missing queue', async () => {
    const config = await freshConfig();
    delete config.resource.google_cloud_tasks_queue;
    expect(checkCampaignsQueue(config)).not.toEqual([]);
  });

  it('catches campaigns pointed at its own service_config URI (a dependency cycle) or another queue', async () => {
    for (const [variable, value] of [
      [
        'CAMPAIGNS_DISPATCH_URL',
        '${google_cloudfunctions2_function.function["campaigns"].service_config[0].uri}',
      ],
      ['CLOUD_TASKS_QUEUE', 'projects/p/locations/l/queues/q'],
    ] as const) {
      const config = await freshConfig();
      campaignsEnvironment(config)[variable] = value;
      expect(checkFunctions(config)).toEqual([expect.stringContaining('function campaigns: environment')]);
    }
  });

  it('catches the task identity invoking another function', async () => {
    const config = await freshConfig();
    const grant = config.resource.google_cloud_run_v2_service_iam_member?.campaign_tasks_invoke_campaigns;
    if (!grant) throw new Error('no campaign_tasks_invoke_campaigns');
    grant.name = '${google_cloudfunctions2_function.function["send"].name}';
    expect(checkIam(config)).toEqual(
      expect.arrayContaining([expect.stringContaining('rbm-task-invoker (serviceAccount:rbm-task-invoker)')]),
    );
  });
});
