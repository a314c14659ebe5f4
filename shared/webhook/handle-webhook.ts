/**
 * RBM's webhook (docs/http-api.md#webhook): the verification handshake, then signed callbacks, each
 * republished to our own topic before RBM gets its 200. Anything not verified is refused and never published.
 */
import { ApiError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import type { Attributes, Publish } from '../pubsub/publisher.js';
import { decodeBase64 } from '../base64.js';
import { isValidSignature, secretsEqual } from './signature.js';
import { isJsonObject } from '../json-values.js';

export interface WebhookRequest {
  body: Record<string, unknown>;
  signature: string | undefined;
}

export interface WebhookDeps {
  clientToken: string;
  inboundTopic: string;
  publish: Publish;
  logger: Logger;
}

export type WebhookOutcome =
  | { kind: 'handshakeAnswered'; secret: string }
  | { kind: 'handshakeRefused' }
  | { kind: 'signatureInvalid' }
  | { kind: 'published' }
  /** Pub/Sub did not take it: RBM must retry. */
  | { kind: 'publishFailed' };

export async function handleWebhook(request: WebhookRequest, deps: WebhookDeps): Promise<WebhookOutcome> {
  const { body } = request;
  if ('clientToken' in body) return handshake(body, deps);

  const envelope = body.message;
  if (!isJsonObject(envelope) || typeof envelope.data !== 'string') {
    throw new ApiError(400, 'Expected {"message": {"data": base64, ...}} or a verification handshake.');
  }
  const data = decodeBase64(envelope.data);
  if (data === undefined || data.length === 0)
    throw new ApiError(400, 'message.data must be non-empty base64.');
  if (!isValidSignature(data, request.signature, deps.clientToken)) {
    deps.logger.warn('Webhook callback refused: missing or invalid X-Goog-Signature', {
      signed: request.signature !== undefined,
    });
    return { kind: 'signatureInvalid' };
  }
  const attributes = stringAttributes(envelope.attributes);
  const rbmMessageId = typeof envelope.messageId === 'string' ? envelope.messageId : undefined;
  try {
    const published = await deps.publish(deps.inboundTopic, data, attributes);
    deps.logger.info('Callback published', {
      rbmMessageId,
      pubsubMessageId: published,
      type: attributes.type,
    });
    return { kind: 'published' };
  } catch (error) {
    deps.logger.error('Callback not published; RBM will retry', { rbmMessageId, err: error });
    return { kind: 'publishFailed' };
  }
}

function handshake(body: Record<string, unknown>, deps: WebhookDeps): WebhookOutcome {
  const { clientToken, secret } = body;
  if (typeof clientToken !== 'string' || typeof secret !== 'string') {
    throw new ApiError(400, 'A verification request needs string clientToken and secret.');
  }
  if (!secretsEqual(clientToken, deps.clientToken)) {
    deps.logger.warn('Webhook verification refused: client token does not match');
    return { kind: 'handshakeRefused' };
  }
  deps.logger.info('Webhook verification answered');
  return { kind: 'handshakeAnswered', secret };
}

/** Envelope attributes as Pub/Sub takes them: string values only. */
function stringAttributes(value: unknown): Attributes {
  if (!isJsonObject(value)) return {};
  const out: Attributes = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') out[key] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') out[key] = String(item);
  }
  return out;
}
