/**
 * Checks of the campaigns queue and of how campaigns learns its own URL (docs/campaigns.md#terraform). Pure
 * functions of the parsed configuration, returning the problems found.
 */
import { nestedBlock, resourcesOf, stringOf } from './load.js';
import type { TerraformConfig } from './load.js';
import { allInstancesOf, resolveEach } from './model.js';

/** Cloud Run's deterministic URL of the campaigns service, known before the function exists. */
export const CAMPAIGNS_URL =
  'https://${var.name_prefix}rbm-campaigns-${data.google_project.this.number}.${var.region}.run.app';

/** Every queue setting that comes from a variable. */
const QUEUE_SETTINGS: Record<string, readonly string[]> = {
  rate_limits: ['max_dispatches_per_second', 'max_concurrent_dispatches'],
  retry_config: ['max_attempts', 'min_backoff', 'max_backoff', 'max_doublings', 'max_retry_duration'],
};

export function checkCampaignsQueue(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const queues = resourcesOf(config, 'google_cloud_tasks_queue');
  const queue = queues.find(([name]) => name === 'campaigns')?.[1];
  if (queues.length !== 1 || queue === undefined) {
    return [
      `one google_cloud_tasks_queue "campaigns" is required, found ${queues.map(([n]) => n).join(', ')}`,
    ];
  }
  if (queue.name !== '${var.name_prefix}rbm-campaigns') {
    problems.push(
      `the queue must be named "\${var.name_prefix}rbm-campaigns", is ${JSON.stringify(queue.name)}`,
    );
  }
  if (queue.location !== '${var.region}')
    problems.push('the queue must be in var.region, with the functions');
  for (const [block, settings] of Object.entries(QUEUE_SETTINGS)) {
    const body = nestedBlock(queue, block);
    for (const setting of settings) {
      if (!/^\$\{var\.\w+\}$/.test(stringOf(body?.[setting]) ?? '')) {
        problems.push(
          `queue ${block}.${setting} must come from a variable, is ${JSON.stringify(body?.[setting])}`,
        );
      }
    }
  }
  if (config.locals.campaigns_url !== CAMPAIGNS_URL) {
    problems.push(
      `local.campaigns_url must be the deterministic URL ${CAMPAIGNS_URL}, is ${JSON.stringify(config.locals.campaigns_url)}`,
    );
  }
  const campaigns = allInstancesOf(config, 'google_cloudfunctions2_function').find(
    (fn) => fn.key === 'campaigns',
  );
  const serviceName = campaigns && stringOf(resolveEach(campaigns, campaigns.body.name));
  if (serviceName !== '${var.name_prefix}rbm-campaigns') {
    problems.push(
      `the campaigns function must be named like its URL's service, is ${JSON.stringify(serviceName)}`,
    );
  }
  return problems;
}
