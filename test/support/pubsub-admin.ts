/** Pub/Sub access for tests, against the emulator of the integration global setup. */
import { emulatorContext } from './emulator-context.js';
import type { EmulatorContext } from './emulator-context.js';
import type { PubSub } from '@google-cloud/pubsub';
import { emulatorPubSub } from '../../devtools/emulator-clients.js';

/**
 * A client for the emulator. The placeholder credentials are never used (emulator mode talks plain gRPC); without
 * them the client first probes for Application Default Credentials and the GCE metadata server (slow, and a
 * MetadataLookupWarning).
 */
export function pubsubAdmin(context: EmulatorContext = emulatorContext()): PubSub {
  return emulatorPubSub(context.projectId, context.pubsubHost);
}
