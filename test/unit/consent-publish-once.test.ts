import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../devtools/poll.js';
import type { Consent } from '../../shared/consent/consent-rules.js';
import { publishBudgetMs } from '../../shared/publish-claim.js';
import {
  publishConsentChanges,
  type ConsentPublishDeps,
  type ConsentPublishReport,
} from '../../shared/publishing/consent-publisher.js';
import type { Publish, PublishOptions } from '../../shared/pubsub/publisher.js';
import { MemoryConsents } from '../support/in-memory-consents.js';

const PHONE = '+15550002222';
const LEASE_MS = 30_000;
const T = (seconds: number) => new Date(Date.UTC(2026, 1, 1, 9, 0, 0) + seconds * 1000);

const change = (subscribed: boolean, at: number, source: Consent['source'] = 'KEYWORD'): Consent => ({
  phoneNumber: PHONE,
  agentId: 'agent',
  subscribed,
  changedAt: T(at),
  source,
});

interface Accepted {
  json: { subscribed: boolean; changedAt: string };
  attributes: Record<string, string>;
  options: PublishOptions | undefined;
}

/** A Pub/Sub stand-in: records what it accepted; `hold()` keeps publishes waiting until `release()`. */
function recordingPublish() {
  const accepted: Accepted[] = [];
  let calls = 0;
  let failures = 0;
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  const publish: Publish = async (_topic, data, attributes = {}, options) => {
    calls++;
    if (gate) await gate;
    if (failures > 0) {
      failures--;
      throw new Error('UNAVAILABLE');
    }
    accepted.push({ json: JSON.parse(data.toString('utf8')) as Accepted['json'], attributes, options });
    return `pubsub-${accepted.length}`;
  };
  return {
    accepted,
    publish,
    calls: () => calls,
    failNext: (count: number) => (failures = count),
    hold: () => (gate = new Promise<void>((resolve) => (open = resolve))),
    release: () => {
      gate = undefined;
      open?.();
    },
  };
}

function setup() {
  const consents = new MemoryConsents();
  const pubsub = recordingPublish();
  const deps = (holder?: string): ConsentPublishDeps<number> => ({
    consents,
    publish: pubsub.publish,
    topicId: 'consent-changes',
    claimLeaseMs: LEASE_MS,
    ...(holder ? { holder } : {}),
  });
  /** One caller: applies the change, then publishes what it was handed, as inbound and the API do. */
  const caller = async (next: Consent, holder?: string): Promise<ConsentPublishReport> =>
    publishConsentChanges(await consents.applyChange(next), deps(holder));
  return { consents, pubsub, deps, caller };
}

describe('each applied consent change is published once', () => {
  it('ten concurrent copies of one STOP: one publish, the others leave it to the holder', async () => {
    const { consents, pubsub, caller } = setup();
    const reports = await Promise.all(Array.from({ length: 10 }, () => caller(change(false, 10))));
    expect(pubsub.accepted).toHaveLength(1);
    expect(reports.map((report) => report.published).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const stored = consents.docs.get(PHONE);
    expect(stored?.unpublishedIds).toEqual([]);
    expect(stored?.claim).toBeUndefined();
  });

  it('two callers handed the same unpublished change: the one that finds it claimed does not publish', async () => {
    const { consents, pubsub, caller } = setup();
    pubsub.hold();
    const first = caller(change(false, 10));
    await pollUntil(() => (pubsub.calls() === 1 ? true : undefined), {
      description: 'the first caller to be publishing',
    });
    // The second copy is handed the change (still unpublished) while the first holds the claim.
    const second = await caller(change(false, 10));
    expect(second).toEqual({ published: 0, leftToHolder: true });
    pubsub.release();
    expect(await first).toEqual({ published: 1, leftToHolder: false });
    expect(pubsub.accepted).toHaveLength(1);
    expect(consents.docs.get(PHONE)?.unpublishedIds).toEqual([]);
  });

  it('a change applied while another caller holds the claim is published by that holder, in order', async () => {
    const { pubsub, caller, consents } = setup();
    pubsub.hold();
    const first = caller(change(false, 10));
    await pollUntil(() => (pubsub.calls() === 1 ? true : undefined), {
      description: 'the first caller to be publishing',
    });
    expect(await caller(change(true, 20, 'API'))).toEqual({ published: 0, leftToHolder: true });
    pubsub.release();
    expect(await first).toEqual({ published: 2, leftToHolder: false });
    expect(pubsub.accepted.map((message) => message.json.subscribed)).toEqual([false, true]);
    expect(consents.docs.get(PHONE)).toMatchObject({ unpublishedIds: [] });
    expect(consents.docs.get(PHONE)?.claim).toBeUndefined();
  });

  it('the holder whose publish fails gives the claim back: the next call publishes at once', async () => {
    const { consents, pubsub, caller } = setup();
    pubsub.failNext(1);
    await expect(caller(change(false, 10))).rejects.toThrow('UNAVAILABLE');
    expect(consents.docs.get(PHONE)?.claim).toBeUndefined();
    expect(consents.docs.get(PHONE)?.unpublishedIds).toHaveLength(1);
    // The retry (a redelivery, or a repeated PUT) is a duplicate of the change, handed the unpublished one.
    expect(await caller(change(false, 10))).toEqual({ published: 1, leftToHolder: false });
    expect(pubsub.accepted).toHaveLength(1);
    expect(consents.docs.get(PHONE)?.unpublishedIds).toEqual([]);
  });

  it('a crashed holder: its live claim is respected, and taken over once its lease is over', async () => {
    const { consents, pubsub, caller } = setup();
    // A caller that applied the change and claimed it, then crashed before publishing.
    await consents.applyChange(change(false, 10));
    const stored = await consents.readPublishClaim(PHONE);
    expect(await consents.claimUnpublished(PHONE, 'crashed', LEASE_MS, stored!.version)).toBe(true);

    consents.nowMs += LEASE_MS - 1;
    expect(await caller(change(false, 10))).toEqual({ published: 0, leftToHolder: true });
    expect(pubsub.accepted).toHaveLength(0);

    consents.nowMs += 1;
    expect(await caller(change(false, 10))).toEqual({ published: 1, leftToHolder: false });
    expect(pubsub.accepted).toHaveLength(1);
    expect(consents.docs.get(PHONE)?.claim).toBeUndefined();
  });

  it("a crashed holder's own redelivery (same holder id) resumes its claim without waiting for the lease", async () => {
    const { consents, pubsub, caller } = setup();
    await consents.applyChange(change(false, 10));
    const stored = await consents.readPublishClaim(PHONE);
    await consents.claimUnpublished(PHONE, 'pubsub-message-1', LEASE_MS, stored!.version);
    expect(await caller(change(false, 10), 'pubsub-message-2')).toMatchObject({ published: 0 });
    expect(await caller(change(false, 10), 'pubsub-message-1')).toMatchObject({ published: 1 });
    expect(pubsub.accepted).toHaveLength(1);
  });

  it('a duplicate with nothing unpublished reads and publishes nothing', async () => {
    const { consents, pubsub, caller } = setup();
    await caller(change(false, 10));
    const version = consents.docs.get(PHONE)?.version;
    expect(await caller(change(false, 10))).toEqual({ published: 0, leftToHolder: false });
    expect(pubsub.calls()).toBe(1);
    expect(consents.docs.get(PHONE)?.version).toBe(version);
  });

  it('a first subscribe (no document: already subscribed) publishes nothing and leaves nothing unpublished', async () => {
    const { consents, pubsub, caller } = setup();
    for (const source of ['EVENT', 'KEYWORD', 'API'] as const) {
      consents.docs.clear();
      expect(await caller(change(true, 10, source))).toEqual({ published: 0, leftToHolder: false });
      expect(consents.docs.get(PHONE)?.consent).toEqual(change(true, 10, source));
      expect(consents.docs.get(PHONE)?.unpublishedIds).toEqual([]);
      expect(await consents.phonesWithUnpublishedChanges(new Date(8.64e15), 10)).toEqual([]);
    }
    expect(pubsub.calls()).toBe(0);
    // The document still orders changes: an older STOP loses, a newer one is published once.
    expect(await caller(change(false, 5))).toEqual({ published: 0, leftToHolder: false });
    expect(await caller(change(false, 20))).toEqual({ published: 1, leftToHolder: false });
    expect(pubsub.accepted.map((message) => message.json.subscribed)).toEqual([false]);
  });

  it('each publish is bounded well under the lease, and carries the change id', async () => {
    const { pubsub, caller } = setup();
    await caller(change(false, 10));
    const [message] = pubsub.accepted;
    expect(message?.options?.timeoutMs).toBeGreaterThan(0);
    expect(message?.options?.timeoutMs).toBeLessThanOrEqual(publishBudgetMs(LEASE_MS));
    expect(message?.attributes).toEqual({
      subscribed: 'false',
      changeId: `${PHONE}/2026-02-01T09:00:10.000Z_unsubscribed`,
    });
  });
});
