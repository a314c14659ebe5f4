import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../devtools/poll.js';
import { createLogger } from '../../shared/log/logger.js';
import { claimDecision } from '../../shared/publish-claim.js';
import { MemoryClaims } from '../support/in-memory-user-messages.js';
import { TransientError } from '../../shared/inbound/transient-error.js';
import { publishUserMessageOnce, type UserMessage } from '../../shared/inbound/user-messages.js';
import { delayFirstAttempts } from '../../shared/pubsub/publish-delay.js';
import type { Publish } from '../../shared/pubsub/publisher.js';

/** A Pub/Sub stand-in that records what it accepted. */
function recordingPublish() {
  const accepted: Array<{ topicId: string; json: unknown }> = [];
  const publish: Publish = async (topicId, data) => {
    accepted.push({ topicId, json: JSON.parse(data.toString('utf8')) });
    return `pubsub-${accepted.length}`;
  };
  return { accepted, publish };
}

const silent = createLogger({}, () => undefined);

const message = (messageId: string): UserMessage => ({
  messageId,
  agentId: 'agent',
  phoneNumber: '+15550001111',
  receivedAt: new Date(Date.UTC(2026, 0, 1)),
  kind: 'text',
  payload: 'hello',
});

function setup(options: { leaseMs: number; firstPublishMs?: number; failFirst?: boolean }) {
  const claims = new MemoryClaims();
  const { accepted, publish: base } = recordingPublish();
  let attempts = 0;
  const failing: Publish = async (...args) => {
    attempts++;
    if (options.failFirst && attempts === 1) throw new Error('UNAVAILABLE');
    return base(...args);
  };
  const publish =
    options.firstPublishMs === undefined
      ? failing
      : delayFirstAttempts(failing, options.firstPublishMs, silent);
  const deps = {
    claims,
    publish,
    topicId: 'user-messages',
    now: () => new Date(),
    claimLeaseMs: options.leaseMs,
  };
  /** Resolves once a redelivery would take the claim over (its lease is over, or it was given back). */
  const takeoverPossible = (id: string) =>
    pollUntil(
      async () => {
        const stored = await claims.read(id);
        return stored && claimDecision(stored.state, options.leaseMs) === 'takeOver' ? true : undefined;
      },
      { description: 'the claim to be free for a takeover', timeoutMs: 10_000, intervalMs: 20 },
    );
  return { claims, accepted, deps, takeoverPossible };
}

describe('a user message is published once', () => {
  it('a redelivery after the lease publishes once while the first publish is slow (1 s lease, 3 s publish)', async () => {
    const { claims, accepted, deps, takeoverPossible } = setup({ leaseMs: 1000, firstPublishMs: 3000 });
    const first = publishUserMessageOnce(message('u1'), deps).then(
      (outcome) => outcome,
      (error: unknown) => error,
    );
    await takeoverPossible('u1');
    const second = await publishUserMessageOnce(message('u1'), deps);
    // The first copy has ended too: its publish was given up within its budget, so it published nothing.
    const firstOutcome = await first;
    expect(accepted).toHaveLength(1);
    expect(second).toBe('published');
    expect(firstOutcome).toBeInstanceOf(TransientError);
    expect(claims.docs.get('u1')?.published).toBe('pubsub-1');
  });

  it('a publish that fails gives the claim back, so the redelivery publishes without waiting for the lease', async () => {
    const { accepted, deps, claims } = setup({ leaseMs: 60_000, failFirst: true });
    await expect(publishUserMessageOnce(message('u2'), deps)).rejects.toBeInstanceOf(TransientError);
    expect(claimDecision((await claims.read('u2'))!.state, 60_000)).toBe('takeOver');
    expect(await publishUserMessageOnce(message('u2'), deps)).toBe('published');
    expect(accepted).toHaveLength(1);
  });

  it('a copy that finds a live claim waits; after a crash the claim is taken over once the lease is over', async () => {
    const { accepted, deps, claims, takeoverPossible } = setup({ leaseMs: 300 });
    // A delivery that stored and claimed the message, then crashed before publishing.
    await claims.create('u3', { messageId: 'u3', kind: 'text', text: 'hello' }, 'crashed-holder');
    await expect(publishUserMessageOnce(message('u3'), deps)).rejects.toThrow(
      'being published by another delivery',
    );
    expect(accepted).toHaveLength(0);
    await takeoverPossible('u3');
    expect(await publishUserMessageOnce(message('u3'), deps)).toBe('published');
    expect(accepted).toEqual([
      { topicId: 'user-messages', json: { messageId: 'u3', kind: 'text', text: 'hello' } },
    ]);
  });

  it('a copy of a published message is a duplicate and publishes nothing', async () => {
    const { accepted, deps } = setup({ leaseMs: 1000 });
    expect(await publishUserMessageOnce(message('u4'), deps)).toBe('published');
    expect(await publishUserMessageOnce(message('u4'), deps)).toBe('duplicate');
    expect(accepted).toHaveLength(1);
  });

  it('publishes the user message fields only, times as RFC 3339', async () => {
    const { accepted, deps } = setup({ leaseMs: 1000 });
    await publishUserMessageOnce(message('u5'), deps);
    expect(accepted[0]?.json).toEqual({
      messageId: 'u5',
      agentId: 'agent',
      phoneNumber: '+15550001111',
      receivedAt: '2026-01-01T00:00:00.000Z',
      kind: 'text',
      text: 'hello',
    });
  });
});
