/**
 * The whole product on the emulators: the fake RBM wired to the built webhook, Pub/Sub topics and
 * subscriptions created from Terraform with the push subscription aimed at the built inbound function,
 * and the built send and revoke functions. Taps record what reaches rbm-inbound and rbm-user-messages.
 */
import { startFunction, type FunctionServer } from '../../scripts/lib/function-server.js';
import { provisionPubSub } from '../../scripts/lib/provision-pubsub.js';
import { loadPubSubTopology, type FunctionName } from '../../scripts/lib/topology.js';
import { startFakeRbm, type FakeRbm, type FakeRbmOptions } from '../fake-rbm/index.js';
import { emulatorContext, emulatorEnv } from './emulator-context.js';
import { outboundEnv, TEST_AGENT_ID } from './outbound-stack.js';
import { pubsubAdmin } from './pubsub-admin.js';
import { tapTopic, type TopicTap } from './topic-tap.js';

export const CLIENT_TOKEN = 'test-client-token-0123456789';
export const INBOUND_TOPIC = 'rbm-inbound';
export const USER_MESSAGES_TOPIC = 'rbm-user-messages';

export interface FullStack {
  rbm: FakeRbm;
  send: FunctionServer;
  revoke: FunctionServer;
  webhook: FunctionServer;
  inbound: FunctionServer;
  /** What reached rbm-inbound / rbm-user-messages since the stack started (or the last clear). */
  inboundTap: TopicTap;
  userMessagesTap: TopicTap;
  pushPath: string;
  logs(): string[];
  stop(): Promise<void>;
}

export function inboundEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...emulatorEnv(),
    RBM_AGENT_ID: TEST_AGENT_ID,
    RBM_USER_MESSAGES_TOPIC: USER_MESSAGES_TOPIC,
    INBOUND_DEADLINE_MS: '5000',
    INBOUND_PUBLISH_LEASE_MS: '3000',
    ...overrides,
  };
}

export async function startFullStack(options: FakeRbmOptions = {}): Promise<FullStack> {
  const { projectId } = emulatorContext();
  const pubsub = pubsubAdmin();
  const rbm = await startFakeRbm({ agentId: TEST_AGENT_ID, ...options });
  const [send, revoke, webhook, inbound] = await Promise.all([
    startFunction({ name: 'send', env: outboundEnv(rbm.url) }),
    startFunction({ name: 'revoke', env: outboundEnv(rbm.url) }),
    startFunction({
      name: 'webhook',
      env: { ...emulatorEnv(), RBM_WEBHOOK_CLIENT_TOKEN: CLIENT_TOKEN, RBM_INBOUND_TOPIC: INBOUND_TOPIC },
    }),
    startFunction({ name: 'inbound', env: inboundEnv() }),
  ]);
  const servers: Record<FunctionName, FunctionServer> = { send, revoke, webhook, inbound };
  const pushPath = `/projects/${projectId}/topics/${INBOUND_TOPIC}`;
  const pushEndpointFor = (name: FunctionName) => `${servers[name].url}${pushPath}`;

  const topology = await loadPubSubTopology();
  await provisionPubSub(pubsub, topology, pushEndpointFor);
  // The emulator outlives one stack: aim existing push subscriptions at this stack's functions.
  for (const subscription of topology.subscriptions) {
    if (subscription.push) {
      await pubsub
        .subscription(subscription.name)
        .modifyPushConfig({ pushEndpoint: pushEndpointFor(subscription.push.functionName) });
    }
  }
  const [inboundTap, userMessagesTap] = await Promise.all([
    tapTopic(pubsub, INBOUND_TOPIC),
    tapTopic(pubsub, USER_MESSAGES_TOPIC),
  ]);
  rbm.configureWebhook({ url: webhook.url, clientToken: CLIENT_TOKEN });
  return {
    rbm,
    send,
    revoke,
    webhook,
    inbound,
    inboundTap,
    userMessagesTap,
    pushPath,
    logs: () => [send, revoke, webhook, inbound].flatMap((server) => server.logs()),
    stop: async () => {
      await Promise.all([inboundTap.close(), userMessagesTap.close()]);
      await Promise.all([send.stop(), revoke.stop(), webhook.stop(), inbound.stop()]);
      await rbm.close();
      await pubsub.close();
    },
  };
}
