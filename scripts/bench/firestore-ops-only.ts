/**
 * `npm run bench -- --only firestore-ops`: the Firestore operations per message alone (firestore-ops.ts), on
 * fresh emulators; the rows replace those of docs/benchmarks/bench.json and BENCHMARKS.md is re-rendered.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from 'prettier';
import { emulatorFirestore } from '../../devtools/emulator-clients.js';
import { startEmulators } from '../../devtools/emulators.js';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { startFakeRbm } from '../../sandbox/fake-rbm/index.js';
import { countOperations, firestoreOpsSection } from './firestore-ops.js';
import { renderMarkdown, type BenchResults } from './markdown.js';
/** Counts, prints the section, and stores the rows (every other figure kept as stored). */
export async function runFirestoreOpsOnly(options: {
  projectId: string;
  agentId: string;
  phone: string;
  log: (line: string) => void;
}): Promise<void> {
  options.log('starting the emulators');
  const emulators = await startEmulators({ projectId: options.projectId });
  const db = emulatorFirestore(options.projectId, emulators.firestoreHost);
  const rbm = await startFakeRbm({ agentId: options.agentId });
  try {
    const rows = await countOperations({ db, rbm, agentId: options.agentId, phone: options.phone });
    console.log(firestoreOpsSection(rows));
    const file = join(REPO_ROOT, 'docs', 'benchmarks', 'bench.json');
    const stored = JSON.parse(await readFile(file, 'utf8')) as BenchResults;
    const results: BenchResults = { ...stored, firestoreOps: rows };
    // Formatted as prettier would, so `npm run lint` (prettier --check .) stays green.
    await writeFile(file, await format(JSON.stringify(results), { parser: 'json', printWidth: 110 }));
    await writeFile(join(REPO_ROOT, 'BENCHMARKS.md'), await renderMarkdown(results));
    options.log('updated the Firestore operation rows of docs/benchmarks/bench.json and BENCHMARKS.md');
  } finally {
    await rbm.close();
    await db.terminate();
    await emulators.stop();
  }
}
