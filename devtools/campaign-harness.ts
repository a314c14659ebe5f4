/**
 * The campaigns function on its own, for the campaign benchmarks and the campaign soak: the gcloud emulators, a
 * fake RBM, a fake Cloud Tasks with the campaigns queue, and the built `dist/campaigns` served by
 * functions-framework with the local stack's configuration. It can crash the function (SIGKILL) and start it
 * again on the same port, as a deployment loses an instance.
 */
import type { Firestore } from '@google-cloud/firestore';
import { startEmulators, type RunningEmulators } from './emulators.js';
import { emulatorFirestore, emulatorPubSub } from './emulator-clients.js';
import { startFunction, type FunctionServer } from './function-server.js';
import { campaignsSettings, localCampaignsQueue } from './local-stack.js';
import { freePort } from './ports.js';
import {
  startFakeCloudTasks,
  type FakeCloudTasks,
  type QueueSettings,
} from '../sandbox/fake-cloud-tasks/index.js';
import { startFakeRbm, type FakeRbm, type FakeRbmOptions } from '../sandbox/fake-rbm/index.js';

const EVENT_TOPICS = ['rbm-message-status', 'rbm-fallback'];

export interface CampaignHarnessOptions {
  readonly projectId: string;
  readonly agentId: string;
  readonly queue?: QueueSettings;
  readonly rbm?: FakeRbmOptions;
  /** Extra environment of the function (retry budgets, consent mode). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface CampaignHarness {
  readonly emulators: RunningEmulators;
  readonly rbm: FakeRbm;
  readonly cloudTasks: FakeCloudTasks;
  /** The function as it runs now (a restart replaces it). */
  campaigns(): FunctionServer;
  readonly url: string;
  readonly queue: string;
  readonly db: Firestore;
  /** SIGKILL of the function's process group, then a start on the same port: a crash, not a shutdown. */
  crashAndRestart(): Promise<void>;
  /** Every line the function printed, across restarts. */
  logs(): string[];
  stop(): Promise<void>;
}

export async function startCampaignHarness(options: CampaignHarnessOptions): Promise<CampaignHarness> {
  const emulators = await startEmulators({ projectId: options.projectId });
  const stops: Array<() => Promise<unknown>> = [() => emulators.stop()];
  const stop = async (): Promise<void> => {
    for (const step of stops.reverse()) await step().catch(() => undefined);
  };
  try {
    // The send path publishes status events and fallback decisions: their topics exist, as deployed.
    const pubsub = emulatorPubSub(options.projectId, emulators.pubsubHost);
    await Promise.all(EVENT_TOPICS.map((topic) => pubsub.createTopic(topic)));
    await pubsub.close();
    const rbm = await startFakeRbm({ agentId: options.agentId, ...options.rbm });
    stops.push(() => rbm.close());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const queue = localCampaignsQueue(options.projectId);
    // A few instances' worth of requests at once (a deployment has 8 per instance), not the fake's 1,000: one
    // local process given a thousand sends at once only answers them all late. The queue's initial settings,
    // so a reset between measurements keeps them.
    const cloudTasks = await startFakeCloudTasks({
      queues: { [queue]: { maxConcurrentDispatches: 32, ...options.queue } },
    });
    stops.push(() => cloudTasks.stop());
    const settings = campaignsSettings(options.projectId, cloudTasks.url, url);
    const env = {
      GOOGLE_CLOUD_PROJECT: options.projectId,
      FIRESTORE_EMULATOR_HOST: emulators.firestoreHost,
      PUBSUB_EMULATOR_HOST: emulators.pubsubHost,
      RBM_AGENT_ID: options.agentId,
      RBM_API_ENDPOINT: rbm.url,
      RBM_AUTH: 'none',
      CLOUD_TASKS_QUEUE: settings.queue,
      CLOUD_TASKS_ENDPOINT: cloudTasks.url,
      CLOUD_TASKS_AUTH: 'none',
      CAMPAIGNS_DISPATCH_URL: url,
      CAMPAIGNS_TASKS_SERVICE_ACCOUNT: settings.tasksServiceAccount,
      // The heap of a 256 MiB instance: V8 sizes it from the container's memory, not from this machine's.
      NODE_OPTIONS: '--max-old-space-size=128',
      ...options.env,
    };
    const earlierLines: string[] = [];
    let server = await startFunction({ name: 'campaigns', port, env });
    stops.push(() => server.stop());
    // A first request opens the function's Firestore connection, which a cold emulator makes slow.
    await fetch(`${url}/v1/campaigns/warm-up`);
    const db = emulatorFirestore(options.projectId, emulators.firestoreHost);
    stops.push(() => db.terminate());
    return {
      emulators,
      rbm,
      cloudTasks,
      campaigns: () => server,
      url,
      queue: settings.queue,
      db,
      crashAndRestart: async () => {
        earlierLines.push(...server.logs());
        if (server.pid !== undefined) process.kill(-server.pid, 'SIGKILL');
        await server.stop();
        server = await startFunction({ name: 'campaigns', port, env });
      },
      logs: () => [...earlierLines, ...server.logs()],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `count` distinct E.164 numbers in the fiction range +1 555 0xx xxxx, from `first`. */
export function benchPhones(count: number, first = 0): string[] {
  return Array.from({ length: count }, (_, i) => `+1555${String(first + i).padStart(7, '0')}`);
}
