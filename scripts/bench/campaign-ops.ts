/**
 * Firestore operations per campaign recipient, counted in-process: the shared library's create, chunk-enqueue,
 * dispatch and read paths run against the emulator. The campaign store is counted per method (its batch,
 * field-mask read and aggregation queries are beyond counting-firestore.ts), the send path through the counting
 * client, as the per-message bench counts it.
 */
import type { Firestore } from '@google-cloud/firestore';
import { createCampaign } from '../../shared/campaigns/create-campaign.js';
import { CampaignContentCache, dispatchRecipient } from '../../shared/campaigns/dispatch-recipient.js';
import { enqueueChunk } from '../../shared/campaigns/enqueue-chunk.js';
import type { CampaignStorePort, CampaignTaskPort } from '../../shared/campaigns/ports.js';
import { readCampaign } from '../../shared/campaigns/read-campaign.js';
import { chunkPositions, scheduleTimeOf } from '../../shared/campaigns/schedule.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import { createLogger } from '../../shared/log/logger.js';
import type { SendDeps } from '../../shared/outbound/send-message.js';
import type { Publish } from '../../shared/pubsub/publisher.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { CampaignStore } from '../../shared/store/campaigns.js';
import { getConsent } from '../../shared/store/consents.js';
import type { FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { benchPhones } from '../../devtools/campaign-harness.js';
import { countingFirestore, newCounts, type OperationCounts } from './counting-firestore.js';

export interface CampaignOps {
  reads: number;
  writes: number;
  /** Aggregation queries (`count()`): billed one read per up to 1,000 index entries they count. */
  aggregations: number;
}

export interface CampaignOpsRow {
  readonly phase: string;
  readonly total: CampaignOps;
  /** Divided by the recipients. */
  readonly perRecipient: CampaignOps;
  readonly note: string;
}

const silent = createLogger({}, () => undefined);
const none = (): CampaignOps => ({ reads: 0, writes: 0, aggregations: 0 });

/** What each store method costs in Firestore operations (transition: its read, and its write when it changed). */
function storeCost(method: string, args: unknown[], result: unknown): CampaignOps {
  switch (method) {
    case 'get':
    case 'getState':
    case 'getChunk':
      return { reads: 1, writes: 0, aggregations: 0 };
    case 'create':
      return { reads: 0, writes: 1 + (Array.isArray(args[1]) ? args[1].length : 0), aggregations: 0 };
    case 'markChunkEnqueued':
    case 'markChunkTasksCreated':
      return { reads: 0, writes: 1, aggregations: 0 };
    case 'transition':
      return { reads: 1, writes: (result as { changed?: boolean }).changed ? 1 : 0, aggregations: 0 };
    case 'countByState':
      return { reads: 0, writes: 0, aggregations: 7 };
    case 'countRecords':
    case 'countEnqueuedChunks':
      return { reads: 0, writes: 0, aggregations: 1 };
    default:
      return none();
  }
}

function countingStore(store: CampaignStore, counts: () => CampaignOps): CampaignStorePort {
  return new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        const cost = storeCost(String(property), args, result);
        const current = counts();
        current.reads += cost.reads;
        current.writes += cost.writes;
        current.aggregations += cost.aggregations;
        return result;
      };
    },
  });
}

/** Tasks are not this bench's business: every creation succeeds at once. */
const acceptingTasks: CampaignTaskPort = {
  createChunkTask: () => Promise.resolve({ kind: 'done' }),
  createRecipientTask: () => Promise.resolve({ kind: 'done' }),
};

export async function countCampaignOperations(options: {
  db: Firestore;
  rbm: FakeRbm;
  agentId: string;
  recipients: number;
}): Promise<CampaignOpsRow[]> {
  let current = none();
  let sendCounts: OperationCounts = newCounts();
  const store = countingStore(new CampaignStore(options.db), () => current);
  const sendDb = countingFirestore(options.db, () => sendCounts);
  const messages = new AgentMessageStore(sendDb);
  let published = 0;
  const publish: Publish = () => Promise.resolve(String(++published));
  const send: SendDeps = {
    agentId: options.agentId,
    store: messages,
    rbm: new RbmClient(
      loadRbmConfig({ RBM_AGENT_ID: options.agentId, RBM_API_ENDPOINT: options.rbm.url, RBM_AUTH: 'none' }),
      { logger: silent },
    ),
    logger: silent,
    consent: { mode: 'promotional', get: (phone) => getConsent(sendDb, phone) },
    events: new OutcomePublisher({
      publish,
      topics: { status: 'rbm-message-status', fallback: 'rbm-fallback' },
      store: messages,
      logger: silent,
    }),
  };
  const rows: CampaignOpsRow[] = [];
  const phase = async (name: string, note: string, work: () => Promise<unknown>): Promise<void> => {
    current = none();
    sendCounts = newCounts();
    await work();
    const total = {
      reads: current.reads + sendCounts.reads,
      writes: current.writes + sendCounts.writes + sendCounts.failedWrites,
      aggregations: current.aggregations,
    };
    const per = (value: number) => Math.round((value / options.recipients) * 1000) / 1000;
    rows.push({
      phase: name,
      total,
      perRecipient: {
        reads: per(total.reads),
        writes: per(total.writes),
        aggregations: per(total.aggregations),
      },
      note,
    });
  };

  const campaignId = `ops-${Date.now().toString(36)}`;
  const recipients = benchPhones(options.recipients, 6_000_000);
  const agentMessage = { contentMessage: { text: 'Spring sale' }, messageTrafficType: 'PROMOTION' };
  await phase('create', 'one batch: the campaign and its chunks', async () => {
    const outcome = await createCampaign(
      { campaignId, agentMessage, recipients, ratePerSecond: 500 },
      { store, tasks: acceptingTasks, logger: silent },
    );
    if (outcome.kind !== 'created') throw new Error(`create ended ${outcome.kind}`);
  });
  const campaign = await new CampaignStore(options.db).get(campaignId);
  if (!campaign) throw new Error('campaign not stored');
  await phase('enqueue', 'per chunk: campaign + chunk read, chunk marked', async () => {
    for (let chunk = 0; chunk < campaign.chunkCount; chunk++) {
      const outcome = await enqueueChunk(
        { campaignId, chunk, generation: 0 },
        { store, tasks: acceptingTasks, logger: silent },
      );
      if (outcome.kind !== 'enqueued') throw new Error(`enqueue ended ${outcome.kind}`);
    }
  });
  const content = new CampaignContentCache();
  await phase(
    'dispatch',
    'per recipient: state read, consent read (PROMOTION), send path; RUNNING once; completion check at the end',
    async () => {
      for (let chunk = 0; chunk < campaign.chunkCount; chunk++) {
        const { first, end } = chunkPositions(chunk, campaign.recipientCount);
        for (let position = first; position < end; position++) {
          // Each dispatch runs at its slot, as the queue runs it: only the last one checks completion.
          const slot = scheduleTimeOf(campaign, position).getTime();
          const outcome = await dispatchRecipient(
            { campaignId, phoneNumber: recipients[position] ?? '', position },
            { store, send, content, logger: silent, now: () => new Date(slot) },
          );
          if (outcome.kind !== 'sendOutcome' || outcome.outcome.kind !== 'sent') {
            throw new Error(`dispatch ended ${outcome.kind}`);
          }
        }
      }
    },
  );
  await phase('progress read', 'GET: the document and 8 aggregation queries, whatever the size', async () => {
    const outcome = await readCampaign(campaignId, { store });
    if (outcome.kind !== 'found' || outcome.campaign.state !== 'COMPLETED') {
      throw new Error('the campaign did not complete');
    }
  });
  return rows;
}
