/**
 * What a soak run must show after the drain: every accepted send has exactly one record; one id per
 * idempotency key; RBM created each message id at most once; every record in the state its phone's script
 * implies; every user message stored once and published once; no inboundRejects but the injected garbage.
 */
import type { Firestore } from '@google-cloud/firestore';
import type { CallbackResult, FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { messageIdForIdempotencyKey } from '../../shared/ids.js';
import type { GarbageOutcome, HttpAttempt, SendOutcome } from './driver.js';
import type { LogIndex } from './logs.js';
import { expectedOutcome } from './outcome-expectations.js';
import type { PlannedMessage, SoakPlan } from './plan.js';
import type { TopicTap } from './clients.js';

export interface Violation {
  readonly check: string;
  readonly detail: string;
}

export interface CollectInput {
  readonly plan: SoakPlan;
  readonly agentId: string;
  readonly db: Firestore;
  readonly rbm: FakeRbm;
  readonly sends: readonly SendOutcome[];
  readonly revokes: ReadonlyArray<{ messageId: string; answer: HttpAttempt | undefined }>;
  readonly replies: ReadonlyArray<{ id: string; result: CallbackResult }>;
  readonly garbage: readonly GarbageOutcome[];
  readonly userMessagesTap: TopicTap;
  readonly webhookLog: LogIndex;
  readonly inboundLog: LogIndex;
  readonly loadMs: number;
}

/** Numbers for the report (JSON-serialisable). */
export interface SoakSummary {
  sends: {
    planned: number;
    answered200: number;
    answered404: number;
    clientRetries: number;
    replayedResends: number;
    sendsPerSecond: number;
    latencyMs: { p50: number; p95: number; p99: number; max: number };
  };
  revokes: number;
  rbm: {
    createCalls: number;
    faultStatus: number;
    faultHang: number;
    duplicateCreates: number;
    successfulCreates: number;
  };
  callbacks: {
    requests: number;
    duplicateCopies: number;
    attempts: number;
    answered500: number;
    neverAnswered200: number;
  };
  webhook: { published: number; publishFaults: number };
  inbound: { handled: number; transientFailures: number };
  records: Record<string, number>;
  userMessages: { planned: number; stored: number; publishedMessages: number };
  garbage: { injected: number; rejects: number };
}

export interface Collected {
  readonly summary: SoakSummary;
  readonly input: CollectInput;
  readonly records: ReadonlyMap<string, Record<string, unknown>>;
  readonly userMessages: ReadonlyMap<string, Record<string, unknown>>;
  readonly rejects: ReadonlyArray<Record<string, unknown>>;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function collection(db: Firestore, name: string): Promise<Map<string, Record<string, unknown>>> {
  const snapshot = await db.collection(name).get();
  return new Map(snapshot.docs.map((doc) => [doc.id, doc.data()]));
}

export async function collect(input: CollectInput): Promise<Collected> {
  const [records, userMessages, rejectDocs] = await Promise.all([
    collection(input.db, 'agentMessages'),
    collection(input.db, 'userMessages'),
    collection(input.db, 'inboundRejects'),
  ]);
  const { rbm, sends } = input;
  const latencies = sends.flatMap((s) => s.attempts.map((a) => a.ms)).sort((a, b) => a - b);
  const byState: Record<string, number> = {};
  for (const record of records.values()) {
    const state = String(record.state);
    byState[state] = (byState[state] ?? 0) + 1;
  }
  const creates = rbm.creates();
  const attempts = rbm.callbacks.flatMap((c) => c.attempts);
  const summary: SoakSummary = {
    sends: {
      planned: input.plan.messageCount,
      answered200: sends.filter((s) => s.final?.status === 200).length,
      answered404: sends.filter((s) => s.final?.status === 404).length,
      clientRetries: sends.reduce((n, s) => n + s.attempts.length - 1, 0),
      replayedResends: sends.filter((s) => s.resend?.replayed).length,
      sendsPerSecond: Math.round((sends.length / input.loadMs) * 1000 * 10) / 10,
      latencyMs: {
        p50: Math.round(percentile(latencies, 50)),
        p95: Math.round(percentile(latencies, 95)),
        p99: Math.round(percentile(latencies, 99)),
        max: Math.round(latencies[latencies.length - 1] ?? 0),
      },
    },
    revokes: input.revokes.length,
    rbm: {
      createCalls: creates.length,
      faultStatus: creates.filter((c) => c.fault === 'status').length,
      faultHang: creates.filter((c) => c.fault === 'hang' || c.fault === 'destroy').length,
      duplicateCreates: creates.filter((c) => c.duplicate).length,
      successfulCreates: rbm.successfulCreates().length,
    },
    callbacks: {
      requests: rbm.callbacks.length,
      duplicateCopies: rbm.callbacks.filter((c) => c.copy > 0).length,
      attempts: attempts.length,
      answered500: attempts.filter((a) => a.status === 500).length,
      neverAnswered200: rbm.callbacks.filter((c) => c.attempts.at(-1)?.status !== 200).length,
    },
    webhook: {
      published: input.webhookLog.idsOf('Callback published').size,
      publishFaults: input.webhookLog.count('Callback not published; RBM will retry'),
    },
    inbound: {
      handled: input.inboundLog.idsOf('Inbound processed', 'Inbound payload rejected').size,
      transientFailures: input.inboundLog.count('Event failed; Pub/Sub will redeliver'),
    },
    records: byState,
    userMessages: {
      planned: input.replies.length,
      stored: userMessages.size,
      publishedMessages: new Set(input.userMessagesTap.messages.map((m) => m.id)).size,
    },
    garbage: { injected: input.garbage.length, rejects: rejectDocs.size },
  };
  return { summary, input, records, userMessages, rejects: [...rejectDocs.values()] };
}

/** The id a planned message must get: its own, or the one its Idempotency-Key makes. */
export function expectedId(agentId: string, message: PlannedMessage): string {
  return message.id.kind === 'messageId'
    ? message.id.messageId
    : messageIdForIdempotencyKey(agentId, message.id.key);
}

const timestampSet = (record: Record<string, unknown>, field: string): boolean =>
  record[field] !== undefined && record[field] !== null;

export function verify(plan: SoakPlan, collected: Collected): Violation[] {
  const violations: Violation[] = [];
  const add = (check: string, detail: string): void => {
    violations.push({ check, detail });
  };
  const { input, records, userMessages, rejects } = collected;
  const scriptOf = new Map(plan.phones.map((phone) => [phone.phone, phone.script]));

  // Sends: a final answer each, one id per key, and the answer the phone's script implies.
  const accepted = new Map<string, SendOutcome>();
  for (const outcome of input.sends) {
    const { message } = outcome;
    const script = scriptOf.get(message.phone);
    const label = `message #${message.index} (${script})`;
    if (!outcome.final) {
      add('accepted', `${label} never got a final answer after ${outcome.attempts.length} attempts`);
      continue;
    }
    const wantStatus = script === undefined ? undefined : expectedOutcome(script, message).status;
    if (outcome.final.status !== wantStatus)
      add('accepted', `${label} answered ${outcome.final.status}, expected ${wantStatus}`);
    const ids = new Set(
      [...outcome.attempts, ...(outcome.resend ? [outcome.resend] : [])].flatMap((a) =>
        a.messageId ? [a.messageId] : [],
      ),
    );
    const want = expectedId(input.agentId, message);
    if (ids.size !== 1 || !ids.has(want)) {
      add('one id per key', `${label} was answered with ids [${[...ids].join(', ')}], expected ${want}`);
    }
    if (message.resend && (!outcome.resend?.replayed || outcome.resend.status !== outcome.final.status)) {
      add('replay', `${label}: the repeated request was not replayed (${outcome.resend?.status})`);
    }
    accepted.set(want, outcome);
  }

  // Records: exactly the accepted messages, each in its script's final state.
  for (const [id, outcome] of accepted) {
    const record = records.get(id);
    const script = scriptOf.get(outcome.message.phone);
    const label = `message #${outcome.message.index} (${script})`;
    if (!record) {
      add('one record', `${label}: no agentMessages record`);
      continue;
    }
    if (record.phoneNumber !== outcome.message.phone) add('one record', `${label}: record has another phone`);
    const want = script === undefined ? undefined : expectedOutcome(script, outcome.message).state;
    if (record.state !== want)
      add('final state', `${label}: state ${String(record.state)}, expected ${want}`);
    const fields: Record<string, string[]> = {
      READ: ['sentAt', 'deliveredAt', 'readAt'],
      REVOKED: ['sentAt', 'revokedAt'],
      EXPIRED: ['sentAt', 'expiredAt'],
      SENT: ['sentAt'],
      FAILED: ['failedAt', 'error'],
    };
    for (const field of fields[String(want)] ?? []) {
      if (!timestampSet(record, field)) add('final state', `${label}: ${field} missing`);
    }
  }
  for (const id of records.keys()) {
    if (!accepted.has(id)) add('one record', `record ${id} belongs to no accepted send`);
  }

  // RBM: each id created successfully at most once, and exactly once when the send was answered 200.
  const successes = new Map<string, number>();
  for (const call of input.rbm.successfulCreates()) {
    const id = (call.messageId ?? '').toLowerCase();
    successes.set(id, (successes.get(id) ?? 0) + 1);
  }
  for (const [id, count] of successes) if (count > 1) add('RBM at most once', `${id} created ${count} times`);
  for (const [id, outcome] of accepted) {
    const count = successes.get(id) ?? 0;
    const want = outcome.final?.status === 200 ? 1 : 0;
    if (count !== want)
      add(
        'RBM at most once',
        `message #${outcome.message.index}: ${count} successful creates, expected ${want}`,
      );
  }

  for (const revoke of input.revokes) {
    if (revoke.answer?.status !== 200)
      add('revoke', `revoke of ${revoke.messageId} answered ${revoke.answer?.status}`);
  }

  // Callbacks: RBM got its 200 for every one in the end (nothing would be retried for ever).
  const unanswered = input.rbm.callbacks.filter((c) => c.attempts.at(-1)?.status !== 200).length;
  if (unanswered > 0) add('callbacks', `${unanswered} callback requests never got a 200 from the webhook`);

  // User messages: stored once (one document per id, nothing extra), published once.
  const planned = new Map(plan.phones.flatMap((phone) => phone.userMessages.map((u) => [u.id, u] as const)));
  for (const reply of input.replies) {
    if (reply.result.status !== 200)
      add('user messages', `reply ${reply.id}: webhook answered ${reply.result.status}`);
  }
  const publications = new Map<string, Set<string>>();
  for (const message of input.userMessagesTap.messages) {
    const id = message.attributes.messageId ?? '';
    let set = publications.get(id);
    if (!set) publications.set(id, (set = new Set()));
    set.add(message.id);
  }
  for (const [id] of planned) {
    const stored = userMessages.get(id);
    if (!stored) add('user messages', `user message ${id} not stored`);
    else if (stored.publishState !== 'PUBLISHED')
      add('user messages', `user message ${id} is ${String(stored.publishState)}`);
    const count = publications.get(id)?.size ?? 0;
    if (count !== 1) add('user messages', `user message ${id} published ${count} times`);
  }
  for (const id of userMessages.keys())
    if (!planned.has(id)) add('user messages', `unexpected userMessages/${id}`);
  for (const id of publications.keys())
    if (!planned.has(id)) add('user messages', `unexpected publication of ${id}`);

  // Rejects: only the garbage injected on purpose, and all of it (but the refused bad signatures).
  const rejectedNonces = new Set<string>();
  for (const reject of rejects) {
    const data = Buffer.from(String(reject.data ?? ''), 'base64').toString('utf8');
    const nonce = plan.garbage.find((g) => data.includes(g.nonce));
    if (!nonce) add('rejects', `unexpected inboundRejects record: ${String(reject.reason)}`);
    else rejectedNonces.add(nonce.nonce);
  }
  for (const outcome of input.garbage) {
    const { kind, nonce } = outcome.garbage;
    if (kind === 'bad-signature') {
      if (outcome.status !== 401) add('garbage', `bad signature answered ${outcome.status}, expected 401`);
      if (rejectedNonces.has(nonce)) add('garbage', 'a callback with a bad signature reached inbound');
    } else {
      if (outcome.status !== 200) add('garbage', `${kind} answered ${outcome.status}, expected 200`);
      if (!rejectedNonces.has(nonce)) add('garbage', `${kind} garbage ${nonce} has no inboundRejects record`);
    }
  }

  // The faults must actually have happened, or the run proves nothing.
  const { summary } = collected;
  const injected: Array<[string, number, boolean]> = [
    ['RBM 429/503 answers', summary.rbm.faultStatus, plan.createFaults.some((f) => f?.startsWith('status'))],
    ['RBM hangs', summary.rbm.faultHang, plan.createFaults.includes('hang')],
    ['webhook publish failures', summary.webhook.publishFaults, true],
    ['duplicated callbacks', summary.callbacks.duplicateCopies, true],
  ];
  for (const [what, count, planned] of injected) {
    if (planned && count === 0) add('faults', `no ${what} happened: the run did not exercise them`);
  }
  return violations;
}
