/**
 * The local stack (devtools/local-stack.ts) on the test run's emulators, with taps that record what
 * reaches rbm-inbound and rbm-user-messages, and short retry budgets so failure tests stay quick.
 */
import type { FunctionServer } from '../../devtools/function-server.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../devtools/local-stack.js';
import type { FakeRbm, FakeRbmOptions } from '../../sandbox/fake-rbm/index.js';
import { emulatorContext, emulatorEnv, uniqueTopicPrefix } from './emulator-context.js';
import { outboundEnv, TEST_AGENT_ID } from './outbound-stack.js';
import { pubsubAdmin } from './pubsub-admin.js';
import { tapTopic, type TopicTap } from './topic-tap.js';

export const CLIENT_TOKEN = 'test-client-token-0123456789';
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
  const context = emulatorContext();
  const retryBudget = outboundEnv('http://127.0.0.1:1');
  const quick = {
    RBM_RETRY_DEADLINE_MS: retryBudget.RBM_RETRY_DEADLINE_MS!,
    RBM_RETRY_INITIAL_BACKOFF_MS: retryBudget.RBM_RETRY_INITIAL_BACKOFF_MS!,
    RBM_RETRY_MAX_BACKOFF_MS: retryBudget.RBM_RETRY_MAX_BACKOFF_MS!,
    RBM_REQUEST_TIMEOUT_MS: retryBudget.RBM_REQUEST_TIMEOUT_MS!,
  };
  const local = await startLocalStack({
    projectId: context.projectId,
    emulators: { pubsubHost: context.pubsubHost, firestoreHost: context.firestoreHost },
    topicPrefix: uniqueTopicPrefix(),
    agentId: TEST_AGENT_ID,
    clientToken: CLIENT_TOKEN,
    rbm: options,
    // These tests count what is published: no background reconcile pass.
    reconcileIntervalMs: false,
    env: {
      send: quick,
      revoke: quick,
      inbound: { INBOUND_DEADLINE_MS: '5000', INBOUND_PUBLISH_LEASE_MS: '3000' },
    },
  });
  const pubsub = pubsubAdmin();
  const [inboundTap, userMessagesTap] = await Promise.all([
    tapTopic(pubsub, local.topics.inbound),
    tapTopic(pubsub, local.topics.userMessages),
  ]);
  return {
    rbm: local.rbm,
    ...local.functions,
    inboundTap,
    userMessagesTap,
    logs: () => local.logs(),
    stop: async () => {
      await Promise.all([inboundTap.close(), userMessagesTap.close()]);
      await pubsub.close();
      await local.stop();
    },
  };
}

/** A local stack on the test run's emulators, with topics of its own (see uniqueTopicPrefix). */
export function startStackOnTestEmulators(
  options: Omit<LocalStackOptions, 'projectId' | 'emulators' | 'topicPrefix'> = {},
): Promise<LocalStack> {
  const context = emulatorContext();
  return startLocalStack({
    ...options,
    projectId: context.projectId,
    emulators: { pubsubHost: context.pubsubHost, firestoreHost: context.firestoreHost },
    topicPrefix: uniqueTopicPrefix(),
  });
}
