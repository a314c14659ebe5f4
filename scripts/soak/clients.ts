/** Admin clients for the emulators, and a pull subscription that records what reaches a topic. */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import type { EmulatorHosts } from '../../devtools/local-stack.js';
import { emulatorFirestore, emulatorPubSub } from '../../devtools/emulator-clients.js';

export function firestoreAdmin(projectId: string, hosts: EmulatorHosts): Firestore {
  return emulatorFirestore(projectId, hosts.firestoreHost);
}

export function pubsubAdmin(projectId: string, hosts: EmulatorHosts): PubSub {
  return emulatorPubSub(projectId, hosts.pubsubHost);
}

export interface TappedMessage {
  readonly id: string;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface TopicTap {
  readonly messages: readonly TappedMessage[];
  close(): Promise<void>;
}

/** Records every message published to `topic` from now on (Pub/Sub message ids tell redeliveries apart). */
export async function tapTopic(pubsub: PubSub, topic: string): Promise<TopicTap> {
  const [subscription]: [Subscription, ...unknown[]] = await pubsub
    .topic(topic)
    .createSubscription(`soak-tap-${topic}-${randomUUID().slice(0, 8)}`);
  const messages: TappedMessage[] = [];
  subscription.on('message', (message: Message) => {
    messages.push({ id: message.id, data: message.data, attributes: { ...message.attributes } });
    message.ack();
  });
  subscription.on('error', () => undefined);
  return {
    messages,
    close: async () => {
      await subscription.close();
      await subscription.delete().catch(() => undefined);
    },
  };
}
