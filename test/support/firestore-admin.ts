/** Firestore access for tests, against the emulator of the integration global setup. */
import { clearFirestore as clearEmulator } from '../../devtools/emulators.js';
import { emulatorContext } from './emulator-context.js';
import type { EmulatorContext } from './emulator-context.js';
import type { Firestore } from '@google-cloud/firestore';
import { emulatorFirestore } from '../../devtools/emulator-clients.js';

/**
 * A client for the emulator, acting as admin (`ssl: false` makes the client send `Bearer owner`). The placeholder
 * credentials are never used for signing; without them the client first probes for Application Default
 * Credentials and the GCE metadata server, which costs ~1 s and prints a MetadataLookupWarning.
 */
export function firestoreAdmin(context: EmulatorContext = emulatorContext()): Firestore {
  return emulatorFirestore(context.projectId, context.firestoreHost);
}

/** Deletes every document in the emulator (use in `beforeEach`). */
export function clearFirestore(context: EmulatorContext = emulatorContext()): Promise<void> {
  return clearEmulator(context.firestoreHost, context.projectId);
}
