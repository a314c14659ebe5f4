/**
 * Library floor for the cold-start table: the first request publishes one Pub/Sub message and does nothing
 * else. FLOOR_TRANSPORT=rest uses the client's HTTP/1 REST fallback (`fallback: true`), anything else gRPC.
 */
import * as functions from '@google-cloud/functions-framework';
import { PubSub, type ClientConfig } from '@google-cloud/pubsub';
import { FLOOR_TOPIC, floorClientOptions } from './floor-options.js';

let pubsub: PubSub | undefined;

functions.http('pubsubFloor', async (_req, res) => {
  const rest = process.env.FLOOR_TRANSPORT === 'rest';
  pubsub ??= new PubSub({
    projectId: process.env.GOOGLE_CLOUD_PROJECT,
    ...(rest ? { fallback: true, protocol: 'http' } : {}),
    ...((await floorClientOptions(rest)) as ClientConfig),
  });
  // The batching the project's publisher uses (shared/pubsub/publisher.ts): a 2 ms window, not the default 10.
  const topic = pubsub.topic(FLOOR_TOPIC, { batching: { maxMessages: 100, maxMilliseconds: 2 } });
  const id = await topic.publishMessage({ data: Buffer.from('floor') });
  res.send(id);
});
