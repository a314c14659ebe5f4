/**
 * When a cached capability answer may be reused: younger than the TTL of its kind (reachable or not) and
 * than the caller's `maxAgeSeconds`. A reachable entry whose features are unknown (learnt from users:batchGet,
 * a send or an inbound message) cannot answer a capabilities request.
 */
import { nonNegativeInteger, type Env } from '../config/env.js';

export interface CapabilityTtls {
  /** Lifetime of an entry that says reachable (`RBM_CAPABILITY_TTL_S`). */
  reachableSeconds: number;
  /** Lifetime of an entry that says not reachable (`RBM_CAPABILITY_NEGATIVE_TTL_S`). */
  notReachableSeconds: number;
}

export const DEFAULT_CAPABILITY_TTLS: Readonly<CapabilityTtls> = {
  reachableSeconds: 86_400,
  notReachableSeconds: 21_600,
};

export function loadCapabilityTtls(env: Env): CapabilityTtls {
  return {
    // 0 is allowed: entries are still written, never answered from.
    reachableSeconds: nonNegativeInteger(
      env,
      'RBM_CAPABILITY_TTL_S',
      DEFAULT_CAPABILITY_TTLS.reachableSeconds,
    ),
    notReachableSeconds: nonNegativeInteger(
      env,
      'RBM_CAPABILITY_NEGATIVE_TTL_S',
      DEFAULT_CAPABILITY_TTLS.notReachableSeconds,
    ),
  };
}

/** What the cache needs to know of an entry. */
export interface CachedCapability {
  reachable: boolean;
  /** Undefined when not known. */
  features?: readonly string[];
  checkedAt: Date;
}

/** Whole seconds since the check (never negative), as the `Age` header says it. */
export function ageSeconds(entry: Pick<CachedCapability, 'checkedAt'>, now: Date): number {
  return Math.max(0, Math.floor((now.getTime() - entry.checkedAt.getTime()) / 1000));
}

/** Whether `entry` answers a request now; `maxAgeSeconds` 0 never reuses an entry. */
export function isReusable(
  entry: CachedCapability | undefined,
  now: Date,
  ttls: CapabilityTtls,
  maxAgeSeconds?: number,
): entry is CachedCapability {
  if (entry === undefined) return false;
  if (entry.reachable && entry.features === undefined) return false;
  const ttlMs = (entry.reachable ? ttls.reachableSeconds : ttls.notReachableSeconds) * 1000;
  const limitMs = Math.min(
    ttlMs,
    maxAgeSeconds === undefined ? Number.POSITIVE_INFINITY : maxAgeSeconds * 1000,
  );
  // A check stamped ahead of this clock (skew) counts as just made; a limit of 0 reuses nothing.
  return Math.max(0, now.getTime() - entry.checkedAt.getTime()) < limitMs;
}
