/** The fake RBM's public types: its options, what it records, and the `FakeRbm` handle tests and the sandbox use. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InjectableStatus } from './google-error.js';
import type { InboundPayload } from './payloads.js';
import type {
  CallbackChaos,
  CallbackOptions,
  CallbackRecord,
  CallbackResult,
  CallbackRetries,
  ReleaseOrder,
  WebhookTarget,
} from './webhook-sender.js';

/** `reachable`: on RCS and online; `offline`: on RCS, messages wait in a queue; `unreachable`: not on RCS. */
export type PhoneState = 'reachable' | 'unreachable' | 'offline';

/** `pending`: accepted for an online phone, not delivered yet (autoDeliver off); `queued`: waiting for an offline
 * phone. Both can be revoked. */
export type MessageState = 'pending' | 'queued' | 'delivered' | 'read' | 'revoked' | 'expired';

export type Fault =
  | { readonly status: InjectableStatus; readonly retryAfterSeconds?: number }
  | { readonly hangMs: number; readonly then?: 'answer' | 'destroy' };

/** What an API call was, by route. `other` is any request on an RBM path the fake does not serve. */
export type CallKind =
  'create' | 'delete' | 'agentEvent' | 'capabilities' | 'batchGet' | 'fileCreate' | 'other';

/** The calls a fault can be queued for. */
export type FaultableCall = Exclude<CallKind, 'other'>;

export interface FaultScope {
  /** Which calls consume the fault. Default: creates and deletes only (the other kinds need it named). */
  readonly only?: FaultableCall;
}

export interface AutoEvents {
  readonly deliver: boolean;
  readonly read: boolean;
  /** Delay before each automatic event. Default 0. */
  readonly delayMs?: number;
}

export interface FakeRbmOptions {
  /** Loopback port to listen on. Default: a free one. */
  readonly port?: number;
  /** When set, the agent id (query, or body for users:batchGet and files) must equal it (403 otherwise). */
  readonly agentId?: string;
  /** When set, requests must carry `Authorization: Bearer <requireToken>` (401 otherwise). */
  readonly requireToken?: string;
  /** State of phones never passed to setPhone. Default `reachable`. */
  readonly defaultPhoneState?: PhoneState;
  /** Features of phones that have none of their own. Default: every RBM feature (`RBM_FEATURES`). */
  readonly defaultFeatures?: readonly string[];
  /** A message for a reachable phone counts as delivered at once. Default true. */
  readonly autoDeliver?: boolean;
  /** Send DELIVERED / READ callbacks to the webhook after a delivery. Default off. */
  readonly autoEvents?: AutoEvents;
  readonly webhook?: WebhookTarget;
  /** Retry a callback the webhook did not answer 200. Default: no retry. */
  readonly retryCallbacks?: CallbackRetries;
  readonly callbackChaos?: CallbackChaos;
}

/** Per-phone behaviour, over the server-wide options. */
export interface PhoneOptions {
  /** A message for this phone, when reachable, counts as delivered at once (server-wide `autoDeliver` if unset).
   * False leaves it `pending` until deliver() or read(). */
  readonly autoDeliver?: boolean;
  /** DELIVERED / READ callbacks after a delivery to this phone; `null` sends none (a person marks it read). */
  readonly autoEvents?: AutoEvents | null;
  /** What the device supports (RBM feature names; unknown names are kept). A later setPhone without `features`
   * keeps these; `null` goes back to the server-wide default. */
  readonly features?: readonly string[] | null;
  /** Every message accepted for this phone has its outcome dropped (see FakeRbm.dropOutcome). */
  readonly dropOutcomes?: boolean;
}

export interface PhoneInfo {
  readonly phone: string;
  readonly state: PhoneState;
  /** The phone's own options, as last given to setPhone. */
  readonly options: PhoneOptions;
  /** The features the phone has now (its own, or the server-wide default). */
  readonly features: readonly string[];
}

/**
 * Extra routes on the fake's port (e.g. the sandbox web page). Called for requests whose path is not an RBM API
 * path; returns true when it answered the request (then it is not recorded as a call).
 */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;

export interface RecordedCall {
  readonly kind: CallKind;
  readonly method: string;
  /** Path without the query string, percent-decoded. */
  readonly path: string;
  /** The phone of a `/v1/phones/{phone}/…` path. */
  readonly phone: string | undefined;
  /** The message id of a create (query) or delete (path). */
  readonly messageId: string | undefined;
  /** The `agentId` query parameter; for users:batchGet and files the body's `agentId` (the query's if absent). */
  readonly agentId: string | undefined;
  readonly query: Readonly<Record<string, string>>;
  /** Request headers, `authorization` left out (see hasToken / token). */
  readonly headers: Readonly<Record<string, string>>;
  readonly hasToken: boolean;
  /** The bearer token, for assertions. Never print it. */
  readonly token: string | undefined;
  /** Parsed JSON body, the raw text when it is not JSON, undefined when empty. */
  readonly body: unknown;
  /** Undefined until answered; 0 when the fake destroyed the connection. */
  status: number | undefined;
  /** An id this agent already used (message or event id, one namespace; or a capability request id): RBM ignores
   * the call, so it is answered with the original response and changes nothing. */
  duplicate: boolean;
  /** `revokeRace`: a delete answered 200 for a message that was delivered all the same (see raceRevoke). */
  fault: 'status' | 'hang' | 'destroy' | 'revokeRace' | undefined;
  readonly at: Date;
}

export interface AgentMessageResponse {
  readonly name: string;
  readonly sendTime: string;
  readonly contentMessage: unknown;
  readonly messageTrafficType?: string;
  readonly expireTime?: string;
}

export interface StoredMessage {
  readonly messageId: string;
  readonly agentId: string;
  readonly phone: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly response: AgentMessageResponse;
  state: MessageState;
  readonly createdAt: Date;
  /** Nothing more happens to it: never delivered, and no callback of its own (DELIVERED, READ, TTL) is sent. */
  outcomeDropped?: boolean;
  /** Its next revoke loses the race with a delivery in flight: answered 200, and delivered all the same. */
  revokeRace?: boolean;
}

export type AgentEventType = 'READ' | 'IS_TYPING';

/** RBM's answer to agentEvents.create. */
export interface AgentEventResponse {
  readonly name: string;
  readonly eventType: AgentEventType;
  /** The user's message id (READ only). */
  readonly messageId?: string;
  readonly sendTime: string;
}

export interface StoredAgentEvent {
  readonly eventId: string;
  readonly agentId: string;
  readonly phone: string;
  readonly eventType: AgentEventType;
  /** The user's message the agent read (READ only). */
  readonly messageId?: string;
  readonly response: AgentEventResponse;
  readonly createdAt: Date;
}

/** A file created with files.create (URL mode). */
export interface StoredFile {
  /** `files/{id}`, what `uploadedRbmFile.fileName` takes. */
  readonly name: string;
  readonly fileUrl: string;
  readonly thumbnailUrl?: string;
  readonly agentId: string;
  readonly createdAt: Date;
}

/** RBM's answer to users:batchGet (`reachableUsersMap`, US only, is never set). */
export interface BatchGetUsersResponse {
  readonly reachableUsers: string[];
  readonly totalRandomSampleUserCount: number;
  readonly reachableRandomSampleUserCount: number;
}

export interface FakeRbm {
  /** Base URL, e.g. `http://127.0.0.1:PORT` (use as RBM_API_ENDPOINT). */
  readonly url: string;
  readonly agentId: string | undefined;
  /** Every API call, in arrival order. */
  readonly calls: readonly RecordedCall[];
  /** Every webhook callback request sent (duplicates included), in the order sent. */
  readonly callbacks: readonly CallbackRecord[];
  creates(): RecordedCall[];
  deletes(): RecordedCall[];
  /** The calls of one kind, in arrival order. */
  callsOf(kind: CallKind): RecordedCall[];
  /** Answered-200 creates that were not duplicates, optionally for one message id. */
  successfulCreates(messageId?: string): RecordedCall[];
  message(messageId: string): StoredMessage | undefined;
  messages(): StoredMessage[];
  /** Agent events RBM accepted (repeats left out), in arrival order; optionally for one phone. */
  agentEvents(phone?: string): StoredAgentEvent[];
  /** When the agent sent READ for this user message, if it did. */
  readByAgentAt(userMessageId: string): Date | undefined;
  /** Whether the phone shows the agent typing: an IS_TYPING less than 20 s ago and no agent message since. */
  isTyping(phone: string): boolean;
  /** Files created with files.create, in creation order. */
  files(): StoredFile[];
  setPhone(phone: string, state: PhoneState, phoneOptions?: PhoneOptions): Promise<void>;
  /** Phones passed to setPhone, and phones that got messages, in first-seen order. */
  phones(): PhoneInfo[];
  /** Calls `listener` after any message, phone, agent event or file changed (and when a typing indicator
   * lapses); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Serve extra routes on this port (undefined removes them). */
  mountRoutes(routes: ExtraRoutes | undefined): void;
  /** The next `count` calls of the scope's kind (default: creates and deletes) get `fault`. Faults queue in order. */
  failNext(count: number, fault: Fault, scope?: FaultScope): void;
  /** Marks a message delivered; sends DELIVERED to the webhook when one is configured. */
  deliver(messageId: string, options?: { readonly callback?: boolean }): Promise<void>;
  /** Marks a message read (delivering it first); sends READ (and DELIVERED first if needed) when configured. */
  read(messageId: string, options?: { readonly callback?: boolean }): Promise<void>;
  /** TTL expiry: a queued/pending message is revoked (TTL_EXPIRATION_REVOKED), else TTL_EXPIRATION_REVOKE_FAILED.
   * `revokeFails` sends TTL_EXPIRATION_REVOKE_FAILED whatever the state and leaves the message as it is (it may
   * still be delivered). Nothing happens to a message whose outcome was dropped. */
  expire(
    messageId: string,
    options?: { readonly callback?: boolean; readonly revokeFails?: boolean },
  ): Promise<void>;
  /** A pending or queued message stays so for good: it is never delivered and sends no callback (a revoke still
   * finds it). False, changing nothing, for a message in another state. */
  dropOutcome(messageId: string): boolean;
  /**
   * RBM's revoke race, on request: the next revoke of this pending or queued message is answered 200 (its call
   * recorded with `fault: 'revokeRace'`), yet the message is delivered right after, with the phone's automatic
   * callbacks, as when a delivery is already in flight. False, changing nothing, for a message in another state or
   * whose outcome was dropped.
   */
  raceRevoke(messageId: string): boolean;
  setAutoDeliver(autoDeliver: boolean): void;
  setAutoEvents(autoEvents: AutoEvents | undefined): void;
  configureWebhook(target: WebhookTarget | undefined): void;
  /** POSTs one signed callback envelope to the webhook; resolves with the webhook's answer. */
  callback(
    payload: InboundPayload | Readonly<Record<string, unknown>>,
    options?: CallbackOptions,
  ): Promise<CallbackResult>;
  /** POSTs the verification handshake `{clientToken, secret}` (the configured token unless given). */
  handshake(secret: string, clientToken?: string): Promise<{ status: number; body: string }>;
  setCallbackChaos(chaos: CallbackChaos): void;
  setCallbackRetries(retries: CallbackRetries): void;
  /** Hold callbacks back until releaseCallbacks (deterministic reordering). */
  holdCallbacks(): void;
  releaseCallbacks(order?: ReleaseOrder): void;
  /** Resolves when no callback (automatic ones included) is in flight or held. */
  callbacksSettled(): Promise<void>;
  /** Forgets calls, messages, agent events, files, phones, faults, callback records and chaos; keeps agent, token
   * and webhook. */
  reset(): void;
  close(): Promise<void>;
}
