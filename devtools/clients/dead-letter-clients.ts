/**
 * The real Pub/Sub and Firestore behind devtools/dead-letters.ts: a synchronous pull on the hold subscription,
 * a publish to the inbound topic and the inboundRejects lookup. Against the emulators when
 * PUBSUB_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST are set, otherwise against the project with Application
 * Default Credentials.
 */
import { Firestore } from '@google-cloud/firestore';
import { PubSub, v1, type protos } from '@google-cloud/pubsub';
import { COLLECTIONS } from '../../shared/store/collections.js';
import { GrpcCode, grpcCode } from '../../shared/grpc-status.js';
import type { HeldMessage, HoldSubscription, RejectReasons, Republish } from '../dead-letters.js';
import { emulatorFirestore, emulatorPubSub } from '../emulator-clients.js';

/** Terraform's names (terraform/pubsub.tf), after the optional name prefix. */
export const HOLD_SUBSCRIPTION = 'rbm-inbound-dead-letter-hold';
export const INBOUND_TOPIC = 'rbm-inbound';

/**
 * How long one pull waits for messages before it counts as "nothing held right now". Pub/Sub answers as soon as
 * it has any, so this is what the last, empty pull of a list or replay costs.
 */
const PULL_WAIT_MS = 5_000;

/** How many inboundRejects records (newest first) the reason lookup reads at most. */
const REJECT_SCAN_LIMIT = 10_000;

type ReceivedMessage = protos.google.pubsub.v1.IReceivedMessage;
type Timestamp = protos.google.protobuf.ITimestamp;

function dateOf(timestamp: Timestamp | null | undefined): Date | undefined {
  if (!timestamp?.seconds) return undefined;
  return new Date(Number(timestamp.seconds) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6));
}

/** A pulled message as the dead-letter logic sees it; undefined for an entry without an ack id or message. */
export function heldMessageOf(received: ReceivedMessage): HeldMessage | undefined {
  const message = received.message;
  if (!received.ackId || !message) return undefined;
  const data = message.data;
  return {
    ackId: received.ackId,
    messageId: message.messageId ?? '',
    publishTime: dateOf(message.publishTime),
    data: data === null || data === undefined ? Buffer.alloc(0) : Buffer.from(data),
    attributes: { ...(message.attributes ?? {}) },
  };
}

/** The hold subscription through Pub/Sub's synchronous pull (the streaming client would ack or lease on its own). */
export function pubSubHold(client: v1.SubscriberClient, subscription: string): HoldSubscription {
  return {
    async pull(max) {
      try {
        const [response] = await client.pull({ subscription, maxMessages: max }, { timeout: PULL_WAIT_MS });
        return (response.receivedMessages ?? []).flatMap((received) => heldMessageOf(received) ?? []);
      } catch (error) {
        if (grpcCode(error) === GrpcCode.DEADLINE_EXCEEDED) return [];
        throw error;
      }
    },
    async acknowledge(ackIds) {
      await client.acknowledge({ subscription, ackIds: [...ackIds] });
    },
    async release(ackIds) {
      await client.modifyAckDeadline({ subscription, ackIds: [...ackIds], ackDeadlineSeconds: 0 });
    },
  };
}

export function pubSubRepublish(pubsub: PubSub, topic: string): Republish {
  const publisher = pubsub.topic(topic);
  return (data, attributes) => publisher.publishMessage({ data, attributes });
}

/** Looks for rejects with the same bytes among the newest ones since `since` (inboundRejects.data is unindexed). */
export function firestoreRejectReasons(db: Firestore, scanLimit = REJECT_SCAN_LIMIT): RejectReasons {
  return async (payloads, since) => {
    const wanted = new Set(payloads.map((payload) => payload.toString('base64')));
    const found = new Map<string, string>();
    const snapshot = await db
      .collection(COLLECTIONS.inboundRejects)
      .where('receivedAt', '>=', since)
      .orderBy('receivedAt', 'desc')
      .limit(scanLimit)
      .select('data', 'reason')
      .get();
    for (const doc of snapshot.docs) {
      const data: unknown = doc.get('data');
      const reason: unknown = doc.get('reason');
      if (typeof data === 'string' && typeof reason === 'string' && wanted.has(data) && !found.has(data)) {
        found.set(data, reason);
      }
    }
    return found;
  };
}

export interface DeadLetterClients {
  readonly hold: HoldSubscription;
  readonly republish: Republish;
  readonly rejectReasons: RejectReasons;
  /** Full name of the hold subscription, for messages. */
  readonly subscriptionName: string;
  readonly topicName: string;
  close(): Promise<void>;
}

/** Clients for one project and name prefix, on the emulators when their variables are set. */
export function deadLetterClients(options: {
  projectId: string;
  namePrefix: string;
  pubsubEmulatorHost?: string | undefined;
  firestoreEmulatorHost?: string | undefined;
}): DeadLetterClients {
  const { projectId } = options;
  const pubsub = options.pubsubEmulatorHost
    ? emulatorPubSub(projectId, options.pubsubEmulatorHost)
    : new PubSub({ projectId });
  const db = options.firestoreEmulatorHost
    ? emulatorFirestore(projectId, options.firestoreEmulatorHost)
    : new Firestore({ projectId });
  // The client options PubSub derived (endpoint, emulator credentials) suit the generated client as well.
  const { port, ...clientOptions } = pubsub.options;
  const subscriber = new v1.SubscriberClient({
    ...clientOptions,
    ...(port === undefined ? {} : { port: Number(port) }),
  });
  const subscriptionName = `projects/${projectId}/subscriptions/${options.namePrefix}${HOLD_SUBSCRIPTION}`;
  const topicName = `${options.namePrefix}${INBOUND_TOPIC}`;
  return {
    hold: pubSubHold(subscriber, subscriptionName),
    republish: pubSubRepublish(pubsub, topicName),
    rejectReasons: firestoreRejectReasons(db),
    subscriptionName,
    topicName,
    close: async () => {
      await subscriber.close();
      await pubsub.close();
      await db.terminate();
    },
  };
}
