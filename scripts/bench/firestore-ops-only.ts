/**
 * `npm run bench -- --only firestore-ops`: the Firestore operations per message alone (firestore-ops.ts), on
 * fresh emulators; the rows replace those of docs/benchmarks/bench.json and BENCHMARKS.md is re-rendered.
 */
import { emulatorFirestore } from '../../devtools/emulator-clients.js';
import { startEmulators } from '../../devtools/emulators.js';
import { startFakeRbm } from '../../sandbox/fake-rbm/index.js';
import { countOperations, firestoreOpsSection } from './firestore-ops.js';
import { updateStoredResults } from './stored-results.js';
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
    await updateStoredResults({ firestoreOps: rows });
    options.log('updated the Firestore operation rows of docs/benchmarks/bench.json and BENCHMARKS.md');
  } finally {
    await rbm.close();
    await db.terminate();
    await emulators.stop();
  }
}
