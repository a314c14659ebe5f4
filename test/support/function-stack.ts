/** One built function served against the emulators and a fake RBM, for the files that test a single function. */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { startFakeRbm, type FakeRbm, type FakeRbmOptions } from '../../sandbox/fake-rbm/index.js';
import { clearFirestore } from './firestore-admin.js';
import { outboundEnv, TEST_AGENT_ID } from './outbound-stack.js';

export interface FunctionStack {
  rbm: FakeRbm;
  fn: FunctionServer;
}

/**
 * Starts `name` once for the file with send's test environment (short retry budgets) plus `env(rbmUrl)`;
 * Firestore and the fake RBM are reset before each test.
 */
export function useFunctionStack(
  name: string,
  env: () => Record<string, string> = () => ({}),
  rbmOptions: FakeRbmOptions = {},
): () => FunctionStack {
  let stack: FunctionStack | undefined;
  beforeAll(async () => {
    const rbm = await startFakeRbm({ agentId: TEST_AGENT_ID, ...rbmOptions });
    const fn = await startFunction({ name, env: outboundEnv(rbm.url, env()) });
    stack = { rbm, fn };
  });
  afterAll(async () => {
    await stack?.fn.stop();
    await stack?.rbm.close();
  });
  beforeEach(async () => {
    await clearFirestore();
    stack?.rbm.reset();
  });
  return () => {
    if (!stack) throw new Error(`the ${name} stack is not running`);
    return stack;
  };
}

/** The `field` of each violation in a 400 answer's BadRequest detail. */
export function violatedFields(json: unknown): string[] {
  const details = (json as { error?: { details?: Array<{ fieldViolations?: Array<{ field: string }> }> } })
    .error?.details;
  return (details ?? []).flatMap((detail) => (detail.fieldViolations ?? []).map((v) => v.field));
}
