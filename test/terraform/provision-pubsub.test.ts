import type { CreateSubscriptionOptions } from '@google-cloud/pubsub';
import { describe, expect, it } from 'vitest';
import { provisionPubSub } from '../../devtools/provision-pubsub.js';
import type { PubSubAdmin } from '../../devtools/provision-pubsub.js';
import { loadPubSubTopology } from '../../devtools/topology.js';

interface Call {
  kind: 'topic' | 'subscription';
  name: string;
  topic?: string;
  options?: CreateSubscriptionOptions;
}

/** Records calls; names listed in `existing` answer ALREADY_EXISTS (gRPC code 6) like the emulator does. */
function fakePubSub(existing: string[] = [], failWith?: { code: number }): PubSubAdmin & { calls: Call[] } {
  const calls: Call[] = [];
  const answer = async (name: string) => {
    if (failWith) throw Object.assign(new Error('boom'), failWith);
    if (existing.includes(name)) throw Object.assign(new Error('6 ALREADY_EXISTS'), { code: 6 });
  };
  return {
    calls,
    async createTopic(name) {
      calls.push({ kind: 'topic', name });
      await answer(name);
    },
    async createSubscription(topic, name, options) {
      calls.push({ kind: 'subscription', name, topic, options });
      await answer(name);
    },
    topic: (name) => ({ name: `projects/demo-project/topics/${name}` }),
  };
}

describe('provisionPubSub', () => {
  it('creates every topic, then every subscription with the Terraform settings', async () => {
    const pubsub = fakePubSub();
    await provisionPubSub(
      pubsub,
      await loadPubSubTopology(),
      (subscription) => `http://127.0.0.1:9000/${subscription.push?.functionName}/${subscription.topic}`,
    );
    expect(pubsub.calls.map((c) => `${c.kind}:${c.name}`)).toEqual([
      'topic:rbm-consent-changes',
      'topic:rbm-fallback',
      'topic:rbm-inbound',
      'topic:rbm-inbound-dead-letter',
      'topic:rbm-message-status',
      'topic:rbm-user-messages',
      'subscription:rbm-inbound-dead-letter-hold',
      'subscription:rbm-inbound-to-inbound',
    ]);
    const push = pubsub.calls.find((c) => c.name === 'rbm-inbound-to-inbound');
    expect(push?.topic).toBe('rbm-inbound');
    expect(push?.options).toEqual({
      pushConfig: { pushEndpoint: 'http://127.0.0.1:9000/inbound/rbm-inbound' },
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoff: { seconds: 10 }, maximumBackoff: { seconds: 600 } },
      deadLetterPolicy: {
        deadLetterTopic: 'projects/demo-project/topics/rbm-inbound-dead-letter',
        maxDeliveryAttempts: 10,
      },
      messageRetentionDuration: { seconds: 604800 },
    });
    const hold = pubsub.calls.find((c) => c.name === 'rbm-inbound-dead-letter-hold');
    expect(hold?.options).toEqual({ ackDeadlineSeconds: 60, messageRetentionDuration: { seconds: 604800 } });
  });

  it('is idempotent: ALREADY_EXISTS is ignored', async () => {
    const pubsub = fakePubSub(['rbm-inbound', 'rbm-inbound-to-inbound']);
    const topology = await loadPubSubTopology();
    await expect(provisionPubSub(pubsub, topology, () => 'http://x')).resolves.toBeUndefined();
    expect(pubsub.calls).toHaveLength(topology.topics.length + topology.subscriptions.length);
  });

  it('passes other errors on', async () => {
    const pubsub = fakePubSub([], { code: 14 });
    await expect(provisionPubSub(pubsub, await loadPubSubTopology(), () => 'http://x')).rejects.toThrow(
      'boom',
    );
  });
});
