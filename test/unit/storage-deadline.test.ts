import { describe, expect, it } from 'vitest';
import { DeadlineExceededError } from '../../shared/deadline.js';
import { isTransientGrpcError } from '../../shared/grpc-status.js';
import { createLogger } from '../../shared/log/logger.js';
import type { AgentMessagePort, RbmMessaging } from '../../shared/outbound/ports.js';
import { sendMessage } from '../../shared/outbound/send-message.js';
import {
  DEFAULT_STORAGE_DEADLINE_MS,
  STORAGE_DEADLINE_VARIABLE,
  storageDeadlineMs,
  withStorageDeadline,
} from '../../shared/store/storage-deadline.js';

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
