/** Publishing to Pub/Sub topics: one client per process, one topic handle per topic, no silent loss. */
import { PubSub, type PublishOptions as TopicOptions, type Topic } from '@google-cloud/pubsub';
import { emulatorCredentials } from '../emulator-credentials.js';

export type Attributes = Record<string, string>;

export interface PublishOptions {
  /**
   * The whole publish, retries included, is given up after this long: the client cancels its call and
   * publishes nothing once the promise has rejected. Without it the client's own budget applies (minutes).
   */
  timeoutMs?: number;
}

/** Resolves to the Pub/Sub message id once the service accepted the message; rejects otherwise. */
export type Publish = (
  topicId: string,
  data: Buffer,
  attributes?: Attributes,
  options?: PublishOptions,
) => Promise<string>;

/** The codes the client retries a publish on by default (CANCELLED … UNAVAILABLE). */
const PUBLISH_RETRY_CODES = [1, 2, 4, 8, 10, 13, 14];

/**
 * Call options that bound every attempt and the total to `timeoutMs`. The retry settings are given in full,
 * as an object of this handle's own: the client would otherwise adjust its shared defaults per call, which
 * concurrent publishes with other budgets read.
 */
export function boundedPublishCall(timeoutMs: number): NonNullable<TopicOptions['gaxOpts']> {
  return {
    timeout: timeoutMs,
    retry: {
      retryCodes: PUBLISH_RETRY_CODES,
      backoffSettings: {
        initialRetryDelayMillis: Math.min(100, timeoutMs),
        retryDelayMultiplier: 4,
        maxRetryDelayMillis: timeoutMs,
        initialRpcTimeoutMillis: timeoutMs,
        rpcTimeoutMultiplier: 1,
        maxRpcTimeoutMillis: timeoutMs,
        totalTimeoutMillis: timeoutMs,
      },
    },
  };
}

export function createPublisher(projectId: string | undefined): Publish {
  let client: PubSub | undefined;
  const topics = new Map<string, Topic>();
  const topic = (topicId: string, timeoutMs: number | undefined): Topic => {
    client ??= new PubSub({
      ...(projectId ? { projectId } : {}),
      ...emulatorCredentials('PUBSUB_EMULATOR_HOST'),
    });
    const key = timeoutMs === undefined ? topicId : `${topicId}\u0000${timeoutMs}`;
    let handle = topics.get(key);
    if (!handle) {
      // Small batches keep latency low: every caller waits for its own message to be accepted.
      handle = client.topic(topicId, {
        batching: { maxMessages: 100, maxMilliseconds: 2 },
        ...(timeoutMs === undefined ? {} : { gaxOpts: boundedPublishCall(timeoutMs) }),
      });
      topics.set(key, handle);
    }
    return handle;
  };
  return (topicId, data, attributes = {}, options = {}) =>
    topic(topicId, options.timeoutMs).publishMessage({ data, attributes });
}
