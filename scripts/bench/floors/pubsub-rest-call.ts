/**
 * Floor for the cold-start table: the first request publishes one Pub/Sub message through the project's own
 * publisher (shared/pubsub/publisher.ts, one REST call, no client library) and does nothing else.
 */
import * as functions from '@google-cloud/functions-framework';
import { createPublisher } from '../../../shared/pubsub/publisher.js';
import { FLOOR_TOPIC } from './floor-options.js';

const publish = createPublisher(process.env.GOOGLE_CLOUD_PROJECT);

functions.http('pubsubRestCallFloor', async (_req, res) => {
  res.send(await publish(FLOOR_TOPIC, Buffer.from('floor')));
});
