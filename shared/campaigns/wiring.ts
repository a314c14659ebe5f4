/** The campaigns function's dependencies, built once per instance from the platform. */
import type { SendDeps } from '../outbound/send-message.js';
import { sendPath } from '../outbound/send-wiring.js';
import { lazy, loadConfig, type Platform } from '../runtime/platform.js';
import { CampaignStore } from '../store/campaigns.js';
import { firestore } from '../store/firestore.js';
import { storageDeadlineMs, withStorageDeadline } from '../store/storage-deadline.js';
import { CloudTasksClient } from '../tasks/client.js';
import { loadCampaignsConfig } from './config.js';
import { CampaignContentCache } from './dispatch-recipient.js';
import { CampaignTasks } from './tasks.js';

export interface CampaignsDeps {
  store: CampaignStore;
  tasks: CampaignTasks;
  content: CampaignContentCache;
  send: SendDeps;
  logger: Platform['logger'];
}

export function campaignsPath(platform: Platform): () => CampaignsDeps {
  const config = loadConfig(platform, (env) => ({
    ...loadCampaignsConfig(env),
    storageDeadlineMs: storageDeadlineMs(env),
  }));
  const send = sendPath(platform);
  const content = new CampaignContentCache();
  return lazy(() => ({
    // A hung Firestore answers 503 within the function's budget (the queue retries), not after minutes.
    store: withStorageDeadline(
      new CampaignStore(firestore(platform.projectId)),
      config.storageDeadlineMs,
      'campaigns',
    ),
    tasks: new CampaignTasks(new CloudTasksClient(config.tasks, { logger: platform.logger }), {
      dispatchUrl: config.dispatchUrl,
      serviceAccountEmail: config.tasksServiceAccount,
    }),
    content,
    send: send(),
    logger: platform.logger,
  }));
}
