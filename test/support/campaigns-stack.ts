/**
 * The built campaigns function with a fake RBM and a fake Cloud Tasks, on the test emulators, plus a tap on its
 * status topic. Short retry budgets keep failure tests quick; the behaviour is the production one.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { campaignsSettings } from '../../devtools/local-stack.js';
import { freePort } from '../../devtools/ports.js';
import {
  startFakeCloudTasks,
  type FakeCloudTasks,
  type QueueSettings,
} from '../../sandbox/fake-cloud-tasks/index.js';
import { startFakeRbm, type FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { emulatorContext, uniqueTopicPrefix } from './emulator-context.js';
import { clearFirestore } from './firestore-admin.js';
import { outboundEnv } from './outbound-stack.js';
import { pubsubAdmin } from './pubsub-admin.js';
import { tapTopic, type TopicTap } from './topic-tap.js';

/** Retries come quickly and never run out during a test. */
export const TEST_CAMPAIGNS_QUEUE: QueueSettings = { maxAttempts: -1, minBackoffMs: 50, maxBackoffMs: 500 };

export interface CampaignsStack {
  rbm: FakeRbm;
  cloudTasks: FakeCloudTasks;
  campaigns: FunctionServer;
  queue: string;
  /** What campaigns published to its status topic. */
  statusTap: TopicTap;
  /** Kills the function (SIGKILL of its process group) and starts it again on the same port. */
  restart(): Promise<void>;
  logs(): string[];
  stop(): Promise<void>;
}

export async function startCampaignsStack(): Promise<CampaignsStack> {
  const context = emulatorContext();
  const rbm = await startFakeRbm({ agentId: 'test-agent' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const settings = campaignsSettings(context.projectId, '', url);
  const cloudTasks = await startFakeCloudTasks({ queues: { [settings.queue]: TEST_CAMPAIGNS_QUEUE } });
  const statusTopic = `${uniqueTopicPrefix()}rbm-message-status`;
  const pubsub = pubsubAdmin();
  await pubsub.createTopic(statusTopic);
  const statusTap = await tapTopic(pubsub, statusTopic);
  const env = {
    ...outboundEnv(rbm.url),
    RBM_STATUS_TOPIC: statusTopic,
    CLOUD_TASKS_QUEUE: settings.queue,
    CLOUD_TASKS_ENDPOINT: cloudTasks.url,
    CLOUD_TASKS_AUTH: 'none',
    CAMPAIGNS_DISPATCH_URL: url,
    CAMPAIGNS_TASKS_SERVICE_ACCOUNT: settings.tasksServiceAccount,
  };
  const lines: string[] = [];
  let campaigns = await startFunction({ name: 'campaigns', port, env });
  return {
    rbm,
    cloudTasks,
    get campaigns() {
      return campaigns;
    },
    queue: settings.queue,
    statusTap,
    restart: async () => {
      lines.push(...campaigns.logs());
      // A crash, not a shutdown: nothing in flight gets to finish or answer.
      if (campaigns.pid !== undefined) process.kill(-campaigns.pid, 'SIGKILL');
      await campaigns.stop();
      campaigns = await startFunction({ name: 'campaigns', port, env });
    },
    logs: () => [...lines, ...campaigns.logs()],
    stop: async () => {
      await cloudTasks.stop();
      await campaigns.stop();
      await statusTap.close();
      await pubsub.close();
      await rbm.close();
    },
  };
}

/** One stack for a test file: Firestore, the fakes and the tap are reset before each test. */
export function useCampaignsStack(): () => CampaignsStack {
  let stack: CampaignsStack | undefined;
  beforeAll(async () => {
    stack = await startCampaignsStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    stack?.cloudTasks.reset();
    stack?.cloudTasks.configureQueue(stack.queue, TEST_CAMPAIGNS_QUEUE);
    await clearFirestore();
    stack?.rbm.reset();
    stack?.statusTap.clear();
  });
  return () => {
    if (!stack) throw new Error('the campaigns stack is not running');
    return stack;
  };
}
