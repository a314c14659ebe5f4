/** A pull subscription that records everything published to a topic from now on. */
import { randomUUID } from 'node:crypto';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';

export interface TappedMessage {
  data: Buffer;
  json: unknown;
  attributes: Record<string, string>;
  id: string;
}

export interface TopicTap {
  readonly messages: TappedMessage[];
  clear(): void;
  close(): Promise<void>;
}

export async function tapTopic(pubsub: PubSub, topic: string): Promise<TopicTap> {
  const [subscription]: [Subscription, ...unknown[]] = await pubsub
    .topic(topic)
    .createSubscription(`tap-${topic}-${randomUUID().slice(0, 8)}`);
  const messages: TappedMessage[] = [];
  subscription.on('message', (message: Message) => {
    let json: unknown;
    try {
      json = JSON.parse(message.data.toString('utf8'));
    } catch {
      json = undefined;
    }
    messages.push({ data: message.data, json, attributes: { ...message.attributes }, id: message.id });
    message.ack();
  });
  subscription.on('error', () => undefined);
  return {
    messages,
    clear: () => {
      messages.length = 0;
    },
    close: async () => {
      await subscription.close();
      await subscription.delete().catch(() => undefined);
    },
  };
}
