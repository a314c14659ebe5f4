/** The fake RBM server plus the built send and revoke functions, served against the emulators. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { startFakeRbm, type FakeRbm, type FakeRbmOptions } from '../../sandbox/fake-rbm/index.js';
import { emulatorEnv } from './emulator-context.js';
import { clearFirestore } from './firestore-admin.js';

export const TEST_AGENT_ID = 'test-agent';

export interface OutboundStack {
  rbm: FakeRbm;
  send: FunctionServer;
  revoke: FunctionServer;
  /** Every log line both functions printed. */
  logs(): string[];
  stop(): Promise<void>;
}

/** Short retry budgets keep failure tests quick; the behaviour is the production one. */
export function outboundEnv(rbmUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...emulatorEnv(),
    RBM_AGENT_ID: TEST_AGENT_ID,
    RBM_API_ENDPOINT: rbmUrl,
    RBM_AUTH: 'none',
    RBM_RETRY_DEADLINE_MS: '2500',
    RBM_RETRY_INITIAL_BACKOFF_MS: '50',
    RBM_RETRY_MAX_BACKOFF_MS: '400',
    RBM_REQUEST_TIMEOUT_MS: '800',
    ...overrides,
  };
}

export async function startOutboundStack(options: FakeRbmOptions = {}): Promise<OutboundStack> {
  const rbm = await startFakeRbm({ agentId: TEST_AGENT_ID, ...options });
  const env = outboundEnv(rbm.url);
  const [send, revoke] = await Promise.all([
    startFunction({ name: 'send', env }),
    startFunction({ name: 'revoke', env }),
  ]);
  return {
    rbm,
    send,
    revoke,
    logs: () => [...send.logs(), ...revoke.logs()],
    stop: async () => {
      await Promise.all([send.stop(), revoke.stop()]);
      await rbm.close();
    },
  };
}

/**
 * Registers the hooks of a test file that uses one outbound stack: started once, Firestore and the fake
 * RBM reset before each test, stopped at the end. Returns a getter for the running stack.
 */
export function useOutboundStack(options: FakeRbmOptions = {}): () => OutboundStack {
  let stack: OutboundStack | undefined;
  beforeAll(async () => {
    stack = await startOutboundStack(options);
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await clearFirestore();
    stack?.rbm.reset();
  });
  return () => {
    if (!stack) throw new Error('the outbound stack is not running');
    return stack;
  };
}
