/** Admin clients for the gcloud emulators, for the local stack, the tools, the soak and the tests. */
import { Firestore } from '@google-cloud/firestore';
import { PubSub } from '@google-cloud/pubsub';
import { EMULATOR_PLACEHOLDER_CREDENTIALS } from '../shared/emulator-credentials.js';

/** Firestore on the emulator, acting as admin (`ssl: false` makes the client send `Bearer owner`). */
export function emulatorFirestore(projectId: string, firestoreHost: string): Firestore {
  return new Firestore({
    projectId,
    host: firestoreHost,
    ssl: false,
    credentials: EMULATOR_PLACEHOLDER_CREDENTIALS,
  });
}

export function emulatorPubSub(projectId: string, pubsubHost: string): PubSub {
  return new PubSub({
    projectId,
    apiEndpoint: pubsubHost,
    emulatorMode: true,
    credentials: EMULATOR_PLACEHOLDER_CREDENTIALS,
  });
}
