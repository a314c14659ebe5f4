/**
 * One soak run: the whole product on the emulators (send, revoke, webhook, inbound, reconcile, Pub/Sub push from
 * the Terraform topology) against the fake RBM, at volume and with faults on every hop, then a drain (reconcile
 * driven until it has nothing left) and the checks of verify.ts and outcome-verify.ts. Used by `npm run soak`
 * and test/integration/soak.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { clearFirestore } from '../../devtools/emulators.js';
import { startLocalStack, type EmulatorHosts, type LocalStack } from '../../devtools/local-stack.js';
import type { CallbackResult, Fault } from '../../sandbox/fake-rbm/index.js';
import { FAULT_SHARE_VARIABLE } from '../../shared/pubsub/fault-injection.js';
import { firestoreAdmin, pubsubAdmin, tapTopic } from './clients.js';
import {
  injectGarbage,
  revokeMessage,
  sendMessage,
  userPayload,
  type GarbageOutcome,
  type HttpAttempt,
  type SendOutcome,
} from './driver.js';
import { LogIndex } from './logs.js';
import { afterSends, beforeSends, setUpPhone, type AcceptedMessage } from './outcome-driver.js';
import { checkOutcomes, type OutcomeCheck, type OutcomeSummary } from './outcome-verify.js';
import { drainReconcile, type ReconcileDrainReport, type ReconcileDrainSettings } from './reconcile-drain.js';
import { decodeRecords } from './records.js';
import { planSoak, type CreateFault, type PlannedGarbage, type PlannedPhone } from './plan.js';
import { collect, verify, type SoakSummary, type Violation } from './verify.js';
import { pollUntil, runPool } from './util.js';

export interface SoakOptions {
  readonly messages: number;
  readonly seed?: number;
  /** Phones worked on at once (each sends its messages one after another). Default 16. */
  readonly concurrency?: number;
  /** Run on these emulators (the test's) instead of starting a pair; their Firestore is cleared first. */
  readonly emulators?: EmulatorHosts;
  readonly projectId?: string;
  /** Deadline of each drain step. Default 60 s + 20 ms per message. */
  readonly drainTimeoutMs?: number;
  readonly progress?: (line: string) => void;
}

export const SOAK_AGENT_ID = 'soak-agent';
export const SOAK_CLIENT_TOKEN = 'soak-client-token-0123456789';
/** Share of callbacks whose first publish attempt fails in the webhook. */
export const PUBLISH_FAULT_SHARE = 0.2;
/** Share of status and fallback events whose first publish fails in send, revoke and inbound. */
export const EVENT_PUBLISH_FAULT_SHARE = 0.1;
/** Reconcile's grace, pending timeout and unconfirmed-event age, in seconds: small, so the drain sees them fall due. */
const RECONCILE_TIMERS_S = { grace: 1, pendingTimeout: 5, unconfirmedAfter: 1 };
const HANG_MS = 1_500;
const EVENT_FAULTS = { [FAULT_SHARE_VARIABLE]: String(EVENT_PUBLISH_FAULT_SHARE) };
const RECONCILE_SETTINGS: ReconcileDrainSettings = {
  graceMs: RECONCILE_TIMERS_S.grace * 1000,
  pendingTimeoutMs: RECONCILE_TIMERS_S.pendingTimeout * 1000,
  unconfirmedAfterMs: RECONCILE_TIMERS_S.unconfirmedAfter * 1000,
};

/** The functions' settings: short RBM retry budgets (the hang outlasts one attempt), quick claim takeover. */
const SEND_ENV = {
  RBM_RETRY_DEADLINE_MS: '5000',
  RBM_RETRY_INITIAL_BACKOFF_MS: '50',
  RBM_RETRY_MAX_BACKOFF_MS: '500',
  RBM_REQUEST_TIMEOUT_MS: '1000',
};

export interface SoakTimings {
  readonly startMs: number;
  readonly loadMs: number;
  readonly drainMs: number;
  readonly verifyMs: number;
}

export interface SoakReport {
  readonly messages: number;
  readonly seed: number;
  readonly phones: number;
  readonly timings: SoakTimings;
  readonly summary: SoakSummary;
  readonly outcomes: OutcomeSummary;
  readonly violations: readonly Violation[];
}

type Task = { kind: 'phone'; phone: PlannedPhone } | { kind: 'garbage'; garbage: PlannedGarbage };

function faultFor(planned: CreateFault): Fault {
  switch (planned) {
    case 'status429':
      return { status: 429 };
    case 'status503':
      return { status: 503 };
    case 'status429RetryAfter':
      return { status: 429, retryAfterSeconds: 1 };
    case 'hang':
      return { hangMs: HANG_MS };
  }
}

/** Phones with the garbage spread evenly among them. */
function tasksOf(phones: readonly PlannedPhone[], garbage: readonly PlannedGarbage[]): Task[] {
  const tasks: Task[] = phones.map((phone) => ({ kind: 'phone', phone }));
  const step = Math.max(1, Math.floor(tasks.length / (garbage.length + 1)));
  garbage.forEach((item, i) =>
    tasks.splice(Math.min(tasks.length, (i + 1) * step + i), 0, { kind: 'garbage', garbage: item }),
  );
  return tasks;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const progress = options.progress ?? (() => undefined);
  const seed = options.seed ?? 1;
  const runId = randomUUID().slice(0, 8);
  const plan = planSoak(options.messages, seed, runId);
  const drainTimeoutMs = options.drainTimeoutMs ?? 60_000 + 20 * options.messages;
  const projectId = options.projectId ?? 'rbm-soak';
  const t0 = performance.now();

  if (options.emulators) await clearFirestore(options.emulators.firestoreHost, projectId);
  const stack: LocalStack = await startLocalStack({
    projectId,
    ...(options.emulators ? { emulators: options.emulators } : {}),
    agentId: SOAK_AGENT_ID,
    clientToken: SOAK_CLIENT_TOKEN,
    rbm: {
      autoEvents: { deliver: true, read: true, delayMs: 10 },
      retryCallbacks: { maxAttempts: 10, backoffMs: 100 },
      callbackChaos: { duplicate: 0.3, reorder: true, reorderWindowMs: 150, delayMs: 10 },
    },
    // The drain drives reconcile itself.
    reconcileIntervalMs: false,
    env: {
      send: { ...SEND_ENV, ...EVENT_FAULTS },
      // No hangs are injected on deletes: a timed-out DELETE that RBM did carry out would make the retry a 404
      // (see the soak notes in BENCHMARKS.md), so revoke and reconcile keep the default attempt timeout.
      revoke: { ...SEND_ENV, RBM_REQUEST_TIMEOUT_MS: '10000', ...EVENT_FAULTS },
      webhook: { [FAULT_SHARE_VARIABLE]: String(PUBLISH_FAULT_SHARE) },
      inbound: { INBOUND_PUBLISH_LEASE_MS: '3000', ...EVENT_FAULTS },
      reconcile: {
        ...SEND_ENV,
        RBM_REQUEST_TIMEOUT_MS: '10000',
        RBM_FALLBACK_GRACE_S: String(RECONCILE_TIMERS_S.grace),
        RBM_PENDING_TIMEOUT_S: String(RECONCILE_TIMERS_S.pendingTimeout),
        RBM_RECONCILE_UNCONFIRMED_AFTER_S: String(RECONCILE_TIMERS_S.unconfirmedAfter),
      },
    },
  });
  const db = firestoreAdmin(projectId, stack.emulators);
  const pubsub = pubsubAdmin(projectId, stack.emulators);
  const userMessagesTap = await tapTopic(pubsub, 'rbm-user-messages');
  const statusTap = await tapTopic(pubsub, stack.topics.messageStatus);
  const fallbackTap = await tapTopic(pubsub, stack.topics.fallback);
  const consentTap = await tapTopic(pubsub, stack.topics.consentChanges);
  // Send, revoke and inbound say so when an event's first publish fails; reconcile or a redelivery makes it later.
  const eventPublishLogs = (['send', 'revoke', 'inbound'] as const).map(
    (name) => new LogIndex(stack.functions[name], {}),
  );
  const webhookLog = new LogIndex(stack.functions.webhook, { 'Callback published': 'pubsubMessageId' });
  const inboundLog = new LogIndex(stack.functions.inbound, {
    'Inbound processed': 'pubsubMessageId',
    'Inbound payload rejected': 'pubsubMessageId',
  });
  try {
    const startMs = performance.now() - t0;
    progress(
      `stack up in ${Math.round(startMs)} ms; ${plan.messageCount} messages to ${plan.phones.length} phones`,
    );
    for (const phone of plan.phones) await setUpPhone(stack.rbm, phone);
    const outcomeDeps = {
      rbm: stack.rbm,
      db,
      revokeUrl: stack.functions.revoke.url,
      agentId: SOAK_AGENT_ID,
      consentTimeoutMs: drainTimeoutMs,
    };

    // Load: every phone runs its script; garbage goes in between.
    const sends: SendOutcome[] = [];
    const revokes: Array<{ messageId: string; answer: HttpAttempt | undefined }> = [];
    const replies: Array<{ id: string; result: CallbackResult }> = [];
    const garbage: GarbageOutcome[] = [];
    const webhook = {
      url: stack.functions.webhook.url,
      clientToken: SOAK_CLIENT_TOKEN,
      agentId: SOAK_AGENT_ID,
    };
    const loadStarted = performance.now();
    let done = 0;
    await runPool(tasksOf(plan.phones, plan.garbage), options.concurrency ?? 16, async (task) => {
      if (task.kind === 'garbage') {
        garbage.push(await injectGarbage(stack.rbm, { ...webhook, phone: '+15552999999' }, task.garbage));
        return;
      }
      const { phone } = task;
      replies.push(...(await beforeSends(outcomeDeps, phone)));
      const accepted: AcceptedMessage[] = [];
      for (const message of phone.messages) {
        const fault = plan.createFaults[message.index];
        if (fault) stack.rbm.failNext(1, faultFor(fault), { only: 'create' });
        const outcome = await sendMessage(stack.functions.send.url, message);
        sends.push(outcome);
        if (outcome.final?.status === 200 && outcome.final.messageId)
          accepted.push({ messageId: outcome.final.messageId, message });
        if (++done % 500 === 0) progress(`${done} sends answered`);
      }
      revokes.push(...(await afterSends(outcomeDeps, phone, accepted)));
      if (phone.script === 'offline-revoked') {
        for (const { messageId } of accepted) {
          revokes.push({
            messageId,
            answer: await revokeMessage(stack.functions.revoke.url, phone.phone, messageId),
          });
        }
      } else if (phone.script === 'offline-then-online') {
        await stack.rbm.setPhone(phone.phone, 'reachable');
      }
      for (const planned of phone.userMessages.filter((u) => u.kind !== 'optOutKeyword')) {
        const result = await stack.rbm.callback(userPayload(planned, phone.phone, SOAK_AGENT_ID));
        replies.push({ id: planned.id, result });
      }
    });
    const loadMs = performance.now() - loadStarted;
    progress(
      `load done in ${Math.round(loadMs)} ms (${Math.round((sends.length / loadMs) * 1000)} sends/s); draining`,
    );

    // Drain: RBM's callbacks (with their retries) finish, then everything the webhook published is handled,
    // then reconcile runs until nothing is left for it.
    const drainStarted = performance.now();
    const drainProblems: Violation[] = [];
    const drainStep = async (description: string, step: () => Promise<unknown>): Promise<void> => {
      const started = performance.now();
      try {
        await step();
        progress(`drain: ${description} in ${Math.round(performance.now() - started)} ms`);
      } catch (error) {
        drainProblems.push({
          check: 'drain',
          detail: error instanceof Error ? error.message : String(error),
        });
        progress(`drain: ${description} did not finish`);
      }
    };
    const callbacksSettled = () => {
      let settled = false;
      void stack.rbm.callbacksSettled().then(() => (settled = true));
      return pollUntil(() => (settled ? true : undefined), {
        timeoutMs: drainTimeoutMs,
        intervalMs: 100,
        description: 'the fake RBM callbacks (and their retries) to settle',
      });
    };
    const inboundDrained = () =>
      pollUntil(
        () => {
          const published = webhookLog.update().idsOf('Callback published');
          const handled = inboundLog.update().idsOf('Inbound processed', 'Inbound payload rejected');
          for (const id of published) if (!handled.has(id)) return undefined;
          return true;
        },
        {
          timeoutMs: drainTimeoutMs,
          intervalMs: 250,
          description: 'inbound to handle every message the webhook published',
        },
      );
    await drainStep('callbacks', callbacksSettled);
    await drainStep('inbound', inboundDrained);
    const expectedReplies = new Set(plan.phones.flatMap((phone) => phone.userMessages.map((u) => u.id)));
    await drainStep('user messages', () =>
      pollUntil(
        () => {
          const seen = new Set(userMessagesTap.messages.map((m) => m.attributes.messageId));
          for (const id of expectedReplies) if (!seen.has(id)) return undefined;
          return true;
        },
        {
          timeoutMs: drainTimeoutMs,
          intervalMs: 250,
          description: 'every user message on rbm-user-messages',
        },
      ),
    );
    let reconciled: ReconcileDrainReport = {
      passes: 0,
      republishedRecords: 0,
      republishedEvents: 0,
      timerRevokes: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
    };
    await drainStep('reconcile', async () => {
      reconciled = await drainReconcile({
        reconcileUrl: stack.functions.reconcile.url,
        db,
        settings: RECONCILE_SETTINGS,
        settle: async () => {
          await callbacksSettled();
          await inboundDrained();
        },
        timeoutMs: drainTimeoutMs,
        progress,
      });
    });
    const drainMs = performance.now() - drainStarted;
    progress(`drained in ${Math.round(drainMs)} ms (${reconciled.passes} reconcile passes); verifying`);

    const verifyStarted = performance.now();
    const collected = await collect({
      plan,
      agentId: SOAK_AGENT_ID,
      db,
      rbm: stack.rbm,
      sends,
      revokes,
      replies,
      garbage,
      userMessagesTap,
      webhookLog: webhookLog.update(),
      inboundLog: inboundLog.update(),
      loadMs,
    });
    const records = decodeRecords(collected.records);
    const outcomeInput = () => ({
      plan,
      agentId: SOAK_AGENT_ID,
      records,
      sends,
      rbm: stack.rbm,
      statusEvents: statusTap.messages,
      fallbackEvents: fallbackTap.messages,
      consentEvents: consentTap.messages,
      reconcile: reconciled,
      eventPublishFaults: eventPublishLogs.reduce(
        (n, log) => n + log.update().count('Event publish failed; it stays queued for a later publish'),
        0,
      ),
    });
    // Events whose publish was confirmed may still be on their way to the taps: look until they all add up.
    let outcomes: OutcomeCheck = checkOutcomes(outcomeInput());
    await pollUntil(
      () => {
        outcomes = checkOutcomes(outcomeInput());
        return outcomes.violations.length === 0 ? true : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: 'the outcome checks to pass' },
    ).catch(() => undefined);
    const violations = [...drainProblems, ...verify(plan, collected), ...outcomes.violations];
    return {
      messages: plan.messageCount,
      seed,
      phones: plan.phones.length,
      timings: { startMs, loadMs, drainMs, verifyMs: performance.now() - verifyStarted },
      summary: collected.summary,
      outcomes: outcomes.summary,
      violations,
    };
  } finally {
    for (const tap of [userMessagesTap, statusTap, fallbackTap, consentTap])
      await tap.close().catch(() => undefined);
    await pubsub.close().catch(() => undefined);
    await db.terminate().catch(() => undefined);
    await stack.stop();
  }
}
