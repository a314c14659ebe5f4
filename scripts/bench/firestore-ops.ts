/**
 * Firestore operations per message lifecycle, counted in-process: the shared library's send and inbound code
 * paths run against the emulator through a counting client (counting-firestore.ts), next to the design's target.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { deliveredEvent, readEvent, userText, type FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { processInbound, type InboundDeps } from '../../shared/inbound/process-inbound.js';
import { createLogger } from '../../shared/log/logger.js';
import { consentKeywords } from '../../shared/consent/keywords.js';
import { OutcomePublisher } from '../../shared/events/outcome-publisher.js';
import { sendMessage } from '../../shared/outbound/send-message.js';
import type { Publish } from '../../shared/pubsub/publisher.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { TEXT_MESSAGE } from './cold-start.js';
import { countingFirestore, newCounts, type OperationCounts } from './counting-firestore.js';

export interface OperationTarget {
  readonly reads: number;
  readonly writes: number;
  readonly note: string;
}

export interface OperationRow {
  readonly step: string;
  readonly measured: OperationCounts;
  readonly target: OperationTarget;
  readonly publishes: number;
}

/** The design's target per step: the fewest operations the contract and the optimistic-write design allow. */
export const TARGETS: Readonly<Record<string, OperationTarget>> = {
  send: {
    reads: 0,
    writes: 2,
    note: '1 create (PENDING before the RBM call) + 1 update (SENT) on its write time',
  },
  DELIVERED: { reads: 1, writes: 1, note: '1 read + 1 update with a lastUpdateTime precondition' },
  READ: { reads: 1, writes: 1, note: '1 read + 1 update with a lastUpdateTime precondition' },
  lifecycle: { reads: 2, writes: 4, note: 'send + DELIVERED + READ' },
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
  const events = new OutcomePublisher({
    publish,
    topics: { status: 'rbm-message-status', fallback: 'rbm-fallback' },
    store,
    logger: silent,
  });
  const inboundDeps: InboundDeps = {
    db,
    store,
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
      { agentId: rbm.agentId, store, rbm, logger: silent, events },
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
