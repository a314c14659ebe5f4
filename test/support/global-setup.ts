/**
 * Vitest global setup of the `integration` project: starts the real gcloud Pub/Sub and Firestore emulators once,
 * provides their addresses to the test files (`emulatorContext()` in ./emulator-context.ts), and stops them (whole
 * process groups, no JVM left) when the run ends. A missing gcloud or emulator component fails the run at once.
 */
import type { TestProject } from 'vitest/node';
import { startEmulators } from '../../devtools/emulators.js';
import type { EmulatorContext } from './emulator-context.js';

export const TEST_PROJECT_ID = 'rbm-test';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  const emulators = await startEmulators({ projectId: TEST_PROJECT_ID });
  console.log(
    `[global-setup] emulators ready in ${Date.now() - startedAt} ms: pubsub ${emulators.pubsubHost}, firestore ${emulators.firestoreHost}`,
  );
  const context: EmulatorContext = {
    pubsubHost: emulators.pubsubHost,
    firestoreHost: emulators.firestoreHost,
    projectId: emulators.projectId,
  };
  project.provide('emulators', context);
  return async () => {
    await emulators.stop();
  };
}
