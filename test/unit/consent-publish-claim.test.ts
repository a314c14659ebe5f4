import { describe, expect, it } from 'vitest';
import {
  afterConfirm,
  consentClaimDecision,
  type ConsentClaimDecision,
  type ConsentClaimView,
} from '../../shared/consent/publish-claim.js';

const LEASE = 30_000;
const claim = (holder: string, ageMs: number, leaseMs = LEASE) => ({ holder, ageMs, leaseMs });

describe('consentClaimDecision', () => {
  it.each<[string, ConsentClaimView, ConsentClaimDecision]>([
    ['nothing unpublished, no claim', { unpublished: 0 }, 'nothingToPublish'],
    ['nothing unpublished, a live claim', { unpublished: 0, claim: claim('b', 10) }, 'nothingToPublish'],
    ['unpublished, unclaimed', { unpublished: 1 }, 'claim'],
    ['unpublished, claimed just now by another', { unpublished: 2, claim: claim('b', 0) }, 'heldByAnother'],
    ['within the lease', { unpublished: 1, claim: claim('b', LEASE - 1) }, 'heldByAnother'],
    ['a lease ago: taken over', { unpublished: 1, claim: claim('b', LEASE) }, 'claim'],
    ['long ago (a crash): taken over', { unpublished: 1, claim: claim('b', 3_600_000) }, 'claim'],
    ['"in the future" (clock step)', { unpublished: 1, claim: claim('b', -5) }, 'heldByAnother'],
    ['the holder took a short lease', { unpublished: 1, claim: claim('b', 1_000, 1_000) }, 'claim'],
    ['a malformed lease (0) counts as over', { unpublished: 1, claim: claim('b', 0, 0) }, 'claim'],
    ['its own claim (a redelivery after a crash)', { unpublished: 1, claim: claim('a', 10) }, 'claim'],
  ])('%s → %s', (_name, view, decision) => {
    expect(consentClaimDecision(view, 'a')).toBe(decision);
  });
});

describe('afterConfirm', () => {
  it.each([
    {
      name: 'all published, own claim: released, nothing remains',
      stored: { unpublishedIds: ['x', 'y'], holder: 'a' },
      confirmed: ['x', 'y'],
      expected: { remaining: [], releaseClaim: true },
    },
    {
      name: 'a change applied meanwhile remains',
      stored: { unpublishedIds: ['x', 'z'], holder: 'a' },
      confirmed: ['x'],
      expected: { remaining: ['z'], releaseClaim: true },
    },
    {
      name: 'a failed publish confirms nothing and still gives the claim back',
      stored: { unpublishedIds: ['x'], holder: 'a' },
      confirmed: [],
      expected: { remaining: ['x'], releaseClaim: true },
    },
    {
      name: 'taken over meanwhile: what was published is removed, the new claim stays',
      stored: { unpublishedIds: ['x', 'y'], holder: 'b' },
      confirmed: ['x'],
      expected: { remaining: ['y'], releaseClaim: false },
    },
    {
      name: 'no claim left to release',
      stored: { unpublishedIds: ['x'] },
      confirmed: ['x'],
      expected: { remaining: [], releaseClaim: false },
    },
  ])('$name', ({ stored, confirmed, expected }) => {
    expect(afterConfirm(stored, 'a', confirmed)).toEqual(expected);
  });
});
