/**
 * The Pub/Sub message inside a CloudEvent: functions-framework hands `inbound` the same
 * `{message: {data, attributes, messageId}}` data for binary and structured CloudEvents and for raw push
 * bodies (which it converts).
 */
import { decodeBase64 } from '../base64.js';
import { isJsonObject } from '../json-values.js';

export interface InboundMessage {
  data: Buffer;
  attributes: Record<string, string>;
  /** Pub/Sub's id of this message: stable across redeliveries. */
  pubsubMessageId: string | undefined;
}

export type EnvelopeResult =
  { ok: true; message: InboundMessage } | { ok: false; reason: string; raw: string };

const base64Of = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function readEnvelope(eventData: unknown, eventId: string | undefined): EnvelopeResult {
  let data: unknown = eventData;
  if (Buffer.isBuffer(data)) data = data.toString('utf8');
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return {
        ok: false,
        reason: 'event data is not JSON',
        raw: base64Of(String(eventData)),
      };
    }
  }
  const message = isJsonObject(data) ? data.message : undefined;
  if (!isJsonObject(message)) {
    // Keep what did arrive: the whole event data, so different bad events stay different records.
    return { ok: false, reason: 'event has no Pub/Sub message', raw: base64Of(JSON.stringify(data) ?? '') };
  }
  const attributes: Record<string, string> = {};
  if (isJsonObject(message.attributes)) {
    for (const [key, value] of Object.entries(message.attributes))
      if (typeof value === 'string') attributes[key] = value;
  }
  const pubsubMessageId =
    typeof message.messageId === 'string'
      ? message.messageId
      : typeof message.message_id === 'string'
        ? message.message_id
        : eventId;
  const encoded = typeof message.data === 'string' ? message.data : '';
  const decoded = decodeBase64(encoded);
  if (decoded === undefined)
    return { ok: false, reason: 'message.data is not base64', raw: base64Of(encoded) };
  if (decoded.length === 0) return { ok: false, reason: 'message.data is empty', raw: '' };
  return { ok: true, message: { data: decoded, attributes, pubsubMessageId } };
}
