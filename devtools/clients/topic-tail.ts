/**
 * Follows one of the business topics (user messages, status events, fallback decisions, consent changes) through
 * a temporary pull subscription that only sees what is published from now on, deleted again on close.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '@google-cloud/pubsub';
import { emulatorPubSub } from '../emulator-clients.js';

/** The business topics, the variable a stack's environment names each one in, and Terraform's default name. */
export const TAIL_TOPICS = {
  'user-messages': { variable: 'RBM_USER_MESSAGES_TOPIC', defaultName: 'rbm-user-messages' },
  status: { variable: 'RBM_STATUS_TOPIC', defaultName: 'rbm-message-status' },
  fallback: { variable: 'RBM_FALLBACK_TOPIC', defaultName: 'rbm-fallback' },
  consents: { variable: 'RBM_CONSENT_TOPIC', defaultName: 'rbm-consent-changes' },
} as const;

export type TailTopic = keyof typeof TAIL_TOPICS;

export function isTailTopic(value: string): value is TailTopic {
  return Object.hasOwn(TAIL_TOPICS, value);
}

/** The topic's name in this environment (a stack with a name prefix exports it), else Terraform's. */
export function topicName(topic: TailTopic, env: NodeJS.ProcessEnv = process.env): string {
  const { variable, defaultName } = TAIL_TOPICS[topic];
  return env[variable] || defaultName;
}

export interface TailedMessage {
  /** The data parsed as JSON, or the text when it is not JSON. */
  readonly json: unknown;
  readonly attributes: Record<string, string>;
  readonly id: string;
}

export interface TailOptions {
  readonly pubsubHost: string;
  readonly projectId: string;
  /** The topic's full id, e.g. `rbm-message-status` (see topicName). */
  readonly topic: string;
  readonly onMessage: (message: TailedMessage) => void;
  readonly onError?: (error: Error) => void;
}

export interface Tail {
  /** The temporary subscription's id. */
  readonly subscription: string;
  close(): Promise<void>;
}

export async function tailTopic(options: TailOptions): Promise<Tail> {
  const pubsub = emulatorPubSub(options.projectId, options.pubsubHost);
  const name = `rbm-cli-tail-${randomUUID().slice(0, 8)}`;
  let subscription;
  try {
    [subscription] = await pubsub.topic(options.topic).createSubscription(name);
  } catch (error) {
    await pubsub.close();
    throw error;
  }
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
  const opened = subscription;
  return {
    subscription: name,
    close: async () => {
      await opened.close();
      await opened.delete().catch(() => undefined);
      await pubsub.close();
    },
  };
}
