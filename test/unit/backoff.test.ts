import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  isRetryableStatus,
  parseRetryAfterMs,
  retryDelayMs,
} from '../../shared/http/backoff.js';

const policy = { deadlineMs: 20_000, initialBackoffMs: 100, maxBackoffMs: 1_000, attemptTimeoutMs: 5_000 };

describe('backoff', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1000],
    [10, 1000],
  ])('retry %i waits at most %i ms (full jitter)', (retry, ceiling) => {
    expect(backoffDelayMs(retry, policy, () => 1)).toBe(ceiling);
    expect(backoffDelayMs(retry, policy, () => 0)).toBe(0);
  });

  it.each([
    ['2', 2000],
    ['0.5', 500],
    [' 3 ', 3000],
    ['', undefined],
    [null, undefined],
    ['soon', undefined],
  ])('Retry-After %j → %j ms', (header, expected) => {
    expect(parseRetryAfterMs(header)).toBe(expected);
  });

  it('reads an HTTP-date Retry-After relative to now', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
  });

  it('never retries sooner than Retry-After', () => {
    expect(retryDelayMs(1, 3000, policy, () => 1)).toBe(3000);
    expect(retryDelayMs(4, 10, policy, () => 1)).toBe(800);
  });

  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [403, false],
    [404, false],
    [409, false],
  ])('status %i retryable: %s', (status, retryable) => {
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
