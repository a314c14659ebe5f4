/**
 * Reconcile's consent sweep on in-memory consents: changes a caller left unpublished past the grace are
 * published once under reconcile's own claim, a live claim of another caller is left to it, an expired one is
 * taken over, a failed publish is retried by a later pass, and each pass is bounded.
 */
import { describe, expect, it } from 'vitest';
import type { Consent } from '../../shared/consent/consent-rules.js';
import { createLogger } from '../../shared/log/logger.js';
import type { Publish } from '../../shared/pubsub/publisher.js';
import {
  reconcile,
  type ReconcileDeps,
  type ReconcileSettings,
  type ReconcileSummary,
} from '../../shared/reconcile/reconcile.js';
import { MemoryConsents } from '../support/in-memory-consents.js';

const SETTINGS: ReconcileSettings = {
  graceMs: 600_000,
  pendingTimeoutMs: 3_600_000,
  unconfirmedAfterMs: 60_000,
  batchSize: 50,
};
const LEASE_MS = 30_000;
const silent = createLogger({}, () => undefined);

const change = (phoneNumber: string, subscribed: boolean, at = 0): Consent => ({
  phoneNumber,
  agentId: 'agent',
  subscribed,
  changedAt: new Date(Date.UTC(2026, 1, 1, 9, 0, at)),
  source: 'API',
});

function harness() {
  const consents = new MemoryConsents();
  const accepted: Array<{ topic: string; changeId: string | undefined; subscribed: boolean }> = [];
  let failures = 0;
  const publish: Publish = async (topic, data, attributes = {}) => {
    if (failures > 0) {
      failures--;
      throw new Error('UNAVAILABLE');
    }
    const json = JSON.parse(data.toString('utf8')) as { subscribed: boolean };
    accepted.push({ topic, changeId: attributes.changeId, subscribed: json.subscribed });
    return String(accepted.length);
  };
  const empty = async () => [];
  const deps: ReconcileDeps = {
    store: {
      withUnconfirmedEvents: empty,
      withTimerStartedBy: empty,
      pendingCreatedBy: empty,
      applyFact: () => Promise.reject(new Error('no agent messages here')),
    },
    rbm: { deleteAgentMessage: () => Promise.reject(new Error('no revokes here')) },
    events: {
      afterWrite: () => Promise.reject(new Error('no events here')),
      queued: () => Promise.reject(new Error('no events here')),
    },
    consents: { store: consents, publish, topicId: 'consent', claimLeaseMs: LEASE_MS },
    logger: silent,
  };
  /** A pass `afterMs` after the storage's clock (the changes were recorded on it). */
  const pass = (afterMs: number, settings = SETTINGS, override: Partial<ReconcileDeps> = {}) =>
    reconcile(settings, { ...deps, ...override, now: () => new Date(consents.nowMs + afterMs) });
  return { consents, accepted, pass, failNext: (count: number) => (failures = count) };
}

const counts = (summary: ReconcileSummary) => summary.consents;

describe('reconcile: consent changes left unpublished', () => {
  it('publishes a change left past the grace once, and a second pass publishes nothing', async () => {
    const { consents, accepted, pass } = harness();
    // Applied, then the caller crashed before publishing.
    const { history } = await consents.applyChange(change('+15550001111', false));

    expect(counts(await pass(59_000))).toEqual({ phones: 0, published: 0, heldByAnother: 0, failed: 0 });
    expect(accepted).toEqual([]);

    const first = await pass(60_000);
    expect(counts(first)).toEqual({ phones: 1, published: 1, heldByAnother: 0, failed: 0 });
    expect(first.moreWork).toBe(false);
    expect(accepted).toEqual([
      { topic: 'consent', changeId: `+15550001111/${history?.id}`, subscribed: false },
    ]);
    const stored = consents.docs.get('+15550001111');
    expect(stored?.unpublishedIds).toEqual([]);
    expect(stored?.unpublishedSince).toBeUndefined();
    expect(stored?.claim).toBeUndefined();

    expect(counts(await pass(120_000))).toEqual({ phones: 0, published: 0, heldByAnother: 0, failed: 0 });
    expect(accepted).toHaveLength(1);
  });

  it('publishes every change left for the phone, oldest first, and keeps the first one’s time', async () => {
    const { consents, accepted, pass } = harness();
    await consents.applyChange(change('+15550001111', false, 0));
    const since = consents.docs.get('+15550001111')?.unpublishedSince;
    consents.nowMs += 10_000;
    await consents.applyChange(change('+15550001111', true, 5));
    expect(consents.docs.get('+15550001111')?.unpublishedSince).toBe(since);

    expect(counts(await pass(50_000))).toMatchObject({ phones: 1, published: 2 });
    expect(accepted.map((message) => message.subscribed)).toEqual([false, true]);
  });

  it('leaves a phone to another caller’s live claim, and takes the claim over once its lease is over', async () => {
    const { consents, accepted, pass } = harness();
    await consents.applyChange(change('+15550001111', false));
    consents.nowMs += 60_000;
    const read = await consents.readPublishClaim('+15550001111');
    expect(await consents.claimUnpublished('+15550001111', 'other', LEASE_MS, read!.version)).toBe(true);

    expect(counts(await pass(0))).toEqual({ phones: 1, published: 0, heldByAnother: 1, failed: 0 });
    expect(accepted).toEqual([]);
    expect(consents.docs.get('+15550001111')?.claim?.holder).toBe('other');

    consents.nowMs += LEASE_MS;
    expect(counts(await pass(0))).toEqual({ phones: 1, published: 1, heldByAnother: 0, failed: 0 });
    expect(accepted).toHaveLength(1);
    expect(consents.docs.get('+15550001111')?.unpublishedIds).toEqual([]);
  });

  it('counts a failed publish and publishes on a later pass', async () => {
    const { consents, accepted, pass, failNext } = harness();
    await consents.applyChange(change('+15550001111', false));
    failNext(1);

    expect(counts(await pass(60_000))).toEqual({ phones: 1, published: 0, heldByAnother: 0, failed: 1 });
    const stored = consents.docs.get('+15550001111');
    expect(stored?.unpublishedIds).toHaveLength(1);
    expect(stored?.claim).toBeUndefined();

    expect(counts(await pass(60_000))).toEqual({ phones: 1, published: 1, heldByAnother: 0, failed: 0 });
    expect(accepted).toHaveLength(1);
  });

  it('does at most batchSize phones per pass, oldest first, and says when more waits', async () => {
    const { consents, accepted, pass } = harness();
    const phones = ['+15550000001', '+15550000002', '+15550000003'];
    for (const phone of phones) {
      await consents.applyChange(change(phone, false));
      consents.nowMs += 1_000;
    }
    const small = { ...SETTINGS, batchSize: 2 };

    const first = await pass(60_000, small);
    expect(counts(first).phones).toBe(2);
    expect(first.moreWork).toBe(true);
    expect(accepted.map((message) => message.changeId?.split('/')[0])).toEqual(phones.slice(0, 2));

    const second = await pass(60_000, small);
    expect(counts(second).phones).toBe(1);
    expect(second.moreWork).toBe(false);
    expect(accepted.map((message) => message.changeId?.split('/')[0])).toEqual(phones);
  });

  it('skips the sweep when reconcile has no consents wired', async () => {
    const { consents, accepted, pass } = harness();
    await consents.applyChange(change('+15550001111', false));

    expect(counts(await pass(60_000, SETTINGS, { consents: undefined }))).toEqual({
      phones: 0,
      published: 0,
      heldByAnother: 0,
      failed: 0,
    });
    expect(accepted).toEqual([]);
  });
});
