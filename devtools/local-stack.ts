/**
 * The whole product on one machine: the gcloud emulators (started here, or ones already running), the
 * Pub/Sub topics and subscriptions of terraform/pubsub.tf, every built function served by
 * functions-framework with its real configuration, the RBM sandbox wired to the webhook, and a timer that
 * calls reconcile as Cloud Scheduler would.
 * Used by `npm start`, the demo, the benchmarks and the integration tests.
 */
import { attachSandboxPage, type SandboxPage } from '../sandbox/app/index.js';
import { startFakeRbm, type FakeRbm, type FakeRbmOptions } from '../sandbox/fake-rbm/index.js';
import {
  startFakeCloudTasks,
  type FakeCloudTasks,
  type FakeCloudTasksOptions,
  type QueueSettings,
} from '../sandbox/fake-cloud-tasks/index.js';
import { startEmulators } from './emulators.js';
import { startFunction, type FunctionServer } from './function-server.js';
import { startLocalGateway, type LocalGateway } from './local-gateway.js';
import { freePort } from './ports.js';
import type { OutputStream } from './processes.js';
import { provisionPubSub } from './provision-pubsub.js';
import { startReconcileTimer, type ReconcileTimer } from './reconcile-timer.js';
import { loadPubSubTopology, type SubscriptionTopology } from './topology.js';
import { FUNCTION_NAMES, FUNCTION_SPECS, type FunctionName } from '../functions/catalog.js';
import { emulatorFirestore, emulatorPubSub } from './emulator-clients.js';

export { FUNCTION_NAMES };

export interface EmulatorHosts {
  pubsubHost: string;
  firestoreHost: string;
}

export interface LocalStackOptions {
  projectId?: string;
  /** Use these running emulators instead of starting new ones (they are then not stopped either). */
  emulators?: EmulatorHosts;
  agentId?: string;
  clientToken?: string;
  ports?: Partial<Record<FunctionName | 'rbm' | 'gateway', number>>;
  /** The local gateway's API key; default a new random one. */
  gatewayApiKey?: string;
  rbm?: FakeRbmOptions;
  /** Extra environment per function, over the defaults. */
  env?: Partial<Record<FunctionName, Record<string, string>>>;
  onLine?: (source: string, line: string, stream: OutputStream) => void;
  /**
   * Terraform's `name_prefix` for every topic and subscription (ends with "-"). Stacks that share emulators
   * use distinct prefixes, so messages still in flight for one stack never reach another.
   */
  topicPrefix?: string;
  /**
   * How often the stack POSTs to reconcile, as Cloud Scheduler does for a deployment (default 30 s); `false`
   * turns it off, for tests that drive reconcile themselves.
   */
  reconcileIntervalMs?: number | false;
  /** Options of the fake Cloud Tasks that campaigns enqueue on (its queue's settings under `queues`). */
  cloudTasks?: FakeCloudTasksOptions;
}

export interface StackTopics {
  inbound: string;
  userMessages: string;
  messageStatus: string;
  fallback: string;
  consentChanges: string;
}

/** The stack's topic names: Terraform's, behind the stack's prefix. */
export function stackTopics(prefix: string): StackTopics {
  return {
    inbound: `${prefix}rbm-inbound`,
    userMessages: `${prefix}rbm-user-messages`,
    messageStatus: `${prefix}rbm-message-status`,
    fallback: `${prefix}rbm-fallback`,
    consentChanges: `${prefix}rbm-consent-changes`,
  };
}

export interface LocalStack {
  projectId: string;
  agentId: string;
  clientToken: string;
  emulators: EmulatorHosts;
  rbm: FakeRbm;
  /** The sandbox web page and its API on the fake RBM's port. */
  sandbox: SandboxPage;
  functions: Record<FunctionName, FunctionServer>;
  /** Every gateway route of docs/openapi.yaml on one port, behind an API key (docs/gateway.md). */
  gateway: LocalGateway;
  topics: StackTopics;
  /** The environment that points client libraries and tools at this stack. */
  clientEnv: Record<string, string>;
  /** Every log line the functions printed. */
  logs(): string[];
  /** The timer that calls reconcile; undefined when `reconcileIntervalMs` is false. */
  reconcileTimer: ReconcileTimer | undefined;
  /** The fake Cloud Tasks the campaigns function enqueues on, and the full name of its queue. */
  cloudTasks: FakeCloudTasks;
  campaignsQueue: string;
  stop(): Promise<void>;
}

export const LOCAL_DEFAULTS = {
  projectId: 'rbm-local',
  agentId: 'sandbox-agent',
  clientToken: 'sandbox-client-token',
  reconcileIntervalMs: 30_000,
} as const;

function emulatorEnv(projectId: string, hosts: EmulatorHosts): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: projectId,
    GCLOUD_PROJECT: projectId,
    PUBSUB_PROJECT_ID: projectId,
    FIRESTORE_EMULATOR_HOST: hosts.firestoreHost,
    PUBSUB_EMULATOR_HOST: hosts.pubsubHost,
  };
}

export interface StackSettings {
  agentId: string;
  clientToken: string;
  rbmUrl: string;
  topics: StackTopics;
  /** Where campaigns enqueue and where their tasks come back (see campaignsSettings). */
  campaigns?: CampaignsSettings;
}

export interface CampaignsSettings {
  /** The fake Cloud Tasks' base URL. */
  cloudTasksUrl: string;
  /** Full queue name `projects/P/locations/local/queues/rbm-campaigns`. */
  queue: string;
  /** The campaigns function's own URL. */
  dispatchUrl: string;
  tasksServiceAccount: string;
}

/** The campaigns queue of a local stack: Terraform's queue name, in the location `local`. */
export function localCampaignsQueue(projectId: string): string {
  return `projects/${projectId}/locations/local/queues/rbm-campaigns`;
}

/**
 * The local queue retries like a deployment's, sooner: a recipient whose send failed for a while (RBM 503s)
 * is tried again within about a minute. It sends a few instances' worth of requests at once (a deployment
 * serves 8 per instance), not the fake's 1,000 that one local process would only answer late.
 */
export const LOCAL_CAMPAIGNS_QUEUE: QueueSettings = {
  maxAttempts: 20,
  minBackoffMs: 200,
  maxBackoffMs: 5_000,
  maxConcurrentDispatches: 32,
};

export function campaignsSettings(
  projectId: string,
  cloudTasksUrl: string,
  dispatchUrl: string,
): CampaignsSettings {
  return {
    cloudTasksUrl,
    queue: localCampaignsQueue(projectId),
    dispatchUrl,
    tasksServiceAccount: `rbm-task-invoker@${projectId}.iam.gserviceaccount.com`,
  };
}

/** The value the local stack gives each variable a function may declare; unset ones keep their defaults. */
export function localValue(variable: string, settings: StackSettings): string | undefined {
  switch (variable) {
    case 'RBM_AGENT_ID':
      return settings.agentId;
    case 'RBM_API_ENDPOINT':
      return settings.rbmUrl;
    case 'RBM_AUTH':
      return 'none';
    case 'RBM_WEBHOOK_CLIENT_TOKEN':
      return settings.clientToken;
    case 'RBM_INBOUND_TOPIC':
      return settings.topics.inbound;
    case 'RBM_USER_MESSAGES_TOPIC':
      return settings.topics.userMessages;
    case 'RBM_STATUS_TOPIC':
      return settings.topics.messageStatus;
    case 'RBM_FALLBACK_TOPIC':
      return settings.topics.fallback;
    case 'RBM_CONSENT_TOPIC':
      return settings.topics.consentChanges;
    case 'CLOUD_TASKS_QUEUE':
      return settings.campaigns?.queue;
    case 'CLOUD_TASKS_ENDPOINT':
      return settings.campaigns?.cloudTasksUrl;
    case 'CLOUD_TASKS_AUTH':
      return settings.campaigns && 'none';
    case 'CAMPAIGNS_DISPATCH_URL':
      return settings.campaigns?.dispatchUrl;
    case 'CAMPAIGNS_TASKS_SERVICE_ACCOUNT':
      return settings.campaigns?.tasksServiceAccount;
    default:
      return undefined;
  }
}

/** The environment each function gets: the emulators, plus a local value for every variable its spec declares. */
export function functionEnv(
  name: FunctionName,
  base: Record<string, string>,
  settings: StackSettings,
): Record<string, string> {
  const spec = FUNCTION_SPECS.find((candidate) => candidate.name === name);
  const env: Record<string, string> = { ...base };
  for (const variable of spec?.env ?? []) {
    const value = localValue(variable, settings);
    if (value !== undefined) env[variable] = value;
  }
  return env;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const projectId = options.projectId ?? LOCAL_DEFAULTS.projectId;
  const agentId = options.agentId ?? LOCAL_DEFAULTS.agentId;
  const clientToken = options.clientToken ?? LOCAL_DEFAULTS.clientToken;
  const prefix = options.topicPrefix ?? '';
  const topics = stackTopics(prefix);
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    let hosts = options.emulators;
    if (!hosts) {
      const started = await startEmulators({ projectId });
      cleanups.push(() => started.stop());
      hosts = { pubsubHost: started.pubsubHost, firestoreHost: started.firestoreHost };
    }
    const base = emulatorEnv(projectId, hosts);
    const rbm = await startFakeRbm({
      agentId,
      ...(options.ports?.rbm ? { port: options.ports.rbm } : {}),
      ...options.rbm,
    });
    cleanups.push(() => rbm.close());
    // campaigns is told its own URL (where its tasks POST), so its port is chosen before it starts.
    const ports = { ...options.ports, campaigns: options.ports?.campaigns ?? (await freePort()) };
    const campaignsUrl = `http://127.0.0.1:${ports.campaigns}`;
    const sandbox = attachSandboxPage(rbm, {
      agentId,
      campaignsUrl,
      firestore: () => emulatorFirestore(projectId, hosts.firestoreHost),
      ...(options.rbm?.autoEvents ? { defaultAutoEvents: options.rbm.autoEvents } : {}),
    });
    cleanups.push(() => sandbox.close());
    const campaignsQueue = localCampaignsQueue(projectId);
    const cloudTasks = await startFakeCloudTasks({
      ...options.cloudTasks,
      queues: { [campaignsQueue]: LOCAL_CAMPAIGNS_QUEUE, ...options.cloudTasks?.queues },
    });
    cleanups.push(() => cloudTasks.stop());
    const settings: StackSettings = {
      agentId,
      clientToken,
      rbmUrl: rbm.url,
      topics,
      campaigns: campaignsSettings(projectId, cloudTasks.url, campaignsUrl),
    };

    const servers = await Promise.all(
      FUNCTION_NAMES.map((name) =>
        startFunction({
          name,
          ...(ports[name] ? { port: ports[name] } : {}),
          env: {
            ...functionEnv(name, base, settings),
            ...options.env?.[name],
          },
          ...(options.onLine
            ? { onLine: (line: string, stream: OutputStream) => options.onLine?.(name, line, stream) }
            : {}),
        }),
      ),
    );
    const functions = Object.fromEntries(FUNCTION_NAMES.map((name, i) => [name, servers[i]!])) as Record<
      FunctionName,
      FunctionServer
    >;
    cleanups.push(() => Promise.all(servers.map((server) => server.stop())));
    const gateway = await startLocalGateway({
      backends: Object.fromEntries(FUNCTION_NAMES.map((name) => [name, functions[name].url])),
      ...(options.ports?.gateway ? { port: options.ports.gateway } : {}),
      ...(options.gatewayApiKey ? { apiKey: options.gatewayApiKey } : {}),
    });
    cleanups.push(() => gateway.close());

    const pubsub = emulatorPubSub(projectId, hosts.pubsubHost);
    cleanups.push(() => pubsub.close());
    // The path names the subscription's topic, as Terraform's push endpoints do (terraform/pubsub.tf).
    const pushEndpointFor = (subscription: SubscriptionTopology) =>
      `${functions[subscription.push!.functionName].url}/projects/${projectId}/topics/${subscription.topic}`;
    const topology = await loadPubSubTopology(undefined, prefix);
    await provisionPubSub(pubsub, topology, pushEndpointFor);
    // Emulators can outlive a stack: aim existing push subscriptions at this stack's functions, and stop
    // the pushes when it stops, so redeliveries never reach whatever listens on these ports next.
    const pushSubscriptions = topology.subscriptions.flatMap((subscription) =>
      subscription.push ? [{ name: subscription.name, endpoint: pushEndpointFor(subscription) }] : [],
    );
    for (const { name, endpoint } of pushSubscriptions) {
      await pubsub.subscription(name).modifyPushConfig({ pushEndpoint: endpoint });
    }
    cleanups.push(() =>
      Promise.all(pushSubscriptions.map(({ name }) => pubsub.subscription(name).modifyPushConfig({}))),
    );
    rbm.configureWebhook({ url: functions.webhook.url, clientToken });
    const reconcileIntervalMs = options.reconcileIntervalMs ?? LOCAL_DEFAULTS.reconcileIntervalMs;
    const reconcileTimer =
      reconcileIntervalMs === false
        ? undefined
        : startReconcileTimer({
            url: functions.reconcile.url,
            intervalMs: reconcileIntervalMs,
            onFailure: (reason) => options.onLine?.('reconcile-timer', reason, 'stderr'),
          });
    // Pushed last, so it stops first: no pass reaches a function that is shutting down.
    if (reconcileTimer) cleanups.push(() => reconcileTimer.stop());

    return {
      projectId,
      agentId,
      clientToken,
      emulators: hosts,
      rbm,
      sandbox,
      functions,
      gateway,
      topics,
      clientEnv: {
        ...base,
        RBM_API_URL: gateway.url,
        RBM_API_KEY: gateway.apiKey,
        RBM_SEND_URL: functions.send.url,
        RBM_REVOKE_URL: functions.revoke.url,
        RBM_WEBHOOK_URL: functions.webhook.url,
        RBM_MESSAGES_URL: functions.messages.url,
        RBM_EVENTS_URL: functions.events.url,
        RBM_CAPABILITIES_URL: functions.capabilities.url,
        RBM_FILES_URL: functions.files.url,
        RBM_SANDBOX_URL: rbm.url,
        RBM_CAMPAIGNS_URL: functions.campaigns.url,
        // The business topics, for tools that tail them (their names carry the stack's prefix).
        RBM_USER_MESSAGES_TOPIC: topics.userMessages,
        RBM_STATUS_TOPIC: topics.messageStatus,
        RBM_FALLBACK_TOPIC: topics.fallback,
        RBM_CONSENT_TOPIC: topics.consentChanges,
      },
      logs: () => servers.flatMap((server) => server.logs()),
      reconcileTimer,
      cloudTasks,
      campaignsQueue,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
