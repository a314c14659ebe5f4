/**
 * What every function gets from the runtime: its declared environment, a logger, and a Pub/Sub publisher
 * created on first use (a cold start pays only for the clients its first request touches). Firestore is not
 * here: a function that uses it takes `firestore(platform.projectId)` from shared/store/firestore.ts, so the
 * bundles that never touch Firestore (webhook) neither contain nor load @google-cloud/firestore.
 */
import { optionalString, type Env } from '../config/env.js';
import { createLogger, type Logger } from '../log/logger.js';
import { withInjectedPublishDelay } from '../pubsub/publish-delay.js';
import { createPublisher, type Publish } from '../pubsub/publisher.js';
import { declaredEnv } from './environment.js';
import type { FunctionSpec } from './spec.js';

export interface Platform {
  readonly env: Env;
  readonly projectId: string | undefined;
  readonly logger: Logger;
  publisher(): Publish;
}

export function createPlatform(spec: FunctionSpec, env: Env = process.env): Platform {
  const visible = declaredEnv(spec, env);
  const projectId = optionalString(visible, 'GOOGLE_CLOUD_PROJECT');
  const logger = createLogger({ function: spec.name });
  let publish: Publish | undefined;
  return {
    env: visible,
    projectId,
    logger,
    // A test-only delay, for the functions whose spec declares its variable (emulator only).
    publisher: () =>
      (publish ??= withInjectedPublishDelay(
        createPublisher(projectId, { logger, env: visible }),
        visible,
        logger,
      )),
  };
}

/** A value built on first use and kept. */
export function lazy<T>(create: () => T): () => T {
  let value: T | undefined;
  let made = false;
  return () => {
    if (!made) {
      value = create();
      made = true;
    }
    return value as T;
  };
}

/** Reads the configuration at start-up; a bad environment is logged with the variable's name and stops the start. */
export function loadConfig<T>(platform: Platform, load: (env: Env) => T): T {
  try {
    return load(platform.env);
  } catch (error) {
    platform.logger.error('Refusing to start: invalid configuration', { err: error });
    throw error;
  }
}
