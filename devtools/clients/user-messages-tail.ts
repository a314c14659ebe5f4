/** Follows the `rbm-user-messages` topic through a temporary pull subscription, deleted again on close. */
import { randomUUID } from 'node:crypto';
import type { Message } from '@google-cloud/pubsub';
import { emulatorPubSub } from '../emulator-clients.js';

export interface TailOptions {
  readonly pubsubHost: string;
  readonly projectId: string;
  readonly topic?: string;
  readonly onMessage: (message: { json: unknown; attributes: Record<string, string>; id: string }) => void;
  readonly onError?: (error: Error) => void;
}

export async function tailUserMessages(options: TailOptions): Promise<{ close(): Promise<void> }> {
  const pubsub = emulatorPubSub(options.projectId, options.pubsubHost);
  const topic = options.topic ?? 'rbm-user-messages';
  const [subscription] = await pubsub
    .topic(topic)
    .createSubscription(`rbm-cli-tail-${randomUUID().slice(0, 8)}`);
  subscription.on('message', (message: Message) => {
    let json: unknown;
    try {
      json = JSON.parse(message.data.toString('utf8'));
    } catch {
      json = message.data.toString('utf8');
    }
    options.onMessage({ json, attributes: { ...message.attributes }, id: message.id });
    message.ack();
  });
  subscription.on('error', (error: Error) => options.onError?.(error));
  return {
    close: async () => {
      await subscription.close();
      await subscription.delete().catch(() => undefined);
      await pubsub.close();
    },
  };
}
