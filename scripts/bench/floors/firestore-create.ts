/**
 * Library floor for the cold-start table: the first request creates one Firestore document and does nothing
 * else. FLOOR_TRANSPORT=rest uses the library's HTTP/JSON transport (`preferRest`), anything else gRPC.
 */
import { randomUUID } from 'node:crypto';
import * as functions from '@google-cloud/functions-framework';
import { Firestore, type Settings } from '@google-cloud/firestore';
import { floorClientOptions } from './floor-options.js';

let db: Firestore | undefined;

functions.http('firestoreFloor', async (_req, res) => {
  const rest = process.env.FLOOR_TRANSPORT === 'rest';
  db ??= new Firestore({
    projectId: process.env.GOOGLE_CLOUD_PROJECT,
    ...(rest ? { preferRest: true } : {}),
    ...((await floorClientOptions(rest)) as Settings),
  });
  await db.collection('coldStartFloor').doc(randomUUID()).create({ at: Date.now() });
  res.send('created');
});
