/**
 * What an inbound payload is (docs/data-model.md), decided from the decoded JSON and the envelope attributes
 * alone. A payload Firestore could never store (an id or field name it refuses) is unprocessable here, so it
 * is kept as a reject instead of failing every redelivery. Pure: no I/O, so every shape is unit-tested.
 */
import { bareAgentId } from '../agent-id.js';
import { isE164 } from '../phone.js';
import { dateFrom, isJsonObject } from '../json-values.js';
import { documentIdProblem, storableFieldsProblem } from '../document-ids.js';

export const USER_MESSAGE_KINDS = ['text', 'userFile', 'location', 'suggestionResponse'] as const;
export type UserMessageKind = (typeof USER_MESSAGE_KINDS)[number];

export type DeliveryEventType =
  'DELIVERED' | 'READ' | 'TTL_EXPIRATION_REVOKED' | 'TTL_EXPIRATION_REVOKE_FAILED';

interface Common {
  /** Agent id without `@rbm.goog`; undefined when the payload names none. */
  agentId: string | undefined;
  sendTime: Date | undefined;
}

export type InboundPayload =
  | (Common & {
      kind: 'userMessage';
      /** The user's message id, or the event id of a suggestion tap that has no message id. */
      id: string;
      phoneNumber: string;
      content: UserMessageKind;
      payload: unknown;
    })
  | (Common & {
      kind: 'deliveryEvent';
      eventType: DeliveryEventType;
      eventId: string;
      messageId: string;
      phoneNumber: string;
    })
  | (Common & { kind: 'typing'; eventId: string | undefined })
  | (Common & { kind: 'consent'; subscribed: boolean; eventId: string; phoneNumber: string })
  | (Common & { kind: 'launchEvent'; eventId: string | undefined; fields: Record<string, unknown> })
  | { kind: 'unprocessable'; reason: string };

const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export function normaliseAgentId(value: unknown): string | undefined {
  const id = str(value);
  if (id === undefined) return undefined;
  return bareAgentId(id);
}

const unprocessable = (reason: string): InboundPayload => ({ kind: 'unprocessable', reason });

export function classifyInbound(decoded: unknown, attributes: Record<string, string>): InboundPayload {
  if (!isJsonObject(decoded)) return unprocessable('payload is not a JSON object');
  const common: Common = {
    agentId: normaliseAgentId(decoded.agentId),
    sendTime: dateFrom(decoded.sendTime),
  };

  if (attributes.type === 'agent_launch_event') {
    const eventId = str(decoded.eventId);
    // The event is stored under its id with "/" made "_", and with its fields as they came.
    const idProblem = eventId === undefined ? undefined : documentIdProblem(eventId.replace(/\//g, '_'));
    if (idProblem !== undefined) return unprocessable(`agent launch event id ${idProblem}`);
    const fieldsProblem = storableFieldsProblem(decoded);
    if (fieldsProblem !== undefined) return unprocessable(`agent launch event: ${fieldsProblem}`);
    return { ...common, kind: 'launchEvent', eventId, fields: decoded };
  }

  const eventType = str(decoded.eventType);
  if (eventType !== undefined) return classifyEvent(decoded, eventType, common);

  const contents = USER_MESSAGE_KINDS.filter((kind) => decoded[kind] !== undefined);
  if (contents.length > 0) {
    if (contents.length > 1)
      return unprocessable(`user message has several contents: ${contents.join(', ')}`);
    const content = contents[0] as UserMessageKind;
    const phoneNumber = str(decoded.senderPhoneNumber);
    if (phoneNumber === undefined || !isE164(phoneNumber))
      return unprocessable('user message without a valid senderPhoneNumber');
    const id = str(decoded.messageId) ?? str(decoded.eventId);
    if (id === undefined) return unprocessable('user message without messageId or eventId');
    const idProblem = documentIdProblem(id);
    if (idProblem !== undefined) return unprocessable(`user message id ${idProblem}`);
    const payload = decoded[content];
    if (content === 'text' ? typeof payload !== 'string' : !isJsonObject(payload)) {
      return unprocessable(`user message ${content} has the wrong type`);
    }
    const fieldsProblem = content === 'text' ? undefined : storableFieldsProblem({ [content]: payload });
    if (fieldsProblem !== undefined) return unprocessable(`user message: ${fieldsProblem}`);
    return { ...common, kind: 'userMessage', id, phoneNumber, content, payload };
  }
  return unprocessable('unknown payload shape');
}

function classifyEvent(decoded: Record<string, unknown>, eventType: string, common: Common): InboundPayload {
  const eventId = str(decoded.eventId);
  const isServerEvent = eventType.startsWith('TTL_EXPIRATION_');
  const phoneNumber = str(isServerEvent ? decoded.phoneNumber : decoded.senderPhoneNumber);
  switch (eventType) {
    case 'IS_TYPING':
      return { ...common, kind: 'typing', eventId };
    case 'SUBSCRIBE':
    case 'UNSUBSCRIBE':
      if (phoneNumber === undefined || !isE164(phoneNumber))
        return unprocessable(`${eventType} without a valid phone number`);
      return {
        ...common,
        kind: 'consent',
        subscribed: eventType === 'SUBSCRIBE',
        // Only logged: consent changes are de-duplicated by their time and value, so one without an id is
        // still a change, not a reject.
        eventId: eventId ?? `${eventType}:${phoneNumber}`,
        phoneNumber,
      };
    case 'DELIVERED':
    case 'READ':
    case 'TTL_EXPIRATION_REVOKED':
    case 'TTL_EXPIRATION_REVOKE_FAILED': {
      const messageId = str(decoded.messageId);
      if (messageId === undefined) return unprocessable(`${eventType} without a usable messageId`);
      const idProblem = documentIdProblem(messageId);
      if (idProblem !== undefined) return unprocessable(`${eventType} messageId ${idProblem}`);
      if (phoneNumber === undefined || !isE164(phoneNumber))
        return unprocessable(`${eventType} without a valid phone number`);
      return {
        ...common,
        kind: 'deliveryEvent',
        eventType,
        // RBM always sets eventId; the fallback keeps a malformed one idempotent rather than lost.
        eventId: eventId ?? `${eventType}:${messageId}`,
        messageId,
        phoneNumber,
      };
    }
    default:
      return unprocessable(`unknown eventType ${eventType}`);
  }
}
