import { describe, expect, it } from 'vitest';
import { achievedRate, maxWindowRate, percentile, repeated } from '../../scripts/soak/campaign-checks.js';

const everyMs = (count: number, stepMs: number, from = 0) =>
  Array.from({ length: count }, (_, i) => from + i * stepMs);

describe('campaign run checks', () => {
  it.each([
    [everyMs(101, 10), 100],
    [everyMs(11, 100), 10],
    [[5], 0],
    [[], 0],
  ])('achieved rate of %j is %f/s', (times, rate) => {
    expect(achievedRate(times)).toBeCloseTo(rate, 6);
  });

  it('a steady 100/s never passes 100/s in a 10 s window', () => {
    expect(maxWindowRate(everyMs(3000, 10), 10_000)).toBe(100);
  });

  it('a burst of retries on top of the pace shows in the window that holds it', () => {
    const steady = everyMs(3000, 10);
    const burst = everyMs(200, 1, 12_000); // 200 more within 0.2 s
    expect(maxWindowRate([...steady, ...burst], 10_000)).toBe(120);
  });

  it('finds repeated keys only', () => {
    expect([...repeated(['a', 'b', 'a', 'c', 'a', 'b'])]).toEqual([
      ['a', 3],
      ['b', 2],
    ]);
    expect(repeated(['a', 'b']).size).toBe(0);
  });

  it.each([
    [50, 5],
    [95, 10],
    [100, 10],
    [0, 1],
  ])('p%i of 1..10 is %i', (p, value) => {
    expect(percentile(everyMs(10, 1, 1), p)).toBe(value);
  });
});
