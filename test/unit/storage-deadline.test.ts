import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { agentLaunchEvent, deliveredEvent, userText } from '../../sandbox/fake-rbm/payloads.js';
import { batchGetUsers } from '../../shared/capabilities/batch-get-users.js';
import { DEFAULT_CAPABILITY_TTLS } from '../../shared/capabilities/cache-rules.js';
import { checkCapabilities } from '../../shared/capabilities/check-capabilities.js';
import { DeadlineExceededError } from '../../shared/deadline.js';
import { isTransientGrpcError } from '../../shared/grpc-status.js';
import { createFile } from '../../shared/files/create-file.js';
import { withInboundStorageDeadline } from '../../shared/inbound/bounded-storage.js';
import { processInbound, type InboundStorage } from '../../shared/inbound/process-inbound.js';
import { createLogger } from '../../shared/log/logger.js';
import type { AgentMessagePort, RbmMessaging } from '../../shared/outbound/ports.js';
import { sendMessage } from '../../shared/outbound/send-message.js';
import type { UserMessageClaims } from '../../shared/publish-claim.js';
import { getConsentOf } from '../../shared/query/consent-requests.js';
import { getAgentMessage } from '../../shared/query/read-messages.js';
import type { RbmOutcome } from '../../shared/rbm/client.js';
import type { CapabilityCache } from '../../shared/store/capabilities.js';
import type { ConsentStore } from '../../shared/store/consents.js';
import type { FileStore } from '../../shared/store/files.js';
import type { Reject } from '../../shared/store/inbound-rejects.js';
import type { MessageQueryStore } from '../../shared/store/message-queries.js';
import {
  DEFAULT_STORAGE_DEADLINE_MS,
  STORAGE_DEADLINE_VARIABLE,
  storageDeadlineMs,
  withStorageDeadline,
} from '../../shared/store/storage-deadline.js';
import { InMemoryAgentMessages } from '../support/in-memory-agent-messages.js';
import { MemoryClaims } from '../support/in-memory-user-messages.js';
import { inboundDeps, INBOUND_TEST_AGENT } from '../support/inbound-deps.js';
import { recordingPublisher } from '../support/recording-publisher.js';

const never = <T>() => new Promise<T>(() => undefined);

class Store {
  #reads = 0;
  async read(): Promise<number> {
    return ++this.#reads;
  }
  hang(): Promise<number> {
    return never();
  }
  name(): string {
    return 'store';
  }
}

describe('withStorageDeadline', () => {
  it('rejects a call that hangs with a transient DEADLINE_EXCEEDED', async () => {
    const store = withStorageDeadline(new Store(), 50, 'store');
    const error: unknown = await store.hang().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(error).toMatchObject({ code: 4, message: expect.stringContaining('store.hang') });
    expect(isTransientGrpcError(error)).toBe(true);
  });

  it('passes answers through, keeps the object as `this`, and leaves plain methods alone', async () => {
    const store = withStorageDeadline(new Store(), 1000, 'store');
    expect(await store.read()).toBe(1);
    expect(await store.read()).toBe(2);
    expect(store.name()).toBe('store');
  });

  it.each([
    [{}, DEFAULT_STORAGE_DEADLINE_MS],
    [{ [STORAGE_DEADLINE_VARIABLE]: '1500' }, 1500],
  ])('reads the deadline from %j', (env, ms) => {
    expect(storageDeadlineMs(env)).toBe(ms);
  });

  it('refuses a malformed deadline with the variable name', () => {
    expect(() => storageDeadlineMs({ [STORAGE_DEADLINE_VARIABLE]: 'soon' })).toThrow(
      STORAGE_DEADLINE_VARIABLE,
    );
  });
});

describe('send with a hung store', () => {
  it('answers storageUnavailable with the message id, and never calls RBM', async () => {
    const rbmCalls: string[] = [];
    const hung: AgentMessagePort = {
      get: never,
      createPending: never,
      applyFact: never,
      applyFactToCreated: never,
    };
    const rbm: RbmMessaging = {
      createAgentMessage: async (_phone, id) => {
        rbmCalls.push(id);
        return never();
      },
      deleteAgentMessage: never,
    };
    const messageId = '6f1c1b9e-6a3b-4e8e-9a57-2f0f0c4b8d11';
    const outcome = await sendMessage(
      {
        phoneNumber: '+15550004444',
        messageId,
        agentId: undefined,
        idempotencyKey: undefined,
        body: { contentMessage: { text: 'hello' } },
      },
      {
        agentId: 'agent',
        store: withStorageDeadline(hung, 50, 'agentMessages'),
        rbm,
        logger: createLogger({}, () => undefined),
      },
    );
    expect(outcome).toEqual({ kind: 'storageUnavailable', messageId });
    expect(rbmCalls).toEqual([]);
  });
});

type InboundPort = 'applyEvent' | 'userMessages' | 'recordReject' | 'recordLaunchEvent';

/** Inbound's storage in memory, with the named ports hung, behind the deadline the inbound function puts on it. */
function inboundHarness(hung: ReadonlySet<InboundPort>) {
  const agentMessages = new InMemoryAgentMessages();
  const claims = new MemoryClaims();
  const hungClaims: UserMessageClaims<number> = {
    create: never,
    read: never,
    takeOver: never,
    markPublished: never,
    release: never,
  };
  const rejects: Reject[] = [];
  const launchEvents: string[] = [];
  const recorder = recordingPublisher();
  const storage: InboundStorage = {
    applyEvent: (event) => (hung.has('applyEvent') ? never() : agentMessages.applyEvent(event)),
    userMessages: hung.has('userMessages') ? hungClaims : claims,
    recordReject: async (reject) => {
      if (hung.has('recordReject')) return never();
      rejects.push(reject);
      return `reject-${rejects.length}`;
    },
    recordLaunchEvent: async (eventId) => {
      if (hung.has('recordLaunchEvent')) return never();
      launchEvents.push(eventId);
      return true;
    },
  };
  const deps = inboundDeps({
    storage: withInboundStorageDeadline(storage, 50),
    agentMessages,
    publish: recorder.publish,
  });
  const handle = (data: string, attributes: Record<string, string> = {}) =>
    processInbound(
      { message: { data: Buffer.from(data).toString('base64'), messageId: randomUUID(), attributes } },
      undefined,
      deps,
    );
  return { handle, agentMessages, claims, rejects, launchEvents, published: recorder.published };
}

const AGENT = INBOUND_TEST_AGENT;
const PHONE = '+15550104444';
const silent = createLogger({}, () => undefined);
const launch = agentLaunchEvent({ agentId: AGENT });
const inboundCases: [string, InboundPort, string, Record<string, string>?][] = [
  [
    'a DELIVERED event',
    'applyEvent',
    JSON.stringify(deliveredEvent({ phone: PHONE, agentId: AGENT, messageId: randomUUID() })),
  ],
  ['a user message', 'userMessages', JSON.stringify(userText({ phone: PHONE, agentId: AGENT, text: 'hi' }))],
  ['an agent launch event', 'recordLaunchEvent', JSON.stringify(launch.payload), launch.attributes],
  ['a payload that is not JSON', 'recordReject', 'not json'],
];

describe('inbound with a hung store', () => {
  it.each(inboundCases)(
    '%s: %s past its deadline throws a transient error (redelivery), nothing kept or published',
    async (_label, port, data, attributes) => {
      const h = inboundHarness(new Set([port]));
      const error: unknown = await h.handle(data, attributes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeadlineExceededError);
      expect(error).toMatchObject({ message: expect.stringContaining(port) });
      expect(isTransientGrpcError(error)).toBe(true);
      // Never acknowledged as a permanent failure: no reject is kept for a storage that did not answer.
      expect(h.rejects).toEqual([]);
      expect(h.published).toEqual([]);
    },
  );

  it.each(inboundCases)(
    '%s: with storage answering, goes through the bounded ports',
    async (_label, port, data, attributes) => {
      const h = inboundHarness(new Set());
      await h.handle(data, attributes);
      const kept = {
        applyEvent: h.agentMessages.records.size,
        userMessages: h.claims.docs.size,
        recordLaunchEvent: h.launchEvents.length,
        recordReject: h.rejects.length,
      };
      expect(kept[port]).toBe(1);
    },
  );
});

describe('request paths with a hung store', () => {
  const rbmOk = (body: Record<string, unknown>): RbmOutcome => ({
    kind: 'ok',
    status: 200,
    attempts: 1,
    body,
  });
  /** An RBM stand-in that counts its calls. */
  const rbm = (body: Record<string, unknown>) => {
    const calls: unknown[][] = [];
    return { calls, answer: async (...args: unknown[]) => (calls.push(args), rbmOk(body)) };
  };
  const transient = async (work: Promise<unknown>) => {
    const error: unknown = await work.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect(isTransientGrpcError(error)).toBe(true);
  };
  const hungCache = withStorageDeadline<Omit<CapabilityCache, 'recordReachable'>>(
    { get: never, recordCapabilities: never, recordNotReachable: never, recordManyReachable: never },
    50,
    'capabilities',
  );

  it('a capability check fails transient (503) before calling RBM', async () => {
    const capabilities = rbm({ features: [] });
    await transient(
      checkCapabilities(
        { phoneNumber: PHONE, query: {} },
        {
          cache: hungCache,
          rbm: { getCapabilities: capabilities.answer },
          agentId: AGENT,
          ttls: DEFAULT_CAPABILITY_TTLS,
          logger: silent,
        },
      ),
    );
    expect(capabilities.calls).toEqual([]);
  });

  it("users:batchGet answers RBM's answer when caching it misses the deadline", async () => {
    const outcome = await batchGetUsers(
      { query: {}, body: { users: [PHONE] } },
      {
        cache: hungCache,
        rbm: { batchGetUsers: rbm({ reachableUsers: [PHONE] }).answer },
        agentId: AGENT,
        logger: silent,
      },
    );
    expect(outcome).toEqual({ kind: 'ok', body: { reachableUsers: [PHONE] } });
  });

  it('a file upload fails transient (503) before calling RBM', async () => {
    const files = rbm({ name: 'files/abc' });
    await transient(
      createFile(
        { query: {}, body: { fileUrl: 'https://example.com/a.png' } },
        {
          files: withStorageDeadline<FileStore>(
            { read: never, claim: never, takeOver: never, store: never, release: never },
            50,
            'files',
          ),
          rbm: { createFileFromUrl: files.answer },
          agentId: AGENT,
          logger: silent,
        },
      ),
    );
    expect(files.calls).toEqual([]);
  });

  it('a consent lookup fails transient (503)', async () => {
    await transient(
      getConsentOf(
        { phoneNumber: PHONE, query: {} },
        { consents: withStorageDeadline<Pick<ConsentStore, 'get'>>({ get: never }, 50, 'consents') },
      ),
    );
  });

  it('a message lookup fails transient (503)', async () => {
    await transient(
      getAgentMessage(
        { phoneNumber: PHONE, messageId: randomUUID(), query: {} },
        {
          store: withStorageDeadline<MessageQueryStore>(
            { readDocument: never, readPage: never },
            50,
            'messageQueries',
          ),
          pageTokenKey: Buffer.alloc(32),
        },
      ),
    );
  });
});
