/**
 * The inbound payloads RBM sends to a webhook and the envelope around them. Pure: no I/O, so unit tests can build
 * and sign exactly what the fake server sends.
 */
import { randomUUID } from 'node:crypto';
import { sign, SIGNATURE_HEADER } from './signature.js';

export const DEFAULT_SUBSCRIPTION = 'projects/rbm-partner/subscriptions/rbm-sub';

/** Inbound payloads carry the agent id with its `@rbm.goog` suffix. */
export function inboundAgentId(agentId: string): string {
  return agentId.endsWith('@rbm.goog') ? agentId : `${agentId}@rbm.goog`;
}

export interface FileInfo {
  readonly mimeType: string;
  readonly fileSizeBytes: number;
  readonly fileName: string;
  readonly fileUri: string;
}

export interface UserFile {
  readonly thumbnail?: FileInfo;
  readonly payload: FileInfo;
}

export interface LatLng {
  readonly latitude: number;
  readonly longitude: number;
}

export type SuggestionType = 'UNKNOWN' | 'ACTION' | 'REPLY';

export interface SuggestionResponse {
  readonly postbackData: string;
  readonly text?: string;
  readonly type?: SuggestionType;
}

interface UserMessageBase {
  readonly senderPhoneNumber: string;
  readonly agentId: string;
  readonly sendTime: string;
  readonly messageId?: string;
  /** Only in the suggested-action shape, which has no messageId. */
  readonly eventId?: string;
}

export type UserMessagePayload = UserMessageBase &
  (
    | { readonly text: string }
    | { readonly userFile: UserFile }
    | { readonly location: LatLng }
    | { readonly suggestionResponse: SuggestionResponse }
  );

export type UserEventType = 'DELIVERED' | 'READ' | 'IS_TYPING' | 'SUBSCRIBE' | 'UNSUBSCRIBE';

export interface UserEventPayload {
  readonly senderPhoneNumber: string;
  readonly eventType: UserEventType;
  readonly eventId: string;
  /** Set only for DELIVERED and READ: the agent's message id. */
  readonly messageId?: string;
  readonly sendTime: string;
  readonly agentId: string;
}

export type ServerEventType = 'TTL_EXPIRATION_REVOKED' | 'TTL_EXPIRATION_REVOKE_FAILED';

export interface ServerEventPayload {
  /** Note: `phoneNumber`, not `senderPhoneNumber`. */
  readonly phoneNumber: string;
  readonly agentId: string;
  readonly messageId: string;
  readonly eventType: ServerEventType;
  readonly eventId: string;
  readonly sendTime: string;
}

export type LaunchState = 'PENDING' | 'LAUNCHED' | 'REJECTED' | 'SUSPENDED' | 'UNLAUNCHED';

export interface AgentLaunchEventPayload {
  readonly eventId: string;
  readonly agentId: string;
  readonly botDisplayName: string;
  readonly brandId: string;
  readonly brandDisplayName: string;
  readonly regionId: string;
  readonly oldLaunchState: LaunchState;
  readonly newLaunchState: LaunchState;
  readonly actingParty: string;
  readonly comment: string;
  readonly sendTime: string;
}

export type InboundPayload =
  UserMessagePayload | UserEventPayload | ServerEventPayload | AgentLaunchEventPayload;

/** A payload plus the envelope attributes it must travel with (only the agent launch event has any). */
export interface InboundItem {
  readonly payload: InboundPayload;
  readonly attributes?: Readonly<Record<string, string>>;
}

interface Common {
  readonly agentId: string;
  readonly sendTime?: string;
}

interface FromUser extends Common {
  /** The user's E.164 number. */
  readonly phone: string;
  /** The user's message id; default a new UUID. */
  readonly messageId?: string;
}

function userMessageBase(options: FromUser): UserMessageBase {
  return {
    senderPhoneNumber: options.phone,
    messageId: options.messageId ?? randomUUID(),
    sendTime: options.sendTime ?? new Date().toISOString(),
    agentId: inboundAgentId(options.agentId),
  };
}

export function userText(options: FromUser & { readonly text: string }): UserMessagePayload {
  return { ...userMessageBase(options), text: options.text };
}

export function userFileMessage(options: FromUser & { readonly userFile?: UserFile }): UserMessagePayload {
  const userFile: UserFile = options.userFile ?? {
    thumbnail: {
      mimeType: 'image/jpeg',
      fileSizeBytes: 1024,
      fileName: 'thumbnail.jpg',
      fileUri: 'https://storage.googleapis.com/copper_test/thumbnail.jpg',
    },
    payload: {
      mimeType: 'image/jpeg',
      fileSizeBytes: 204800,
      fileName: 'photo.jpg',
      fileUri: 'https://storage.googleapis.com/copper_test/photo.jpg',
    },
  };
  return { ...userMessageBase(options), userFile };
}

export function userLocation(options: FromUser & { readonly location?: LatLng }): UserMessagePayload {
  return {
    ...userMessageBase(options),
    location: options.location ?? { latitude: 37.422, longitude: -122.084 },
  };
}

/** A suggested-reply tap: a normal user message with a messageId. */
export function suggestionReply(
  options: FromUser & {
    readonly postbackData: string;
    readonly text?: string;
    readonly type?: SuggestionType;
  },
): UserMessagePayload {
  return {
    ...userMessageBase(options),
    suggestionResponse: {
      postbackData: options.postbackData,
      text: options.text ?? options.postbackData,
      type: options.type ?? 'REPLY',
    },
  };
}

/**
 * A suggested-action tap in the shape of the receive-events guide: `eventId` and no `messageId`,
 * `suggestionResponse` with only `postbackData`.
 */
export function suggestionActionTap(
  options: Common & { readonly phone: string; readonly postbackData: string; readonly eventId?: string },
): UserMessagePayload {
  return {
    senderPhoneNumber: options.phone,
    eventId: options.eventId ?? randomUUID(),
    sendTime: options.sendTime ?? new Date().toISOString(),
    agentId: inboundAgentId(options.agentId),
    suggestionResponse: { postbackData: options.postbackData },
  };
}

export function userEvent(
  options: Common & {
    readonly phone: string;
    readonly eventType: UserEventType;
    readonly messageId?: string;
    readonly eventId?: string;
  },
): UserEventPayload {
  const withMessageId = options.eventType === 'DELIVERED' || options.eventType === 'READ';
  if (withMessageId && options.messageId === undefined) {
    throw new Error(`a ${options.eventType} event needs the agent message id`);
  }
  return {
    senderPhoneNumber: options.phone,
    eventType: options.eventType,
    eventId: options.eventId ?? randomUUID(),
    ...(withMessageId ? { messageId: options.messageId } : {}),
    sendTime: options.sendTime ?? new Date().toISOString(),
    agentId: inboundAgentId(options.agentId),
  };
}

type MessageEventOptions = Common & {
  readonly phone: string;
  readonly messageId: string;
  readonly eventId?: string;
};
type PhoneEventOptions = Common & { readonly phone: string; readonly eventId?: string };

export const deliveredEvent = (options: MessageEventOptions): UserEventPayload =>
  userEvent({ ...options, eventType: 'DELIVERED' });
export const readEvent = (options: MessageEventOptions): UserEventPayload =>
  userEvent({ ...options, eventType: 'READ' });
export const isTypingEvent = (options: PhoneEventOptions): UserEventPayload =>
  userEvent({ ...options, eventType: 'IS_TYPING' });
export const subscribeEvent = (options: PhoneEventOptions): UserEventPayload =>
  userEvent({ ...options, eventType: 'SUBSCRIBE' });
export const unsubscribeEvent = (options: PhoneEventOptions): UserEventPayload =>
  userEvent({ ...options, eventType: 'UNSUBSCRIBE' });

export function serverEvent(
  options: MessageEventOptions & { readonly eventType: ServerEventType },
): ServerEventPayload {
  return {
    phoneNumber: options.phone,
    agentId: inboundAgentId(options.agentId),
    messageId: options.messageId,
    eventType: options.eventType,
    eventId: options.eventId ?? randomUUID(),
    sendTime: options.sendTime ?? new Date().toISOString(),
  };
}

export const ttlRevokedEvent = (options: MessageEventOptions): ServerEventPayload =>
  serverEvent({ ...options, eventType: 'TTL_EXPIRATION_REVOKED' });
export const ttlRevokeFailedEvent = (options: MessageEventOptions): ServerEventPayload =>
  serverEvent({ ...options, eventType: 'TTL_EXPIRATION_REVOKE_FAILED' });

/** An agent launch event and the envelope attributes that mark it (`type: agent_launch_event`). */
export function agentLaunchEvent(
  options: Common & {
    readonly eventId?: string;
    readonly oldLaunchState?: LaunchState;
    readonly newLaunchState?: LaunchState;
    readonly regionId?: string;
  },
): InboundItem & { readonly payload: AgentLaunchEventPayload; readonly attributes: Record<string, string> } {
  return {
    payload: {
      eventId: options.eventId ?? randomUUID(),
      agentId: inboundAgentId(options.agentId),
      botDisplayName: 'Fake Agent',
      brandId: 'fake-brand-id',
      brandDisplayName: 'Fake Brand',
      regionId: options.regionId ?? '/v1/regions/fake-carrier',
      oldLaunchState: options.oldLaunchState ?? 'PENDING',
      newLaunchState: options.newLaunchState ?? 'LAUNCHED',
      actingParty: 'CARRIER',
      comment: 'launched by the fake RBM server',
      sendTime: options.sendTime ?? new Date().toISOString(),
    },
    attributes: {
      business_id: 'fake-business',
      event_type: 'AGENT_LAUNCH_STATE_CHANGED',
      product: 'RBM',
      project_number: '000000000000',
      type: 'agent_launch_event',
    },
  };
}

export interface WebhookEnvelope {
  readonly message: {
    readonly data: string;
    readonly attributes?: Readonly<Record<string, string>>;
    readonly messageId: string;
    readonly message_id: string;
    readonly publishTime: string;
    readonly publish_time: string;
  };
  readonly subscription: string;
}

export interface EnvelopeOptions {
  readonly attributes?: Readonly<Record<string, string>>;
  /** The envelope's (Pub/Sub) message id; default random digits. Redeliveries keep it. */
  readonly envelopeMessageId?: string;
  readonly publishTime?: string;
  readonly subscription?: string;
}

/** Wraps a payload as RBM does: JSON, base64 in `message.data`. Returns the envelope and the exact data bytes. */
export function webhookEnvelope(
  payload: InboundPayload | Readonly<Record<string, unknown>>,
  options: EnvelopeOptions = {},
): { readonly envelope: WebhookEnvelope; readonly data: Buffer } {
  const data = Buffer.from(JSON.stringify(payload), 'utf8');
  const messageId = options.envelopeMessageId ?? String(Math.floor(Math.random() * 1e15) + 1e15);
  const publishTime = options.publishTime ?? new Date().toISOString();
  return {
    data,
    envelope: {
      message: {
        data: data.toString('base64'),
        ...(options.attributes ? { attributes: { ...options.attributes } } : {}),
        messageId,
        message_id: messageId,
        publishTime,
        publish_time: publishTime,
      },
      subscription: options.subscription ?? DEFAULT_SUBSCRIPTION,
    },
  };
}

export interface SignedCallback {
  /** The exact HTTP body to POST. */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly envelope: WebhookEnvelope;
  /** The decoded bytes the signature covers. */
  readonly data: Buffer;
}

/** The HTTP request RBM makes for one payload: JSON envelope plus `X-Goog-Signature` over the decoded data. */
export function signedCallback(
  payload: InboundPayload | Readonly<Record<string, unknown>>,
  clientToken: string,
  options: EnvelopeOptions = {},
): SignedCallback {
  const { envelope, data } = webhookEnvelope(payload, options);
  return {
    body: JSON.stringify(envelope),
    headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: sign(data, clientToken) },
    envelope,
    data,
  };
}
