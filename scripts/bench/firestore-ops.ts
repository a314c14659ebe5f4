/**
 * Firestore operations per message lifecycle, counted in-process: the shared library's send and inbound code
 * paths run against the emulator through a counting client (counting-firestore.ts), next to the design's target.
 * Each step runs twice: with status events published (the product) and without a publisher, which is what the
 * same path cost before status events existed. `npm run bench -- --only firestore-ops` runs just this.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { deliveredEvent, readEvent, userText, type FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { processInbound, type InboundDeps } from '../../shared/inbound/process-inbound.js';
import { createLogger } from '../../shared/log/logger.js';
import { consentKeywords } from '../../shared/consent/keywords.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import { sendMessage } from '../../shared/outbound/send-message.js';
import type { Publish } from '../../shared/pubsub/publisher.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { firestoreInboundStorage } from '../../shared/store/inbound-storage.js';
import { TEXT_MESSAGE } from './cold-start.js';
import { countingFirestore, newCounts, type OperationCounts } from './counting-firestore.js';
import { table } from './markdown-table.js';

export interface OperationTarget {
  readonly reads: number;
  readonly writes: number;
  readonly note: string;
}

export interface OperationRow {
  readonly step: string;
  /** With status events published and confirmed. */
  readonly measured: OperationCounts;
  readonly target: OperationTarget;
  readonly publishes: number;
  /** The same step without an event publisher: what it cost before status events. Absent from older runs. */
  readonly withoutEvents?: OperationCounts;
}

/**
 * The design's target per step, with status events: the fewest operations the contract and the
 * optimistic-write design allow. A state change writes its event with the record and confirms it after the
 * publish with one more update on the write's own time: a write, never a read.
 */
export const TARGETS: Readonly<Record<string, OperationTarget>> = {
  send: {
    reads: 0,
    writes: 3,
    note: '1 create (PENDING before the RBM call) + 1 update (SENT) on its write time + 1 update confirming the SENT event',
  },
  DELIVERED: {
    reads: 1,
    writes: 2,
    note: '1 read + 1 update with a lastUpdateTime precondition + 1 update confirming its event',
  },
  READ: {
    reads: 1,
    writes: 2,
    note: '1 read + 1 update with a lastUpdateTime precondition + 1 update confirming its event',
  },
  lifecycle: { reads: 2, writes: 7, note: 'send + DELIVERED + READ' },
  'duplicate event': { reads: 1, writes: 0, note: 'the read finds the eventId applied' },
  'send replay': { reads: 1, writes: 0, note: '1 failed create (ALREADY_EXISTS) + 1 read, no RBM call' },
  'user message': { reads: 0, writes: 2, note: '1 create (claim) + 1 update (PUBLISHED); published once' },
  'duplicate user message': { reads: 1, writes: 0, note: '1 failed create + 1 read (already PUBLISHED)' },
};

const silent = createLogger({}, () => undefined);

function pushData(payload: unknown): unknown {
  return {
    message: {
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
      messageId: randomUUID(),
      attributes: {},
    },
  };
}

export async function countOperations(options: {
  db: Firestore;
  rbm: FakeRbm;
  agentId: string;
  phone: string;
}): Promise<OperationRow[]> {
  const withEvents = await countLifecycle(options, true);
  const withoutEvents = await countLifecycle(options, false);
  return withEvents.map((row, i) => ({ ...row, withoutEvents: withoutEvents[i]?.measured ?? newCounts() }));
}

/** One message through every step, with or without an event publisher. */
async function countLifecycle(
  options: { db: Firestore; rbm: FakeRbm; agentId: string; phone: string },
  publishEvents: boolean,
): Promise<OperationRow[]> {
  let current = newCounts();
  const db = countingFirestore(options.db, () => current);
  const store = new AgentMessageStore(db);
  const rbm = new RbmClient(
    loadRbmConfig({ RBM_AGENT_ID: options.agentId, RBM_API_ENDPOINT: options.rbm.url, RBM_AUTH: 'none' }),
    { logger: silent },
  );
  let publishes = 0;
  const publish: Publish = async () => {
    publishes += 1;
    return String(publishes);
  };
  const publisher = new OutcomePublisher({
    publish,
    topics: { status: 'rbm-message-status', fallback: 'rbm-fallback' },
    store,
    logger: silent,
  });
  // Without a publisher the events stay on the record, unpublished: the writes of the state change alone.
  const nothingPublished = { published: 0, failed: 0 };
  const events: InboundDeps['events'] = publishEvents
    ? publisher
    : { afterWrite: async () => nothingPublished, queued: async () => nothingPublished };
  const inboundDeps: InboundDeps = {
    storage: firestoreInboundStorage(db, store),
    publish,
    agentId: options.agentId,
    userMessagesTopic: 'rbm-user-messages',
    logger: silent,
    now: () => new Date(),
    claimLeaseMs: 30_000,
    events,
    keywords: consentKeywords(),
    recordConsent: async () => false,
  };
  const rows: OperationRow[] = [];
  const step = async (name: string, work: () => Promise<unknown>): Promise<void> => {
    current = newCounts();
    publishes = 0;
    await work();
    const target = TARGETS[name];
    if (!target) throw new Error(`no target for ${name}`);
    rows.push({ step: name, measured: current, target, publishes });
  };

  const messageId = randomUUID();
  const base = { phone: options.phone, agentId: options.agentId, messageId };
  const send = () =>
    sendMessage(
      {
        phoneNumber: options.phone,
        messageId,
        agentId: undefined,
        idempotencyKey: undefined,
        body: TEXT_MESSAGE,
      },
      { agentId: rbm.agentId, store, rbm, logger: silent, ...(publishEvents ? { events } : {}) },
    );
  await step('send', async () => {
    const result = await send();
    if (result.kind !== 'sent') throw new Error(`send ended ${result.kind}`);
  });
  const delivered = deliveredEvent(base);
  await step('DELIVERED', () => processInbound(pushData(delivered), undefined, inboundDeps));
  await step('READ', () => processInbound(pushData(readEvent(base)), undefined, inboundDeps));
  const lifecycle = newCounts();
  for (const row of rows) {
    lifecycle.reads += row.measured.reads;
    lifecycle.writes += row.measured.writes;
    lifecycle.failedWrites += row.measured.failedWrites;
  }
  rows.push({
    step: 'lifecycle',
    measured: lifecycle,
    target: TARGETS.lifecycle as OperationTarget,
    publishes: 0,
  });
  await step('duplicate event', () => processInbound(pushData(delivered), undefined, inboundDeps));
  await step('send replay', send);
  const reply = userText({ phone: options.phone, agentId: options.agentId, text: 'Thanks!' });
  await step('user message', () => processInbound(pushData(reply), undefined, inboundDeps));
  await step('duplicate user message', () => processInbound(pushData(reply), undefined, inboundDeps));
  return rows;
}

/** The BENCHMARKS.md section: each step with status events, and what it cost without them. */
export function firestoreOpsSection(rows: readonly OperationRow[]): string {
  const before = (row: OperationRow) =>
    row.withoutEvents === undefined ? '–' : `${row.withoutEvents.reads} / ${row.withoutEvents.writes}`;
  return [
    '## Firestore operations per message',
    '',
    'Counted by running the shared library (send-message.ts, process-inbound.ts) in-process against the emulator',
    'through a counting client (scripts/bench/counting-firestore.ts). Failed writes (ALREADY_EXISTS) are listed apart.',
    'Each step also runs without an event publisher: the cost of the same path before status events existed.',
    '',
    table(
      [
        'step',
        'reads',
        'writes',
        'failed writes',
        'without status events: reads / writes',
        'target reads',
        'target writes',
        'target',
        'Pub/Sub publishes',
      ],
      rows.map((r) => [
        r.step,
        r.measured.reads,
        r.measured.writes,
        r.measured.failedWrites,
        before(r),
        r.target.reads,
        r.target.writes,
        r.target.note,
        r.publishes,
      ]),
    ),
    '',
  ].join('\n');
}
