/**
 * `npm run bench -- --only cold-start`: the cold-start table alone (cold-start-variants.ts), on fresh emulators;
 * its rows and the bundle sizes replace those of docs/benchmarks/bench.json and BENCHMARKS.md is re-rendered.
 */
import { emulatorPubSub } from '../../devtools/emulator-clients.js';
import { startEmulators } from '../../devtools/emulators.js';
import { FUNCTION_NAMES } from '../../devtools/local-stack.js';
import { startFakeRbm } from '../../sandbox/fake-rbm/index.js';
import { bundleSizes } from './bundles.js';
import { measureColdStarts } from './cold-start.js';
import { coldStartTopics, coldStartVariants } from './cold-start-variants.js';
import { coldStartSection } from './markdown.js';
import { updateStoredResults } from './stored-results.js';

export async function runColdStartOnly(options: {
  projectId: string;
  agentId: string;
  clientToken: string;
  phone: string;
  offlinePhone: string;
  quick: boolean;
  log: (line: string) => void;
}): Promise<void> {
  const startedAt = new Date();
  options.log('starting the emulators');
  const emulators = await startEmulators({ projectId: options.projectId });
  const pubsub = emulatorPubSub(options.projectId, emulators.pubsubHost);
  const rbm = await startFakeRbm({ agentId: options.agentId });
  try {
    for (const topic of coldStartTopics()) await pubsub.createTopic(topic).catch(() => undefined);
    await rbm.setPhone(options.offlinePhone, 'offline');
    const variants = await coldStartVariants({
      ...options,
      rbmUrl: rbm.url,
      emulators: { firestoreHost: emulators.firestoreHost, pubsubHost: emulators.pubsubHost },
    });
    const coldStarts = await measureColdStarts(variants, options.quick ? 3 : 10, options.log);
    const command = `npm run bench -- --only cold-start${options.quick ? ' --quick' : ''}`;
    const results = await updateStoredResults({
      bundles: await bundleSizes(FUNCTION_NAMES),
      coldStarts,
      coldStartRun: { date: startedAt.toISOString(), command },
    });
    console.log(coldStartSection(results));
    options.log(
      'updated the cold-start rows and bundle sizes of docs/benchmarks/bench.json; BENCHMARKS.md re-rendered',
    );
  } finally {
    await rbm.close();
    await pubsub.close();
    await emulators.stop();
  }
}
