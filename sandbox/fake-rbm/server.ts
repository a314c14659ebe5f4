/**
 * A fake of the RBM REST API (RBM has no emulator) for tests: `phones.agentMessages.create` and `.delete` as
 * rbm-api.md §3–4 and §7 describe, per-phone reachability, a delivery queue for offline phones, a record of every
 * call, injected faults, and the platform's webhook side (signed callbacks, automatic DELIVERED/READ events).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { googleError, statusNameFor } from './google-error.js';
import type { InjectableStatus } from './google-error.js';
import type { GoogleErrorBody } from './google-error.js';
import { deliveredEvent, readEvent, ttlRevokedEvent, ttlRevokeFailedEvent } from './payloads.js';
import type { InboundPayload } from './payloads.js';
import { WebhookSender } from './webhook-sender.js';
import type {
  CallbackChaos,
  CallbackOptions,
  CallbackRecord,
  CallbackResult,
  CallbackRetries,
  ReleaseOrder,
  WebhookTarget,
} from './webhook-sender.js';

export type PhoneState = 'reachable' | 'unreachable' | 'offline';

/** `pending`: accepted for an online phone, not delivered yet (autoDeliver off); `queued`: waiting for an offline
 * phone. Both can be revoked. */
export type MessageState = 'pending' | 'queued' | 'delivered' | 'read' | 'revoked' | 'expired';

export type Fault =
  | { readonly status: InjectableStatus; readonly retryAfterSeconds?: number }
  | { readonly hangMs: number; readonly then?: 'answer' | 'destroy' };

export interface FaultScope {
  /** Which calls consume the fault. Default both creates and deletes. */
  readonly only?: 'create' | 'delete';
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
  /** When set, the `agentId` query must equal it (403 PERMISSION_DENIED otherwise). */
  readonly agentId?: string;
  /** When set, requests must carry `Authorization: Bearer <requireToken>` (401 otherwise). */
  readonly requireToken?: string;
  /** State of phones never passed to setPhone. Default `reachable`. */
  readonly defaultPhoneState?: PhoneState;
  /** A message for a reachable phone counts as delivered at once. Default true. */
  readonly autoDeliver?: boolean;
  /** Send DELIVERED / READ callbacks to the webhook after a delivery. Default off. */
  readonly autoEvents?: AutoEvents;
  readonly webhook?: WebhookTarget;
  /** Retry a callback the webhook did not answer 200. Default: no retry. */
  readonly retryCallbacks?: CallbackRetries;
  readonly callbackChaos?: CallbackChaos;
}

export type CallKind = 'create' | 'delete' | 'other';

/** Per-phone behaviour, over the server-wide options. */
export interface PhoneOptions {
  /** A message for this phone, when reachable, counts as delivered at once (server-wide `autoDeliver` if unset).
   * False leaves it `pending` until deliver() or read(). */
  readonly autoDeliver?: boolean;
  /** DELIVERED / READ callbacks after a delivery to this phone; `null` sends none (a person marks it read). */
  readonly autoEvents?: AutoEvents | null;
}

export interface PhoneInfo {
  readonly phone: string;
  readonly state: PhoneState;
  /** The phone's own options, as last given to setPhone. */
  readonly options: PhoneOptions;
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
  readonly phone: string | undefined;
  readonly messageId: string | undefined;
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
  /** A create with a message id this agent already used: answered with the original response, not counted. */
  duplicate: boolean;
  fault: 'status' | 'hang' | 'destroy' | undefined;
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
  /** Answered-200 creates that were not duplicates, optionally for one message id. */
  successfulCreates(messageId?: string): RecordedCall[];
  message(messageId: string): StoredMessage | undefined;
  messages(): StoredMessage[];
  setPhone(phone: string, state: PhoneState, phoneOptions?: PhoneOptions): Promise<void>;
  /** Phones passed to setPhone, and phones that got messages, in first-seen order. */
  phones(): PhoneInfo[];
  /** Calls `listener` after any message or phone changed; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Serve extra routes on this port (undefined removes them). */
  mountRoutes(routes: ExtraRoutes | undefined): void;
  /** The next `count` create/delete calls (or only one kind) get `fault`. Faults queue in order. */
  failNext(count: number, fault: Fault, scope?: FaultScope): void;
  /** Marks a message delivered; sends DELIVERED to the webhook when one is configured. */
  deliver(messageId: string, options?: { readonly callback?: boolean }): Promise<void>;
  /** Marks a message read (delivering it first); sends READ (and DELIVERED first if needed) when configured. */
  read(messageId: string, options?: { readonly callback?: boolean }): Promise<void>;
  /** TTL expiry: a queued/pending message is revoked (TTL_EXPIRATION_REVOKED), else TTL_EXPIRATION_REVOKE_FAILED. */
  expire(messageId: string, options?: { readonly callback?: boolean }): Promise<void>;
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
  /** Forgets calls, messages, phones, faults, callback records and chaos; keeps agent, token and webhook. */
  reset(): void;
  close(): Promise<void>;
}

const AGENT_MESSAGES_PATH = /^\/v1\/phones\/([^/]+)\/agentMessages(?:\/([^/]+))?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const E164 = /^\+[1-9]\d{6,14}$/;
const DURATION = /^(\d+(?:\.\d{1,9})?)s$/;

interface QueuedFault {
  readonly fault: Fault;
  readonly scope: FaultScope;
}

interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function startFakeRbm(options: FakeRbmOptions = {}): Promise<FakeRbm> {
  const calls: RecordedCall[] = [];
  const messages = new Map<string, StoredMessage>();
  const phones = new Map<string, PhoneState>();
  const phoneOptions = new Map<string, PhoneOptions>();
  const changeListeners = new Set<() => void>();
  let extraRoutes: ExtraRoutes | undefined;
  const changed = (): void => {
    for (const listener of changeListeners) {
      try {
        listener();
      } catch {
        // a listener's failure is its own business
      }
    }
  };
  let faults: QueuedFault[] = [];
  let autoDeliver = options.autoDeliver ?? true;
  let autoEvents = options.autoEvents;
  const sender = new WebhookSender();
  sender.configure(options.webhook);
  if (options.retryCallbacks) sender.setRetries(options.retryCallbacks);
  if (options.callbackChaos) sender.setChaos(options.callbackChaos);
  const openSockets = new Set<Socket>();

  const phoneState = (phone: string): PhoneState =>
    phones.get(phone) ?? options.defaultPhoneState ?? 'reachable';
  const messageKey = (agentId: string, messageId: string): string =>
    `${agentId}\u0000${messageId.toLowerCase()}`;
  const findMessage = (messageId: string): StoredMessage | undefined =>
    [...messages.values()].find((m) => m.messageId.toLowerCase() === messageId.toLowerCase());

  const emit = (payload: InboundPayload, wanted: boolean | undefined): Promise<unknown> =>
    wanted !== false && sender.configured() ? sender.send(payload) : Promise.resolve();

  const markDelivered = async (message: StoredMessage, callback?: boolean): Promise<void> => {
    if (message.state === 'delivered' || message.state === 'read') return;
    message.state = 'delivered';
    changed();
    await emit(
      deliveredEvent({ phone: message.phone, messageId: message.messageId, agentId: message.agentId }),
      callback,
    );
  };
  const markRead = async (message: StoredMessage, callback?: boolean): Promise<void> => {
    if (message.state === 'read') return;
    await markDelivered(message, callback);
    message.state = 'read';
    changed();
    await emit(
      readEvent({ phone: message.phone, messageId: message.messageId, agentId: message.agentId }),
      callback,
    );
  };

  /** After a delivery: the automatic DELIVERED / READ callbacks, in the background (tracked for settled()). */
  const afterDelivery = (message: StoredMessage): void => {
    const own = phoneOptions.get(message.phone)?.autoEvents;
    const events = own === undefined ? autoEvents : (own ?? undefined);
    if (!events || !sender.configured() || (!events.deliver && !events.read)) return;
    const wait = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, events.delayMs ?? 0));
    const base = { phone: message.phone, messageId: message.messageId, agentId: message.agentId };
    const sendDelivered = (): Promise<unknown> =>
      events.deliver ? sender.send(deliveredEvent(base)) : Promise.resolve();
    const sendRead = (): Promise<unknown> => {
      if (!events.read) return Promise.resolve();
      message.state = 'read';
      changed();
      return sender.send(readEvent(base));
    };
    const run = async (): Promise<void> => {
      await wait();
      if (sender.currentChaos().reorder) {
        await sendRead();
        await wait();
        await sendDelivered();
      } else {
        await sendDelivered();
        await wait();
        await sendRead();
      }
    };
    void sender.track(run().catch(() => undefined));
  };

  const deliversAtOnce = (phone: string): boolean => phoneOptions.get(phone)?.autoDeliver ?? autoDeliver;

  const deliverNow = (message: StoredMessage): void => {
    message.state = 'delivered';
    changed();
    afterDelivery(message);
  };

  const takeFault = (kind: CallKind): Fault | undefined => {
    if (kind === 'other') return undefined;
    const index = faults.findIndex((queued) => queued.scope.only === undefined || queued.scope.only === kind);
    if (index < 0) return undefined;
    const [queued] = faults.splice(index, 1);
    return queued?.fault;
  };

  const handleCreate = (call: RecordedCall, phone: string): ApiAnswer => {
    const messageId = call.messageId ?? '';
    if (!UUID.test(messageId)) {
      return answerError(
        400,
        'INVALID_ARGUMENT',
        `Invalid value for messageId: "${messageId}" is not a UUID.`,
      );
    }
    const body = call.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return answerError(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const request = body as Record<string, unknown>;
    if (typeof request.contentMessage !== 'object' || request.contentMessage === null) {
      return answerError(400, 'INVALID_ARGUMENT', 'contentMessage is required.');
    }
    const agentId = call.agentId ?? '';
    const existing = messages.get(messageKey(agentId, messageId));
    if (existing) {
      call.duplicate = true; // RBM ignores a reused message id: the original stands
      return { status: 200, body: existing.response };
    }
    const state = phoneState(phone);
    if (state === 'unreachable') {
      return answerError(404, 'NOT_FOUND', 'Requested entity was not found.');
    }
    const sendTime = new Date();
    const response: AgentMessageResponse = {
      name: `phones/${phone}/agentMessages/${messageId}`,
      sendTime: sendTime.toISOString(),
      contentMessage: request.contentMessage,
      ...(typeof request.messageTrafficType === 'string'
        ? { messageTrafficType: request.messageTrafficType }
        : {}),
      ...expireTimeFor(request, sendTime),
    };
    const message: StoredMessage = {
      messageId,
      agentId: (call.agentId ?? options.agentId ?? 'fake-agent').replace(/@rbm\.goog$/, ''),
      phone,
      request,
      response,
      state: state === 'offline' ? 'queued' : 'pending',
      createdAt: sendTime,
    };
    messages.set(messageKey(agentId, messageId), message);
    if (state === 'reachable' && deliversAtOnce(phone)) deliverNow(message);
    changed();
    return { status: 200, body: response };
  };

  const handleDelete = (call: RecordedCall, phone: string): ApiAnswer => {
    const message =
      call.messageId === undefined ? undefined : messages.get(messageKey(call.agentId ?? '', call.messageId));
    if (!message || message.phone !== phone || !(message.state === 'pending' || message.state === 'queued')) {
      return answerError(404, 'NOT_FOUND', 'Requested entity was not found.');
    }
    message.state = 'revoked';
    changed();
    return { status: 200, body: {} };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://fake-rbm.invalid');
    const match = AGENT_MESSAGES_PATH.exec(url.pathname);
    if (!match && extraRoutes && (await extraRoutes(req, res, url))) return;
    const rawBody = await readBody(req);
    const phone = match?.[1] === undefined ? undefined : safeDecode(match[1]);
    const pathMessageId = match?.[2] === undefined ? undefined : safeDecode(match[2]);
    const kind: CallKind =
      match && req.method === 'POST' && pathMessageId === undefined
        ? 'create'
        : match && req.method === 'DELETE' && pathMessageId !== undefined
          ? 'delete'
          : 'other';
    const authorization = req.headers.authorization;
    const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    const query = Object.fromEntries(url.searchParams.entries());
    const call: RecordedCall = {
      kind,
      method: req.method ?? '',
      path: safeDecode(url.pathname),
      phone,
      messageId: kind === 'create' ? query.messageId : pathMessageId,
      agentId: query.agentId,
      query,
      headers: headersWithoutAuthorization(req),
      hasToken: token !== undefined,
      token,
      body: parseBody(rawBody),
      status: undefined,
      duplicate: false,
      fault: undefined,
      at: new Date(),
    };
    calls.push(call);

    const fault = takeFault(kind);
    if (fault && 'hangMs' in fault) {
      call.fault = fault.then === 'destroy' ? 'destroy' : 'hang';
      await new Promise((resolve) => setTimeout(resolve, fault.hangMs));
      if (fault.then === 'destroy') {
        call.status = 0;
        req.socket.destroy();
        return;
      }
    } else if (fault) {
      call.fault = 'status';
      const message = `Injected fault: ${fault.status}`;
      const headers: Record<string, string> =
        fault.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(fault.retryAfterSeconds) };
      send(res, call, {
        status: fault.status,
        body: googleError(fault.status, statusNameFor(fault.status), message),
        headers,
      });
      return;
    }

    send(res, call, answer(call, kind, phone));
  };

  const answer = (call: RecordedCall, kind: CallKind, phone: string | undefined): ApiAnswer => {
    if (kind === 'other' || phone === undefined) {
      return answerError(404, 'NOT_FOUND', `No route for ${call.method} ${call.path}`);
    }
    if (options.requireToken !== undefined && call.token !== options.requireToken) {
      return answerError(
        401,
        'UNAUTHENTICATED',
        'Request had invalid authentication credentials. Expected OAuth 2 access token.',
      );
    }
    if (options.agentId !== undefined && call.agentId !== options.agentId) {
      return answerError(403, 'PERMISSION_DENIED', 'error looking up the RBM agent');
    }
    if (!E164.test(phone)) {
      return answerError(400, 'INVALID_ARGUMENT', `Invalid phone number: ${phone.slice(0, 3)}…`);
    }
    return kind === 'create' ? handleCreate(call, phone) : handleDelete(call, phone);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(googleError(500, 'INTERNAL', `fake RBM failed: ${String(error)}`)));
      }
    });
  });
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const requireMessage = (messageId: string): StoredMessage => {
    const message = findMessage(messageId);
    if (!message) throw new Error(`the fake RBM has no message ${messageId}`);
    return message;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    agentId: options.agentId,
    calls,
    callbacks: sender.records,
    creates: () => calls.filter((call) => call.kind === 'create'),
    deletes: () => calls.filter((call) => call.kind === 'delete'),
    successfulCreates: (messageId) =>
      calls.filter(
        (call) =>
          call.kind === 'create' &&
          call.status === 200 &&
          !call.duplicate &&
          (messageId === undefined || call.messageId?.toLowerCase() === messageId.toLowerCase()),
      ),
    message: findMessage,
    messages: () => [...messages.values()],
    setPhone: async (phone, state, options) => {
      phones.set(phone, state);
      if (options) phoneOptions.set(phone, options);
      changed();
      if (state !== 'reachable') return;
      for (const message of messages.values()) {
        if (message.phone !== phone || message.state !== 'queued') continue;
        if (deliversAtOnce(phone)) deliverNow(message);
        else message.state = 'pending';
      }
      changed();
    },
    phones: () => {
      const seen = [...phones.keys(), ...[...messages.values()].map((message) => message.phone)];
      return [...new Set(seen)].map((phone) => ({
        phone,
        state: phoneState(phone),
        options: phoneOptions.get(phone) ?? {},
      }));
    },
    onChange: (listener) => {
      changeListeners.add(listener);
      return () => {
        changeListeners.delete(listener);
      };
    },
    mountRoutes: (routes) => {
      extraRoutes = routes;
    },
    failNext: (count, fault, scope = {}) => {
      for (let i = 0; i < count; i++) faults.push({ fault, scope });
    },
    deliver: (messageId, opts) => markDelivered(requireMessage(messageId), opts?.callback),
    read: (messageId, opts) => markRead(requireMessage(messageId), opts?.callback),
    expire: async (messageId, opts) => {
      const message = requireMessage(messageId);
      const base = { phone: message.phone, messageId: message.messageId, agentId: message.agentId };
      if (message.state === 'pending' || message.state === 'queued') {
        message.state = 'expired';
        changed();
        await emit(ttlRevokedEvent(base), opts?.callback);
      } else {
        await emit(ttlRevokeFailedEvent(base), opts?.callback);
      }
    },
    setAutoDeliver: (value) => {
      autoDeliver = value;
    },
    setAutoEvents: (value) => {
      autoEvents = value;
    },
    configureWebhook: (target) => sender.configure(target),
    callback: (payload, opts) => sender.send(payload, opts),
    handshake: (secret, clientToken) => sender.handshake(secret, clientToken),
    setCallbackChaos: (chaos) => sender.setChaos(chaos),
    setCallbackRetries: (retries) => sender.setRetries(retries),
    holdCallbacks: () => sender.hold(),
    releaseCallbacks: (order) => sender.release(order),
    callbacksSettled: () => sender.settled(),
    reset: () => {
      calls.length = 0;
      messages.clear();
      phones.clear();
      phoneOptions.clear();
      faults = [];
      sender.records.length = 0;
      sender.setChaos(options.callbackChaos ?? {});
      autoDeliver = options.autoDeliver ?? true;
      autoEvents = options.autoEvents;
      changed();
    },
    close: async () => {
      sender.release();
      await sender.settled();
      for (const socket of openSockets) socket.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function answerError(code: number, status: GoogleErrorBody['error']['status'], message: string): ApiAnswer {
  return { status: code, body: googleError(code, status, message) };
}

function send(res: ServerResponse, call: RecordedCall, answer: ApiAnswer): void {
  call.status = answer.status;
  if (res.destroyed) return; // the client gave up while we hung; the call is still recorded with its outcome
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

function expireTimeFor(request: Readonly<Record<string, unknown>>, sendTime: Date): { expireTime?: string } {
  if (typeof request.expireTime === 'string') return { expireTime: request.expireTime };
  if (typeof request.ttl === 'string') {
    const seconds = DURATION.exec(request.ttl)?.[1];
    if (seconds !== undefined)
      return { expireTime: new Date(sendTime.getTime() + Number(seconds) * 1000).toISOString() };
  }
  return {};
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function headersWithoutAuthorization(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A fresh message id, as a caller of the RBM API would generate. */
export function newMessageId(): string {
  return randomUUID();
}
