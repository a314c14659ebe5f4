/**
 * What a function that calls RBM on a caller's behalf needs, built once per instance: the agent id, the
 * logger, Firestore and an RBM client created on first use, and the deadline of each storage call (the
 * function bounds its own stores with it). Configuration is read at start-up.
 */
import type { Firestore } from '@google-cloud/firestore';
import { loadRbmConfig } from '../config/rbm.js';
import type { Logger } from '../log/logger.js';
import { lazy, loadConfig, type Platform } from '../runtime/platform.js';
import { RbmClient } from './client.js';
import { firestore } from '../store/firestore.js';
import { storageDeadlineMs } from '../store/storage-deadline.js';

export interface RbmCaller {
  agentId: string;
  logger: Logger;
  /** FIRESTORE_DEADLINE_MS: see shared/store/storage-deadline.ts. */
  storageDeadlineMs: number;
  db(): Firestore;
  rbm(): RbmClient;
}

export function rbmCaller(platform: Platform): RbmCaller {
  const config = loadConfig(platform, loadRbmConfig);
  return {
    agentId: config.agentId,
    logger: platform.logger,
    storageDeadlineMs: loadConfig(platform, storageDeadlineMs),
    db: () => firestore(platform.projectId),
    rbm: lazy(() => new RbmClient(config, { logger: platform.logger })),
  };
}
