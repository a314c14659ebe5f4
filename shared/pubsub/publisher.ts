/** Publishing to Pub/Sub topics: one client per process, one topic handle per topic, no silent loss. */
import { PubSub, type Topic } from '@google-cloud/pubsub';
import { emulatorCredentials } from '../emulator-credentials.js';

export type Attributes = Record<string, string>;

/** Resolves to the Pub/Sub message id once the service accepted the message; rejects otherwise. */
export type Publish = (topicId: string, data: Buffer, attributes?: Attributes) => Promise<string>;

export function createPublisher(projectId: string | undefined): Publish {
  let client: PubSub | undefined;
  const topics = new Map<string, Topic>();
  const topic = (topicId: string): Topic => {
    client ??= new PubSub({
      ...(projectId ? { projectId } : {}),
      ...emulatorCredentials('PUBSUB_EMULATOR_HOST'),
    });
    let handle = topics.get(topicId);
    if (!handle) {
      // Small batches keep latency low: every caller waits for its own message to be accepted.
      handle = client.topic(topicId, { batching: { maxMessages: 100, maxMilliseconds: 2 } });
      topics.set(topicId, handle);
    }
    return handle;
  };
  return (topicId, data, attributes = {}) => topic(topicId).publishMessage({ data, attributes });
}
