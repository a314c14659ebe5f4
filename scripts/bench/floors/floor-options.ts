/**
 * Emulator client options of the floors. gRPC: the project's placeholder key, which skips the credential probe
 * (the emulator connection is insecure and never signs). REST sends every call through the auth client, which
 * would sign with that key: a pass-through client sends the calls unauthenticated, as the emulators accept them.
 */
import { EMULATOR_PLACEHOLDER_CREDENTIALS } from '../../../shared/emulator-credentials.js';

/** The topic the Pub/Sub floor publishes to (the benchmark creates it). */
export const FLOOR_TOPIC = 'cold-start-floor';

export async function floorClientOptions(rest: boolean): Promise<Record<string, unknown>> {
  if (!rest) return { credentials: EMULATOR_PLACEHOLDER_CREDENTIALS };
  // Loaded only by the REST floors, so the gRPC floors stay the library alone.
  const { PassThroughClient } = await import('google-auth-library');
  return { authClient: new PassThroughClient() };
}
