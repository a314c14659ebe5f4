/** Delivering a Pub/Sub message to the inbound function directly, in each shape functions-framework accepts. */
import { randomUUID } from 'node:crypto';
import { request, type HttpAnswer } from './http.js';

export type DeliveryShape = 'raw-push' | 'binary-cloudevent' | 'structured-cloudevent';

export interface PubSubMessageInput {
  /** Object → JSON; string or Buffer → those bytes. */
  data: unknown;
  attributes?: Record<string, string>;
  messageId?: string;
}

export function pubsubMessage(input: PubSubMessageInput) {
  const bytes = Buffer.isBuffer(input.data)
    ? input.data
    : Buffer.from(typeof input.data === 'string' ? input.data : JSON.stringify(input.data));
  return {
    data: bytes.toString('base64'),
    ...(input.attributes ? { attributes: input.attributes } : {}),
    messageId: input.messageId ?? String(Date.now()) + String(Math.floor(Math.random() * 1e6)),
    publishTime: new Date().toISOString(),
  };
}

export function deliver(
  inboundUrl: string,
  projectId: string,
  input: PubSubMessageInput,
  shape: DeliveryShape = 'raw-push',
): Promise<HttpAnswer> {
  const message = pubsubMessage(input);
  const subscription = `projects/${projectId}/subscriptions/rbm-inbound-to-inbound`;
  const source = `//pubsub.googleapis.com/projects/${projectId}/topics/rbm-inbound`;
  const type = 'google.cloud.pubsub.topic.v1.messagePublished';
  switch (shape) {
    case 'raw-push':
      return request(`${inboundUrl}/projects/${projectId}/topics/rbm-inbound`, {
        method: 'POST',
        body: { message, subscription },
      });
    case 'binary-cloudevent':
      return request(inboundUrl, {
        method: 'POST',
        body: { message, subscription },
        headers: {
          'ce-specversion': '1.0',
          'ce-type': type,
          'ce-source': source,
          'ce-id': message.messageId,
          'ce-time': message.publishTime,
        },
      });
    case 'structured-cloudevent':
      return request(inboundUrl, {
        method: 'POST',
        rawBody: JSON.stringify({
          specversion: '1.0',
          type,
          source,
          id: message.messageId ?? randomUUID(),
          time: message.publishTime,
          datacontenttype: 'application/json',
          data: { message, subscription },
        }),
        headers: { 'content-type': 'application/cloudevents+json' },
      });
  }
}

/** The structured log entries an inbound function printed for processed messages. */
export function processedEntries(logs: string[]): Array<Record<string, unknown>> {
  return logs
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.message === 'Inbound processed');
}
