/**
 * devtools/topology.ts is the single source of the Pub/Sub topology: the local stack and the tests create
 * on the emulator what it reads from terraform/pubsub.tf. These tests pin it to docs/topics.md and show that an
 * edit of pubsub.tf shows up in it.
 */
import { describe, expect, it } from 'vitest';
import { loadPubSubTopology, parseDurationSeconds } from '../../devtools/topology.js';
import type { PubSubTopology } from '../../devtools/topology.js';
import { editFile, withTerraformCopy } from './load.js';

const contractTopology: PubSubTopology = {
  topics: [
    'rbm-consent-changes',
    'rbm-fallback',
    'rbm-inbound',
    'rbm-inbound-dead-letter',
    'rbm-message-status',
    'rbm-user-messages',
  ],
  subscriptions: [
    {
      name: 'rbm-inbound-dead-letter-hold',
      topic: 'rbm-inbound-dead-letter',
      ackDeadlineSeconds: 60,
      messageRetentionSeconds: 604800,
    },
    {
      name: 'rbm-inbound-to-inbound',
      topic: 'rbm-inbound',
      push: { functionName: 'inbound' },
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
      deadLetter: { topic: 'rbm-inbound-dead-letter', maxDeliveryAttempts: 10 },
      messageRetentionSeconds: 604800,
    },
  ],
};

describe('loadPubSubTopology', () => {
  it('reads the documented topics and subscriptions from terraform/', async () => {
    expect(await loadPubSubTopology()).toEqual(contractTopology);
  });

  it('puts the prefix in front of every name', async () => {
    const topology = await loadPubSubTopology(undefined, 'staging-');
    expect(topology.topics).toEqual(contractTopology.topics.map((t) => `staging-${t}`));
    expect(topology.subscriptions.map((s) => [s.name, s.topic, s.deadLetter?.topic])).toEqual([
      ['staging-rbm-inbound-dead-letter-hold', 'staging-rbm-inbound-dead-letter', undefined],
      ['staging-rbm-inbound-to-inbound', 'staging-rbm-inbound', 'staging-rbm-inbound-dead-letter'],
    ]);
  });

  it('rejects a prefix Terraform would reject', async () => {
    await expect(loadPubSubTopology(undefined, 'Staging')).rejects.toThrow(/invalid name prefix/);
  });

  it('includes the optional user-messages pull subscription when its variable is on', async () => {
    const topology = await loadPubSubTopology(undefined, '', { create_user_messages_subscription: true });
    expect(topology.subscriptions.find((s) => s.name === 'rbm-user-messages-pull')).toEqual({
      name: 'rbm-user-messages-pull',
      topic: 'rbm-user-messages',
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600 },
      messageRetentionSeconds: 604800,
    });
  });

  it.each([
    [
      'ack deadline',
      'ack_deadline_seconds = 60\n\n  # RBM',
      'ack_deadline_seconds = 120\n\n  # RBM',
      { ackDeadlineSeconds: 120 },
    ],
    [
      'max delivery attempts',
      'max_delivery_attempts = 10',
      'max_delivery_attempts = 25',
      { deadLetter: { topic: 'rbm-inbound-dead-letter', maxDeliveryAttempts: 25 } },
    ],
    [
      'maximum backoff',
      'maximum_backoff = "600s"',
      'maximum_backoff = "300s"',
      { retryPolicy: { minimumBackoffSeconds: 10, maximumBackoffSeconds: 300 } },
    ],
  ])('an edit of the %s in pubsub.tf shows up', async (_label, before, after, expected) => {
    const topology = await withTerraformCopy(async (dir) => {
      await editFile(dir, 'pubsub.tf', (text) => text.replace(before, after));
      return loadPubSubTopology(dir);
    });
    const push = topology.subscriptions.find((s) => s.name === 'rbm-inbound-to-inbound');
    expect(push).toMatchObject(expected);
  });

  it('a renamed topic in pubsub.tf shows up everywhere it is referenced', async () => {
    const topology = await withTerraformCopy(async (dir) => {
      await editFile(dir, 'pubsub.tf', (text) =>
        text.replace('"${var.name_prefix}rbm-inbound-dead-letter"', '"${var.name_prefix}rbm-inbound-dlq"'),
      );
      return loadPubSubTopology(dir);
    });
    expect(topology.topics).toContain('rbm-inbound-dlq');
    expect(topology.subscriptions.map((s) => s.deadLetter?.topic ?? s.topic)).toEqual([
      'rbm-inbound-dlq',
      'rbm-inbound-dlq',
    ]);
  });

  it.each([
    [
      'a name it cannot resolve',
      '"${var.name_prefix}rbm-user-messages"',
      '"${local.unknown}rbm-user-messages"',
      /cannot resolve name/,
    ],
    [
      'a push endpoint that is not a function',
      'push_endpoint = "${google_cloudfunctions2_function.function["inbound"].service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.inbound.name}"',
      'push_endpoint = "https://example.com/push"',
      /cannot resolve push endpoint/,
    ],
    [
      'a duration it cannot read',
      'minimum_backoff = "10s"\n    maximum_backoff = "600s"\n  }\n\n  # Needs',
      'minimum_backoff = "1m"\n    maximum_backoff = "600s"\n  }\n\n  # Needs',
      /cannot resolve duration/,
    ],
  ])('fails loudly on %s', async (_label, before, after, error) => {
    await expect(
      withTerraformCopy(async (dir) => {
        await editFile(dir, 'pubsub.tf', (text) => text.replace(before, after));
        return loadPubSubTopology(dir);
      }),
    ).rejects.toThrow(error);
  });

  it.each([
    ['600s', 600],
    ['10s', 10],
    ['0.5s', 0.5],
  ])('parses the duration %s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });
});
