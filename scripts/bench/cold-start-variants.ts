/**
 * The rows of the cold-start table: the hello-world floor, the library floors (one Firestore create or one Pub/Sub
 * publish through the client library, over gRPC and over REST, and one publish through the project's publisher),
 * the send bundle and its TypeScript source, and the other bundles whose first request touches the emulators.
 * Each function row names the floor its first request is set against.
 */
import { join } from 'node:path';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { functionEnv, stackTopics, type StackSettings } from '../../devtools/local-stack.js';
import {
  helloProbe,
  helloWorldSource,
  inboundProbe,
  revokeProbe,
  sendProbe,
  tsxSource,
  webhookProbe,
  type ColdStartVariant,
} from './cold-start.js';
import { FLOOR_TOPIC } from './floors/floor-options.js';
import { FLOOR_TARGETS, libraryFloorSource, type LibraryFloor } from './library-floors.js';

const HELLO_WORLD_FLOOR = 'hello-world (floor)';
const FIRESTORE_FLOOR = 'Firestore create, gRPC (library floor)';
const FIRESTORE_REST_FLOOR = 'Firestore create, REST (library floor)';
const PUBSUB_FLOOR = 'Pub/Sub publish, gRPC (library floor)';
const PUBSUB_REST_FLOOR = 'Pub/Sub publish, REST (library floor)';
const PUBLISHER_FLOOR = "Pub/Sub publish, one REST call (the project's publisher)";

export interface ColdStartContext {
  readonly projectId: string;
  readonly agentId: string;
  readonly clientToken: string;
  readonly phone: string;
  /** A phone the fake RBM keeps offline, so a message stays revocable. */
  readonly offlinePhone: string;
  readonly rbmUrl: string;
  readonly emulators: { readonly firestoreHost: string; readonly pubsubHost: string };
}

/** Every topic a variant publishes to; the caller creates them before measuring. */
export function coldStartTopics(): string[] {
  return [...Object.values(stackTopics('')), FLOOR_TOPIC];
}

export async function coldStartVariants(context: ColdStartContext): Promise<ColdStartVariant[]> {
  const base = {
    GOOGLE_CLOUD_PROJECT: context.projectId,
    FIRESTORE_EMULATOR_HOST: context.emulators.firestoreHost,
    PUBSUB_EMULATOR_HOST: context.emulators.pubsubHost,
  };
  const settings: StackSettings = {
    agentId: context.agentId,
    clientToken: context.clientToken,
    rbmUrl: context.rbmUrl,
    topics: stackTopics(''),
  };
  const floor = async (name: string, kind: LibraryFloor, rest: boolean): Promise<ColdStartVariant> => ({
    name,
    source: await libraryFloorSource(kind),
    target: FLOOR_TARGETS[kind],
    env: rest ? { ...base, FLOOR_TRANSPORT: 'rest' } : base,
    prepare: helloProbe(),
  });
  const bundle = (
    name: 'send' | 'revoke' | 'webhook' | 'inbound',
    prepare: ColdStartVariant['prepare'],
    libraryFloor: string,
  ): ColdStartVariant => ({
    name: `${name} (esbuild bundle)`,
    source: join(REPO_ROOT, 'dist', name),
    target: name,
    env: functionEnv(name, base, settings),
    prepare,
    libraryFloor,
  });
  const send = sendProbe(context.phone);
  return [
    {
      name: HELLO_WORLD_FLOOR,
      source: await helloWorldSource(),
      target: 'hello',
      env: {},
      prepare: helloProbe(),
    },
    await floor(FIRESTORE_FLOOR, 'firestore-create', false),
    await floor(FIRESTORE_REST_FLOOR, 'firestore-create', true),
    await floor(PUBSUB_FLOOR, 'pubsub-publish', false),
    await floor(PUBSUB_REST_FLOOR, 'pubsub-publish', true),
    await floor(PUBLISHER_FLOOR, 'pubsub-rest-call', false),
    bundle('send', send, FIRESTORE_FLOOR),
    {
      name: 'send (TypeScript source via tsx)',
      source: await tsxSource('send'),
      target: 'send',
      env: functionEnv('send', base, settings),
      nodeArgs: ['--import', 'tsx'],
      prepare: send,
      libraryFloor: FIRESTORE_FLOOR,
    },
    bundle('revoke', revokeProbe(context.rbmUrl, context.agentId, context.offlinePhone), FIRESTORE_FLOOR),
    bundle('webhook', webhookProbe(context.clientToken, context.agentId, context.phone), PUBLISHER_FLOOR),
    bundle('inbound', inboundProbe(context.projectId, context.agentId, context.phone), FIRESTORE_FLOOR),
  ];
}
