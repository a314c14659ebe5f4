/**
 * How long stored messages are kept. A Firestore TTL policy on `deleteAt` (terraform/firestore.tf) deletes a
 * document once that time has passed, so each document that should expire carries `deleteAt` = its creation time
 * plus the retention of its collection (docs/operations.md). Pure: the store decides where to write it.
 */
import { ConfigError, positiveInteger, type Env } from '../config/env.js';

/** The timestamp field the TTL policies watch. */
export const RETENTION_FIELD = 'deleteAt';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Longest retention accepted: ten years (Terraform's validation says the same). */
export const MAX_RETENTION_DAYS = 3650;

/** Retention per collection: the variable that sets it (from Terraform) and its default. */
export const RETENTION = {
  agentMessages: { variable: 'RBM_AGENT_MESSAGE_RETENTION_DAYS', defaultDays: 400 },
  userMessages: { variable: 'RBM_USER_MESSAGE_RETENTION_DAYS', defaultDays: 90 },
} as const;

export type RetainedCollection = keyof typeof RETENTION;

/** When a document created at `createdAt` is to be deleted: `days` whole days later. */
export function retentionExpiry(createdAt: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new RangeError(`retention must be 1 to ${MAX_RETENTION_DAYS} whole days, got ${days}`);
  }
  return new Date(createdAt.getTime() + days * DAY_MS);
}

/** The retention in days of a collection, from its variable (default when unset). */
export function retentionDays(env: Env, collection: RetainedCollection): number {
  const { variable, defaultDays } = RETENTION[collection];
  const days = positiveInteger(env, variable, defaultDays);
  if (days > MAX_RETENTION_DAYS) {
    throw new ConfigError(variable, `must be at most ${MAX_RETENTION_DAYS} days, got ${days}.`);
  }
  return days;
}
