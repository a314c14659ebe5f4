/**
 * What the integration global setup provides to every test file: the running emulators.
 * Read it with `emulatorContext()` (or vitest's `inject('emulators')`).
 */
import { inject } from 'vitest';

export interface EmulatorContext {
  /** `127.0.0.1:PORT` of the Pub/Sub emulator (PUBSUB_EMULATOR_HOST). */
  readonly pubsubHost: string;
  /** `127.0.0.1:PORT` of the Firestore emulator (FIRESTORE_EMULATOR_HOST). */
  readonly firestoreHost: string;
  /** The project id the emulators and the functions use (GOOGLE_CLOUD_PROJECT). */
  readonly projectId: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: EmulatorContext;
  }
}

export function emulatorContext(): EmulatorContext {
  return inject('emulators');
}

/** The environment variables that point Google client libraries (and the functions) at the emulators. */
export function emulatorEnv(context: EmulatorContext = emulatorContext()): Record<string, string> {
  return {
    GOOGLE_CLOUD_PROJECT: context.projectId,
    GCLOUD_PROJECT: context.projectId,
    PUBSUB_PROJECT_ID: context.projectId,
    FIRESTORE_EMULATOR_HOST: context.firestoreHost,
    PUBSUB_EMULATOR_HOST: context.pubsubHost,
  };
}

/**
 * A topic prefix of its own for a stack on the shared test emulators, so that messages still in flight for one
 * test file's stack never reach another's.
 */
export function uniqueTopicPrefix(): string {
  return `t${Math.random().toString(36).slice(2, 8)}-`;
}
