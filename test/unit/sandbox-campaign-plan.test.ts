import { describe, expect, it } from 'vitest';
import { planRecipients, setupCounts } from '../../sandbox/app/campaign-panel.js';

describe('planRecipients', () => {
  it.each([
    { count: 1, expected: { online: 1, offline: 0, 'not-on-rcs': 0, unsubscribed: 0 } },
    { count: 9, expected: { online: 7, offline: 1, 'not-on-rcs': 1, unsubscribed: 0 } },
    { count: 20, expected: { online: 14, offline: 2, 'not-on-rcs': 2, unsubscribed: 2 } },
    { count: 30, expected: { online: 21, offline: 3, 'not-on-rcs': 3, unsubscribed: 3 } },
  ])('$count phones: one in ten of each special setup', ({ count, expected }) => {
    const plan = planRecipients(count, 321);
    expect(plan).toHaveLength(count);
    expect(setupCounts(plan)).toEqual(expected);
  });

  it('numbers the phones within the block, as distinct E.164 numbers', () => {
    const plan = planRecipients(12, 204);
    expect(plan[0]?.phone).toBe('+15552040000');
    expect(plan[11]?.phone).toBe('+15552040011');
    expect(new Set(plan.map(({ phone }) => phone)).size).toBe(12);
    expect(plan.every(({ phone }) => /^\+[1-9]\d{6,14}$/.test(phone))).toBe(true);
  });
});
