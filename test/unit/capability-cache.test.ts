import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CAPABILITY_TTLS,
  ageSeconds,
  isReusable,
  loadCapabilityTtls,
  type CachedCapability,
} from '../../shared/capabilities/cache-rules.js';
import { featureNames } from '../../shared/capabilities/check-capabilities.js';

const now = new Date('2026-03-01T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const ttls = { reachableSeconds: 100, notReachableSeconds: 40 };
const reachable = (seconds: number): CachedCapability => ({
  reachable: true,
  features: ['RICHCARD_STANDALONE'],
  checkedAt: ago(seconds),
});
const unreachable = (seconds: number): CachedCapability => ({ reachable: false, checkedAt: ago(seconds) });

describe('capability cache rules', () => {
  it.each([
    ['no entry', undefined, undefined, false],
    ['reachable, young', reachable(99), undefined, true],
    ['reachable, at its TTL', reachable(100), undefined, false],
    ['not reachable, young', unreachable(39), undefined, true],
    ['not reachable, past the negative TTL', unreachable(40), undefined, false],
    ['reachable, older than maxAgeSeconds', reachable(30), 30, false],
    ['reachable, younger than maxAgeSeconds', reachable(29), 30, true],
    ['maxAgeSeconds 0 forces a call', reachable(0), 0, false],
    ['maxAgeSeconds above the TTL does not extend it', reachable(120), 1000, false],
    ['reachable with features unknown', { reachable: true, checkedAt: ago(1) }, undefined, false],
    ['not reachable: features do not matter', unreachable(1), undefined, true],
    [
      'reachable with no features at all',
      { reachable: true, features: [], checkedAt: ago(1) },
      undefined,
      true,
    ],
    ['checked "in the future" (clock skew)', reachable(-5), undefined, true],
    ['checked "in the future", maxAgeSeconds 0', reachable(-5), 0, false],
  ] as const)('%s → reusable %s', (_label, entry, maxAge, expected) => {
    expect(isReusable(entry, now, ttls, maxAge)).toBe(expected);
  });

  it.each([
    ['reachable, just checked', reachable(0)],
    ['not reachable, just checked', unreachable(0)],
    ['checked "in the future" (clock skew)', reachable(-5)],
  ] as const)('TTLs of 0: %s is never reused', (_label, entry) => {
    expect(isReusable(entry, now, { reachableSeconds: 0, notReachableSeconds: 0 })).toBe(false);
  });

  it('age is whole seconds, never negative', () => {
    expect(ageSeconds({ checkedAt: ago(12.9) }, now)).toBe(12);
    expect(ageSeconds({ checkedAt: ago(-3) }, now)).toBe(0);
  });

  it('TTLs come from the environment, with the documented defaults', () => {
    expect(DEFAULT_CAPABILITY_TTLS).toEqual({ reachableSeconds: 86_400, notReachableSeconds: 21_600 });
    expect(loadCapabilityTtls({})).toEqual(DEFAULT_CAPABILITY_TTLS);
    expect(loadCapabilityTtls({ RBM_CAPABILITY_TTL_S: '60', RBM_CAPABILITY_NEGATIVE_TTL_S: '30' })).toEqual({
      reachableSeconds: 60,
      notReachableSeconds: 30,
    });
    expect(loadCapabilityTtls({ RBM_CAPABILITY_TTL_S: '0', RBM_CAPABILITY_NEGATIVE_TTL_S: '0' })).toEqual({
      reachableSeconds: 0,
      notReachableSeconds: 0,
    });
    expect(() => loadCapabilityTtls({ RBM_CAPABILITY_TTL_S: 'soon' })).toThrow(/RBM_CAPABILITY_TTL_S/);
    expect(() => loadCapabilityTtls({ RBM_CAPABILITY_NEGATIVE_TTL_S: '-1' })).toThrow(
      /RBM_CAPABILITY_NEGATIVE_TTL_S must be a whole number of 0 or more/,
    );
  });

  it('keeps feature names RBM sends, unknown ones included, and nothing else', () => {
    expect(featureNames(['REVOCATION', 'SOMETHING_NEW', 3, null])).toEqual(['REVOCATION', 'SOMETHING_NEW']);
    expect(featureNames(undefined)).toEqual([]);
  });
});
