import { describe, expect, it } from 'vitest';
import { claimDecision, publishBudgetMs, type PublishClaimState } from '../../shared/publish-claim.js';

describe('claimDecision', () => {
  it.each<[string, PublishClaimState, string]>([
    ['published', { kind: 'published' }, 'duplicate'],
    ['given back', { kind: 'unclaimed' }, 'takeOver'],
    ['claimed just now', { kind: 'claimed', ageMs: 0 }, 'wait'],
    ['claimed within the lease', { kind: 'claimed', ageMs: 29_999 }, 'wait'],
    ['claimed a lease ago', { kind: 'claimed', ageMs: 30_000 }, 'takeOver'],
    ['claimed long ago (a crash)', { kind: 'claimed', ageMs: 3_600_000 }, 'takeOver'],
    ['claimed "in the future" (clock step)', { kind: 'claimed', ageMs: -5 }, 'wait'],
  ])('%s → %s', (_name, state, decision) => {
    expect(claimDecision(state, 30_000)).toBe(decision);
  });
});

describe('publishBudgetMs', () => {
  it.each([
    [30_000, 10_000],
    [1_000, 333],
    [3, 1],
    [1, 1],
  ])('a lease of %i ms gives a publish budget of %i ms', (lease, budget) => {
    expect(publishBudgetMs(lease)).toBe(budget);
  });

  it.each([1, 2, 3, 1000, 30_000, 600_000])('the budget stays well under a lease of %i ms', (lease) => {
    expect(publishBudgetMs(lease)).toBeLessThanOrEqual(Math.max(1, lease / 3));
  });
});
