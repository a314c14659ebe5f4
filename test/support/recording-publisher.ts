/** A Pub/Sub publisher for unit tests: keeps what was published, and can fail on demand. */
import type { Attributes, Publish } from '../../shared/pubsub/publisher.js';

export interface Published {
  topic: string;
  json: Record<string, unknown>;
  attributes: Attributes;
}

export function recordingPublisher(): {
  publish: Publish;
  published: Published[];
  failNext: (n: number) => void;
} {
  const published: Published[] = [];
  let failures = 0;
  const publish: Publish = async (topic, data, attributes = {}) => {
    if (failures > 0) {
      failures -= 1;
      throw new Error('publish failed');
    }
    published.push({ topic, json: JSON.parse(data.toString('utf8')) as Record<string, unknown>, attributes });
    return String(published.length);
  };
  return { publish, published, failNext: (n) => (failures = n) };
}
