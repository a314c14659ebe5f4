import { describe, expect, it } from 'vitest';
import { cpuMsOfStat } from '../../scripts/bench/process-cpu.js';

describe('cpuMsOfStat', () => {
  it.each([
    ['a plain command name', '42 (node) S 1 42 42 0 -1 4194560 900 0 0 0 250 75 0 0 20 0 11 0 1000', 3250],
    ['a name with spaces and parentheses', '7 (a b) c) R 1 7 7 0 -1 0 0 0 0 0 3 2 0 0 20 0 1 0 5', 50],
  ])('reads utime + stime past %s', (_label, stat, expected) => {
    expect(cpuMsOfStat(stat)).toBe(expected);
  });

  it('refuses a line it cannot read', () => {
    expect(() => cpuMsOfStat('1 (x) R')).toThrow(/unreadable/);
  });
});
