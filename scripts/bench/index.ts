/**
 * `npm run bench [-- --quick]`: measures on the real emulators and the built bundles, then writes
 * docs/benchmarks/bench.json (raw numbers) and BENCHMARKS.md. Not part of the test run. Build first.
 * `npm run bench -- --only body-limits` measures the oversized bodies alone and prints their table;
 * `--only firestore-ops` counts the Firestore operations per message again and updates their rows;
 * `--only cold-start` measures the cold starts again (library floors included) and updates their rows.
 * `--only campaigns [--recipients N]` measures campaigns (scripts/bench/campaigns.ts) again and updates their figures.
 */
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { startFakeRbm } from '../../sandbox/fake-rbm/index.js';
import { startEmulators } from '../../devtools/emulators.js';
import { FUNCTION_NAMES, functionEnv, stackTopics, startLocalStack } from '../../devtools/local-stack.js';
import { firestoreAdmin, pubsubAdmin } from '../soak/clients.js';
import { measureBodyLimits } from './body-limits.js';
import { bundleSizes } from './bundles.js';
import { measureColdStarts } from './cold-start.js';
import { runColdStartOnly } from './cold-start-only.js';
import { coldStartTopics, coldStartVariants } from './cold-start-variants.js';
import { countOperations } from './firestore-ops.js';
import { runFirestoreOpsOnly } from './firestore-ops-only.js';
import { measureInbound } from './inbound-throughput.js';
import { measureQueryApi, queryApiSection } from './query-api.js';
import { measureCampaigns } from './campaigns.js';
import { runCampaignsOnly } from './campaigns-only.js';
import { bodyLimitsSection, type BenchResults } from './markdown.js';
import { measureSendConcurrency, runSendConcurrencyOnly } from './send-concurrency.js';
import { readStoredResults, storeResults } from './stored-results.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'render-only': { type: 'boolean', default: false },
    only: { type: 'string' },
    recipients: { type: 'string' },
  },
});
const quick = values.quick ?? false;
const log = (line: string): void => console.log(`[bench] ${line}`);
const PROJECT_ID = 'rbm-bench';
const AGENT_ID = 'bench-agent';
const CLIENT_TOKEN = 'bench-client-token-0123456789';
const PHONE = '+15550400001';
const OFFLINE_PHONE = '+15550400002';

if (values['render-only']) {
  // Re-render BENCHMARKS.md from the stored numbers (e.g. after a new soak report), without measuring.
  await storeResults(await readStoredResults());
  log('re-rendered BENCHMARKS.md from docs/benchmarks/bench.json');
  process.exit(0);
}

if (values.only === 'campaigns') {
  const recipients = values.recipients === undefined ? undefined : Number(values.recipients);
  await runCampaignsOnly({ quick, log, ...(recipients === undefined ? {} : { recipients }) });
  process.exit(0);
}

if (values.only === 'query-api') {
  const queryApi = await measureQueryApi({
    projectId: PROJECT_ID,
    agentId: AGENT_ID,
    phone: PHONE,
    quick,
    log,
  });
  console.log(queryApiSection(queryApi));
  process.exit(0);
}

if (values.only === 'firestore-ops') {
  await runFirestoreOpsOnly({ projectId: PROJECT_ID, agentId: AGENT_ID, phone: PHONE, log });
  process.exit(0);
}

if (values.only === 'cold-start') {
  await runColdStartOnly({
    projectId: PROJECT_ID,
    agentId: AGENT_ID,
    clientToken: CLIENT_TOKEN,
    phone: PHONE,
    offlinePhone: OFFLINE_PHONE,
    quick,
    log,
  });
  process.exit(0);
}

if (values.only === 'send-concurrency') {
  await runSendConcurrencyOnly({
    projectId: PROJECT_ID,
    agentId: AGENT_ID,
    clientToken: CLIENT_TOKEN,
    phone: PHONE,
    quick,
    log,
  });
  process.exit(0);
}

if (values.only !== undefined) {
  if (values.only !== 'body-limits') {
    throw new Error(`--only takes body-limits or send-concurrency, not ${values.only}`);
  }
  const rows = await measureBodyLimits({
    // No emulator: the webhook answers a refused body before it would publish anything.
    env: {
      GOOGLE_CLOUD_PROJECT: PROJECT_ID,
      PUBSUB_EMULATOR_HOST: '127.0.0.1:1',
      RBM_WEBHOOK_CLIENT_TOKEN: CLIENT_TOKEN,
    },
    clientToken: CLIENT_TOKEN,
    repetitions: quick ? 1 : 3,
    progress: log,
  });
  console.log(bodyLimitsSection(rows));
  process.exit(0);
}

const startedAt = new Date();
const t0 = performance.now();
log('starting the emulators');
const emulators = await startEmulators({ projectId: PROJECT_ID });
const hosts = { pubsubHost: emulators.pubsubHost, firestoreHost: emulators.firestoreHost };
const db = firestoreAdmin(PROJECT_ID, hosts);
const pubsub = pubsubAdmin(PROJECT_ID, hosts);
const rbm = await startFakeRbm({ agentId: AGENT_ID });
try {
  const bundles = await bundleSizes(FUNCTION_NAMES);
  log('bundle sizes read');

  await rbm.setPhone(OFFLINE_PHONE, 'offline');
  const firestoreOps = await countOperations({ db, rbm, agentId: AGENT_ID, phone: PHONE });
  log('Firestore operations counted');

  // Every topic a function publishes to, so first requests publish as they would when deployed.
  for (const topic of coldStartTopics()) {
    await pubsub.createTopic(topic).catch(() => undefined);
  }
  const base = {
    GOOGLE_CLOUD_PROJECT: PROJECT_ID,
    FIRESTORE_EMULATOR_HOST: hosts.firestoreHost,
    PUBSUB_EMULATOR_HOST: hosts.pubsubHost,
  };
  const settings = {
    agentId: AGENT_ID,
    clientToken: CLIENT_TOKEN,
    rbmUrl: rbm.url,
    topics: stackTopics(''),
  };
  const variants = await coldStartVariants({
    projectId: PROJECT_ID,
    agentId: AGENT_ID,
    clientToken: CLIENT_TOKEN,
    phone: PHONE,
    offlinePhone: OFFLINE_PHONE,
    rbmUrl: rbm.url,
    emulators: hosts,
  });
  const coldStarts = await measureColdStarts(variants, quick ? 3 : 10, log);
  await rbm.close();
  const bodyLimits = await measureBodyLimits({
    env: functionEnv('webhook', base, settings),
    clientToken: CLIENT_TOKEN,
    repetitions: quick ? 1 : 3,
    progress: log,
  });

  log('starting the local stack');
  const stack = await startLocalStack({
    projectId: PROJECT_ID,
    emulators: hosts,
    agentId: AGENT_ID,
    clientToken: CLIENT_TOKEN,
  });
  try {
    const sendThroughput = await measureSendConcurrency({
      sendUrl: stack.functions.send.url,
      sendPid: stack.functions.send.pid,
      rbmUrl: stack.rbm.url,
      agentId: AGENT_ID,
      phone: PHONE,
      quick,
      progress: log,
    });
    const inbound = [];
    const inboundOptions = {
      db,
      pubsub,
      inbound: stack.functions.inbound,
      agentId: AGENT_ID,
      deadlineMs: 180_000,
    };
    for (const rate of quick ? [25] : [25, 50]) {
      inbound.push(
        await measureInbound({
          ...inboundOptions,
          mode: 'steady',
          events: rate * (quick ? 4 : 10),
          ratePerSecond: rate,
        }),
      );
      log(`inbound steady ${rate}/s done`);
    }
    for (let rep = 0; rep < (quick ? 1 : 2); rep++) {
      inbound.push(await measureInbound({ ...inboundOptions, mode: 'burst', events: quick ? 200 : 1000 }));
      log('inbound burst done');
    }
    const queryApi = await measureQueryApi({
      projectId: `${PROJECT_ID}-query`,
      agentId: AGENT_ID,
      phone: PHONE,
      quick,
      log,
    });
    // On emulators of its own: a campaign's records and tasks stay out of the other measurements.
    const campaigns = await measureCampaigns({ quick, log });
    const results: BenchResults = {
      date: startedAt.toISOString(),
      command: `npm run bench${quick ? ' -- --quick' : ''}`,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        platform: `${process.platform} ${process.arch}`,
        node: process.version,
      },
      durationSeconds: 0,
      bundles,
      coldStarts,
      sendThroughput,
      inbound,
      firestoreOps,
      bodyLimits,
      queryApi,
      campaigns,
    };
    results.durationSeconds = Math.round((performance.now() - t0) / 1000);
    await storeResults(results);
    log(`wrote BENCHMARKS.md and docs/benchmarks/bench.json in ${results.durationSeconds} s`);
  } finally {
    await stack.stop();
  }
} finally {
  await rbm.close().catch(() => undefined);
  await pubsub.close().catch(() => undefined);
  await db.terminate().catch(() => undefined);
  await emulators.stop();
}
