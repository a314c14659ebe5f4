/**
 * The query API and the capability cache: Firestore reads of a GET and of a list page (counted in-process with
 * counting-firestore.ts), RBM calls of a capabilities cache hit, and GET-one-message latency on one `messages`
 * instance. `npm run bench -- --only query-api` runs just this.
 */
import { Timestamp, type Firestore } from '@google-cloud/firestore';
import { DEFAULT_CAPABILITY_TTLS } from '../../shared/capabilities/cache-rules.js';
import { checkCapabilities, type CapabilitiesPort } from '../../shared/capabilities/check-capabilities.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { createLogger } from '../../shared/log/logger.js';
import { pageTokenKey } from '../../shared/query/page-token.js';
import { getAgentMessage, listPhoneAgentMessages } from '../../shared/query/read-messages.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { capabilityCache } from '../../shared/store/capabilities.js';
import { messageQueryStore } from '../../shared/store/message-queries.js';
import { countingFirestore, newCounts, type OperationCounts } from './counting-firestore.js';
import { startEmulators } from '../../devtools/emulators.js';
import { emulatorFirestore } from '../../devtools/emulator-clients.js';
import { startFunction } from '../../devtools/function-server.js';
import { startFakeRbm } from '../../sandbox/fake-rbm/index.js';
import { closedLoop, type LoadResult } from './load.js';
import { table } from './markdown-table.js';

export interface QueryOperationRow {
  readonly step: string;
  readonly reads: number;
  readonly writes: number;
  readonly rbmCalls: number;
  /** The most the design allows. */
  readonly maxReads: number;
  readonly maxRbmCalls: number;
  readonly note: string;
}

export interface QueryApiBench {
  operations: QueryOperationRow[];
  /** GET /v1/phones/{E.164}/agentMessages/{id} on one instance, by concurrency. */
  getMessage: LoadResult[];
}

const silent = createLogger({}, () => undefined);
const SEEDED = 120;
const PAGE = 50;

/** `count` records of one phone, as send writes them (bookkeeping fields included). */
export async function seedPhoneMessages(
  db: Firestore,
  agentId: string,
  phone: string,
  count: number,
): Promise<string[]> {
  const ids = Array.from(
    { length: count },
    (_, i) => `bench-${phone.slice(-4)}-${String(i).padStart(4, '0')}`,
  );
  const writer = db.bulkWriter();
  const base = Date.now() - count * 1000;
  const writes = ids.map((id, i) =>
    writer.set(db.collection('agentMessages').doc(id), {
      messageId: id,
      agentId,
      phoneNumber: phone,
      state: 'DELIVERED',
      contentType: 'text',
      createdAt: Timestamp.fromMillis(base + i * 1000),
      updatedAt: Timestamp.fromMillis(base + i * 1000 + 500),
      sentAt: Timestamp.fromMillis(base + i * 1000),
      deliveredAt: Timestamp.fromMillis(base + i * 1000 + 500),
      attempts: 1,
      contentSha256: '0'.repeat(64),
    }),
  );
  const settled = Promise.allSettled(writes);
  await writer.close();
  const failed = (await settled).find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return ids;
}

export async function countQueryOperations(options: {
  db: Firestore;
  rbmUrl: string;
  agentId: string;
  phone: string;
}): Promise<QueryOperationRow[]> {
  let current: OperationCounts = newCounts();
  let rbmCalls = 0;
  const db = countingFirestore(options.db, () => current);
  const ids = await seedPhoneMessages(options.db, options.agentId, options.phone, SEEDED);
  const deps = {
    store: messageQueryStore(db),
    pageTokenKey: pageTokenKey(undefined, 'bench', options.agentId),
  };
  const rbm = new RbmClient(
    loadRbmConfig({ RBM_AGENT_ID: options.agentId, RBM_API_ENDPOINT: options.rbmUrl, RBM_AUTH: 'none' }),
    { logger: silent },
  );
  const countedRbm: CapabilitiesPort = {
    getCapabilities: (phone, requestId) => {
      rbmCalls += 1;
      return rbm.getCapabilities(phone, requestId);
    },
  };
  const rows: QueryOperationRow[] = [];
  const step = async (
    name: string,
    limits: { maxReads: number; maxRbmCalls: number; note: string },
    work: () => Promise<unknown>,
  ): Promise<void> => {
    current = newCounts();
    rbmCalls = 0;
    await work();
    rows.push({ step: name, reads: current.reads, writes: current.writes, rbmCalls, ...limits });
  };

  await step('GET one message', { maxReads: 1, maxRbmCalls: 0, note: '1 document read' }, () =>
    getAgentMessage({ phoneNumber: options.phone, messageId: ids[0] ?? '', query: {} }, deps),
  );
  let token: string | undefined;
  await step(
    `list page of ${PAGE} (first)`,
    { maxReads: PAGE + 1, maxRbmCalls: 0, note: 'pageSize + 1 documents' },
    async () => {
      const page = await listPhoneAgentMessages(
        { phoneNumber: options.phone, query: { pageSize: String(PAGE) } },
        deps,
      );
      token = page.body.nextPageToken as string | undefined;
    },
  );
  await step(
    `list page of ${PAGE} (next)`,
    { maxReads: PAGE + 1, maxRbmCalls: 0, note: 'pageSize + 1 documents' },
    () =>
      listPhoneAgentMessages(
        { phoneNumber: options.phone, query: { pageSize: String(PAGE), pageToken: token ?? '' } },
        deps,
      ),
  );
  const capabilityDeps = {
    cache: capabilityCache(db),
    rbm: countedRbm,
    agentId: options.agentId,
    ttls: DEFAULT_CAPABILITY_TTLS,
    logger: silent,
  };
  const capabilityRequest = { phoneNumber: options.phone, query: {} };
  await step(
    'capabilities cache miss',
    { maxReads: 1, maxRbmCalls: 1, note: '1 read, 1 RBM call, 1 write' },
    () => checkCapabilities(capabilityRequest, capabilityDeps),
  );
  await step(
    'capabilities cache hit',
    { maxReads: 1, maxRbmCalls: 0, note: '1 read, no RBM call' },
    async () => {
      const outcome = await checkCapabilities(capabilityRequest, capabilityDeps);
      if (outcome.kind !== 'features' || outcome.cache !== 'HIT')
        throw new Error(`expected a cache hit, got ${outcome.kind}`);
    },
  );
  return rows;
}

/** GET one message on one `messages` instance, closed loop at each concurrency. */
export async function measureGetMessage(options: {
  messagesUrl: string;
  phone: string;
  messageId: string;
  concurrencies: readonly number[];
  durationMs: number;
}): Promise<LoadResult[]> {
  const url = `${options.messagesUrl}/v1/phones/${encodeURIComponent(options.phone)}/agentMessages/${options.messageId}`;
  const once = async (): Promise<boolean> => {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  };
  await closedLoop(4, 1_000, once); // warm-up: first-request client start-up is not what is measured
  const results: LoadResult[] = [];
  for (const concurrency of options.concurrencies) {
    results.push(await closedLoop(concurrency, options.durationMs, once));
  }
  return results;
}

export function queryApiSection(results: QueryApiBench): string {
  return [
    '## Query API and capability cache',
    '',
    `Operations counted in-process (shared/query, shared/capabilities) against the emulator through the counting`,
    `client, on a phone with ${SEEDED} records; a query reads each document it returns.`,
    '',
    table(
      ['step', 'reads', 'writes', 'RBM calls', 'max reads', 'max RBM calls', 'target'],
      results.operations.map((r) => [
        r.step,
        r.reads,
        r.writes,
        r.rbmCalls,
        r.maxReads,
        r.maxRbmCalls,
        r.note,
      ]),
    ),
    '',
    'GET one message on one `messages` instance (closed loop, after a warm-up):',
    '',
    table(
      ['concurrency', 'req/s', 'p50 / p95 / p99 ms', 'errors'],
      results.getMessage.map((r) => [
        r.concurrency,
        r.requestsPerSecond,
        `${r.latencyMs.p50} / ${r.latencyMs.p95} / ${r.latencyMs.p99}`,
        r.errors,
      ]),
    ),
    '',
  ].join('\n');
}

/** Measures everything above on fresh emulators, a fake RBM and one `messages` bundle (build first). */
export async function measureQueryApi(options: {
  projectId: string;
  agentId: string;
  phone: string;
  quick: boolean;
  log: (line: string) => void;
}): Promise<QueryApiBench> {
  const emulators = await startEmulators({ projectId: options.projectId });
  const db = emulatorFirestore(options.projectId, emulators.firestoreHost);
  const rbm = await startFakeRbm({ agentId: options.agentId });
  try {
    const operations = await countQueryOperations({
      db,
      rbmUrl: rbm.url,
      agentId: options.agentId,
      phone: options.phone,
    });
    options.log('query API operations counted');
    const messages = await startFunction({
      name: 'messages',
      env: {
        GOOGLE_CLOUD_PROJECT: options.projectId,
        FIRESTORE_EMULATOR_HOST: emulators.firestoreHost,
        PUBSUB_EMULATOR_HOST: emulators.pubsubHost,
        RBM_AGENT_ID: options.agentId,
      },
    });
    try {
      const [messageId] = await seedPhoneMessages(db, options.agentId, options.phone, 1);
      const getMessage = await measureGetMessage({
        messagesUrl: messages.url,
        phone: options.phone,
        messageId: messageId ?? '',
        concurrencies: [1, 8],
        durationMs: options.quick ? 2_000 : 5_000,
      });
      options.log('GET one message measured');
      return { operations, getMessage };
    } finally {
      await messages.stop();
    }
  } finally {
    await rbm.close();
    await db.terminate();
    await emulators.stop();
  }
}
