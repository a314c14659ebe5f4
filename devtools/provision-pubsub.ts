/**
 * Creates the topics and subscriptions of a {@link PubSubTopology} (read from terraform/pubsub.tf by
 * topology.ts) on a Pub/Sub endpoint, normally the emulator. Idempotent: what already exists is left as it is.
 */
import type { CreateSubscriptionOptions, PubSub } from '@google-cloud/pubsub';
import type { PubSubTopology, SubscriptionTopology } from './topology.js';

/** The part of the `PubSub` client used here; a `PubSub` instance is one. */
export interface PubSubAdmin {
  createTopic(name: string): Promise<unknown>;
  createSubscription(topic: string, name: string, options?: CreateSubscriptionOptions): Promise<unknown>;
  /** Used for the full topic name (`projects/P/topics/T`) a dead-letter policy needs. */
  topic(name: string): { name: string };
}

// A compile-time proof that the real client fits the narrow interface.
const _pubSubIsAdmin = (pubsub: PubSub): PubSubAdmin => pubsub;

const ALREADY_EXISTS = 6;

function isAlreadyExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === ALREADY_EXISTS;
}

async function ignoringAlreadyExists(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

/** The options Terraform's google_pubsub_subscription arguments translate to. */
export function subscriptionOptions(
  pubsub: Pick<PubSubAdmin, 'topic'>,
  subscription: SubscriptionTopology,
  pushEndpointFor: (subscription: SubscriptionTopology) => string,
): CreateSubscriptionOptions {
  const options: CreateSubscriptionOptions = {};
  if (subscription.push) options.pushConfig = { pushEndpoint: pushEndpointFor(subscription) };
  if (subscription.ackDeadlineSeconds !== undefined)
    options.ackDeadlineSeconds = subscription.ackDeadlineSeconds;
  if (subscription.retryPolicy) {
    options.retryPolicy = {
      minimumBackoff: { seconds: subscription.retryPolicy.minimumBackoffSeconds },
      maximumBackoff: { seconds: subscription.retryPolicy.maximumBackoffSeconds },
    };
  }
  if (subscription.deadLetter) {
    options.deadLetterPolicy = {
      deadLetterTopic: pubsub.topic(subscription.deadLetter.topic).name,
      maxDeliveryAttempts: subscription.deadLetter.maxDeliveryAttempts,
    };
  }
  if (subscription.messageRetentionSeconds !== undefined) {
    options.messageRetentionDuration = { seconds: subscription.messageRetentionSeconds };
  }
  return options;
}

/**
 * Creates every topic, then every subscription (push endpoints from `pushEndpointFor`, e.g. the local
 * functions-framework URL of `inbound`). ALREADY_EXISTS is ignored; existing subscriptions are not updated.
 */
export async function provisionPubSub(
  pubsub: PubSubAdmin,
  topology: PubSubTopology,
  pushEndpointFor: (subscription: SubscriptionTopology) => string,
): Promise<void> {
  for (const topic of topology.topics) {
    await ignoringAlreadyExists(() => pubsub.createTopic(topic));
  }
  for (const subscription of topology.subscriptions) {
    const options = subscriptionOptions(pubsub, subscription, pushEndpointFor);
    await ignoringAlreadyExists(() =>
      pubsub.createSubscription(subscription.topic, subscription.name, options),
    );
  }
}
