/**
 * The local stack on the test emulators for message outcomes: taps on the status, fallback and consent topics,
 * reconcile driven by the test (no background timer) with small grace and timeout values, and extra instances
 * of a function with an environment of their own (fault injection, consent modes, keyword lists).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { functionEnv, type LocalStack } from '../../devtools/local-stack.js';
import type { FunctionName } from '../../functions/catalog.js';
import type { FakeRbmOptions } from '../../sandbox/fake-rbm/index.js';
import type { ReconcileSummary } from '../../shared/reconcile/reconcile.js';
import { emulatorEnv } from './emulator-context.js';
import { timestampsToDates } from '../../shared/store/firestore.js';
import { clearFirestore, firestoreAdmin } from './firestore-admin.js';
import { CLIENT_TOKEN, startStackOnTestEmulators } from './full-stack.js';
import { request, type HttpAnswer } from './http.js';
import { outboundEnv, TEST_AGENT_ID } from './outbound-stack.js';
import { pollUntil } from './poll.js';
import { pubsubAdmin } from './pubsub-admin.js';
import { tapTopic, type TappedMessage, type TopicTap } from './topic-tap.js';

/** Reconcile's timer settings in these tests, in seconds (the smallest the configuration accepts is 1). */
export const TEST_GRACE_S = 1;
export const TEST_PENDING_TIMEOUT_S = 1;
export const TEST_UNCONFIRMED_AFTER_S = 1;

export interface OutcomeStack {
  local: LocalStack;
  status: TopicTap;
  fallback: TopicTap;
  consent: TopicTap;
  /** One more instance of `name` on this stack's emulators, topics and fake RBM, with `env` over its own. */
  extra(name: FunctionName, env: Record<string, string>): Promise<FunctionServer>;
  /** POSTs to a reconcile instance (the stack's by default) and answers its summary. */
  reconcile(url?: string): Promise<ReconcileSummary>;
  stop(): Promise<void>;
}

function quickRetries(): Record<string, string> {
  const env = outboundEnv('http://127.0.0.1:1');
  const pick = (name: string) => env[name] ?? '';
  return {
    RBM_RETRY_DEADLINE_MS: pick('RBM_RETRY_DEADLINE_MS'),
    RBM_RETRY_INITIAL_BACKOFF_MS: pick('RBM_RETRY_INITIAL_BACKOFF_MS'),
    RBM_RETRY_MAX_BACKOFF_MS: pick('RBM_RETRY_MAX_BACKOFF_MS'),
    RBM_REQUEST_TIMEOUT_MS: pick('RBM_REQUEST_TIMEOUT_MS'),
  };
}

export async function startOutcomeStack(rbm: FakeRbmOptions = {}): Promise<OutcomeStack> {
  const quick = quickRetries();
  const local = await startStackOnTestEmulators({
    agentId: TEST_AGENT_ID,
    clientToken: CLIENT_TOKEN,
    rbm,
    reconcileIntervalMs: false,
    env: {
      send: quick,
      revoke: quick,
      reconcile: {
        ...quick,
        RBM_FALLBACK_GRACE_S: String(TEST_GRACE_S),
        RBM_PENDING_TIMEOUT_S: String(TEST_PENDING_TIMEOUT_S),
        RBM_RECONCILE_UNCONFIRMED_AFTER_S: String(TEST_UNCONFIRMED_AFTER_S),
      },
      inbound: { INBOUND_DEADLINE_MS: '5000', INBOUND_PUBLISH_LEASE_MS: '3000' },
    },
  });
  const pubsub = pubsubAdmin();
  const [status, fallback, consent] = await Promise.all([
    tapTopic(pubsub, local.topics.messageStatus),
    tapTopic(pubsub, local.topics.fallback),
    tapTopic(pubsub, local.topics.consentChanges),
  ]);
  const extras: FunctionServer[] = [];
  const settings = {
    agentId: local.agentId,
    clientToken: local.clientToken,
    rbmUrl: local.rbm.url,
    topics: local.topics,
  };
  return {
    local,
    status,
    fallback,
    consent,
    extra: async (name, env) => {
      const server = await startFunction({
        name,
        env: { ...functionEnv(name, emulatorEnv(), settings), ...quick, ...env },
      });
      extras.push(server);
      return server;
    },
    reconcile: async (url = local.functions.reconcile.url) => {
      const answer = await request(`${url}/`, { method: 'POST' });
      if (answer.status !== 200) throw new Error(`reconcile answered ${answer.status}: ${answer.text}`);
      return answer.json as ReconcileSummary;
    },
    stop: async () => {
      await Promise.all(extras.map((server) => server.stop()));
      await Promise.all([status.close(), fallback.close(), consent.close()]);
      await pubsub.close();
      await local.stop();
    },
  };
}

/**
 * The hooks of a test file on one outcome stack: started once, Firestore, the fake RBM and the taps reset before
 * each test. Returns a getter for the running stack.
 */
export function useOutcomeStack(rbm: FakeRbmOptions = {}): () => OutcomeStack {
  let stack: OutcomeStack | undefined;
  beforeAll(async () => {
    stack = await startOutcomeStack(rbm);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await clearFirestore();
    stack?.local.rbm.reset();
    stack?.status.clear();
    stack?.fallback.clear();
    stack?.consent.clear();
  });
  return () => {
    if (!stack) throw new Error('the outcome stack is not running');
    return stack;
  };
}

/** The tapped messages whose `messageId` attribute is `messageId` (other tests' stragglers are ignored). */
export function eventsOf(tap: TopicTap, messageId: string): TappedMessage[] {
  return tap.messages.filter((message) => message.attributes.messageId === messageId);
}

/** Waits until the tap holds events of `messageId` with each of `eventKeys`, and answers them in that order. */
export function waitForEvents(
  tap: TopicTap,
  messageId: string,
  eventKeys: readonly string[],
  timeoutMs = 20_000,
): Promise<TappedMessage[]> {
  return pollUntil(
    () => {
      const found = eventKeys.map((key) =>
        eventsOf(tap, messageId).find((m) => m.attributes.eventKey === key),
      );
      return found.every((message) => message !== undefined) ? (found as TappedMessage[]) : undefined;
    },
    { description: `events ${eventKeys.join(', ')}`, timeoutMs, intervalMs: 50 },
  );
}

/**
 * Watches the tap for `windowMs` and answers how many events of `messageId` it holds at the end: a check that
 * nothing more arrives (a duplicate, or an event that must not be published) after the expected ones.
 */
export async function settledCount(tap: TopicTap, messageId: string, windowMs = 1_500): Promise<number> {
  const until = Date.now() + windowMs;
  await pollUntil(() => (Date.now() >= until ? true : undefined), {
    description: 'observation window',
    timeoutMs: windowMs + 1_000,
    intervalMs: 100,
  });
  return eventsOf(tap, messageId).length;
}

export const TEXT = { contentMessage: { text: 'Your parcel arrives today' } };

/** POSTs a send request to `sendUrl` with a new message id (unless given); answers the id and the answer. */
export async function sendTo(
  sendUrl: string,
  phone: string,
  options: { id?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ id: string; answer: HttpAnswer }> {
  const id = options.id ?? randomUUID();
  const answer = await request(`${sendUrl}/v1/phones/${phone}/agentMessages?messageId=${id}`, {
    method: 'POST',
    body: options.body ?? TEXT,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  return { id, answer };
}

/** The stored `agentMessages/{id}` document, timestamps as Dates. */
export async function storedRecord(id: string): Promise<Record<string, unknown> | undefined> {
  const data = (await firestoreAdmin().collection('agentMessages').doc(id).get()).data();
  return data === undefined ? undefined : (timestampsToDates(data) as Record<string, unknown>);
}

/** Waits until the stored record satisfies `predicate`, and answers it. */
export function waitForRecord(
  id: string,
  predicate: (record: Record<string, unknown>) => boolean,
  description = `record ${id}`,
): Promise<Record<string, unknown>> {
  return pollUntil(
    async () => {
      const record = await storedRecord(id);
      return record !== undefined && predicate(record) ? record : undefined;
    },
    { description, timeoutMs: 20_000, intervalMs: 100 },
  );
}
