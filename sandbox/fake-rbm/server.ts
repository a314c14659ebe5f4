/**
 * A fake of the RBM REST API (RBM has no emulator) for tests and the sandbox: agent messages (create, revoke),
 * agent events, capabilities, users:batchGet and files (URL mode), per-phone reachability and features, a delivery
 * queue for offline phones, a record of every call, injected faults, and the platform's webhook side (signed
 * callbacks, automatic DELIVERED/READ events). This module starts and stops the server and hands out `FakeRbm`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CallLog } from './call-log.js';
import { MessageDelivery } from './delivery.js';
import { FaultQueue } from './faults.js';
import { googleError } from './google-error.js';
import { requestHandler } from './request-handler.js';
import type { RouteContext } from './routes/index.js';
import { FakeRbmState } from './state.js';
import type { ExtraRoutes, FakeRbm, FakeRbmOptions, StoredMessage } from './types.js';
import { WebhookSender } from './webhook-sender.js';

export type * from './types.js';

export async function startFakeRbm(options: FakeRbmOptions = {}): Promise<FakeRbm> {
  const state = new FakeRbmState(options);
  const sender = new WebhookSender();
  sender.configure(options.webhook);
  if (options.retryCallbacks) sender.setRetries(options.retryCallbacks);
  if (options.callbackChaos) sender.setChaos(options.callbackChaos);
  const delivery = new MessageDelivery(state, sender, options);
  const calls = new CallLog();
  const faults = new FaultQueue();
  let extraRoutes: ExtraRoutes | undefined;
  const context: RouteContext = { state, delivery, configuredAgentId: options.agentId };
  const handle = requestHandler({ context, access: options, calls, faults, extraRoutes: () => extraRoutes });

  const server = await listen(options.port ?? 0, handle);
  const openSockets = trackSockets(server);
  const { port } = server.address() as AddressInfo;

  const requireMessage = (messageId: string): StoredMessage => {
    const message = state.findMessage(messageId);
    if (!message) throw new Error(`the fake RBM has no message ${messageId}`);
    return message;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    agentId: options.agentId,
    calls: calls.calls,
    callbacks: sender.records,
    creates: () => calls.ofKind('create'),
    deletes: () => calls.ofKind('delete'),
    callsOf: (kind) => calls.ofKind(kind),
    successfulCreates: (messageId) => calls.successfulCreates(messageId),
    message: (messageId) => state.findMessage(messageId),
    messages: () => state.messages(),
    agentEvents: (phone) => state.agentEvents(phone),
    readByAgentAt: (userMessageId) => state.readByAgentAt(userMessageId),
    isTyping: (phone) => state.isTyping(phone),
    files: () => state.files(),
    setPhone: async (phone, phoneState, phoneOptions) => {
      state.setPhone(phone, phoneState, phoneOptions);
      state.changed();
      if (phoneState !== 'reachable') return;
      delivery.phoneOnline(phone);
      state.changed();
    },
    phones: () => state.phones(),
    onChange: (listener) => state.onChange(listener),
    mountRoutes: (routes) => {
      extraRoutes = routes;
    },
    failNext: (count, fault, scope) => faults.add(count, fault, scope),
    deliver: (messageId, opts) => delivery.markDelivered(requireMessage(messageId), opts?.callback),
    read: (messageId, opts) => delivery.markRead(requireMessage(messageId), opts?.callback),
    expire: (messageId, opts) =>
      delivery.expire(requireMessage(messageId), opts?.callback, opts?.revokeFails === true),
    dropOutcome: (messageId) => delivery.dropOutcome(requireMessage(messageId)),
    raceRevoke: (messageId) => delivery.raceRevoke(requireMessage(messageId)),
    setAutoDeliver: (value) => delivery.setAutoDeliver(value),
    setAutoEvents: (value) => delivery.setAutoEvents(value),
    configureWebhook: (target) => sender.configure(target),
    callback: (payload, opts) => sender.send(payload, opts),
    handshake: (secret, clientToken) => sender.handshake(secret, clientToken),
    setCallbackChaos: (chaos) => sender.setChaos(chaos),
    setCallbackRetries: (retries) => sender.setRetries(retries),
    holdCallbacks: () => sender.hold(),
    releaseCallbacks: (order) => sender.release(order),
    callbacksSettled: () => sender.settled(),
    reset: () => {
      calls.clear();
      state.reset();
      faults.clear();
      sender.records.length = 0;
      sender.setChaos(options.callbackChaos ?? {});
      delivery.reset();
      state.changed();
    },
    close: async () => {
      state.dispose();
      sender.release();
      await sender.settled();
      for (const socket of openSockets) socket.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

async function listen(port: number, handle: ReturnType<typeof requestHandler>): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(googleError(500, 'INTERNAL', `fake RBM failed: ${String(error)}`)));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return server;
}

/** Open connections, so close() does not wait for idle keep-alive sockets. */
function trackSockets(server: Server): Set<Socket> {
  const openSockets = new Set<Socket>();
  server.on('connection', (socket) => {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
  });
  return openSockets;
}

/** A fresh message id, as a caller of the RBM API would generate. */
export function newMessageId(): string {
  return randomUUID();
}
