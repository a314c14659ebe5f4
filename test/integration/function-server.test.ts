/**
 * Starting a built function the way the local stack and the tests do (devtools/function-server.ts) leaves no
 * error in its output: the readiness check must not send a CloudEvent function a request its framework cannot
 * parse (functions-framework then prints a TypeError with its stack on every start).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { emulatorEnv } from '../support/emulator-context.js';
import { CLIENT_TOKEN, inboundEnv } from '../support/full-stack.js';

let server: FunctionServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const started = [
  { name: 'inbound', signature: 'cloudevent', env: () => inboundEnv() },
  {
    name: 'webhook',
    signature: 'http',
    env: () => ({
      ...emulatorEnv(),
      RBM_WEBHOOK_CLIENT_TOKEN: CLIENT_TOKEN,
      RBM_INBOUND_TOPIC: 'rbm-inbound',
    }),
  },
] as const;

describe('startFunction', () => {
  it.each(started)('reports $name ($signature) ready with no error in its output', async (fn) => {
    server = await startFunction({ name: fn.name, env: fn.env() });
    const ready = server;
    // stop() resolves once every line the process printed is read, so a late stack trace is not missed.
    await ready.stop();
    const logs = ready.logs();
    expect(logs).toContain(`Signature type: ${fn.signature}`);
    expect(logs.filter((line) => /TypeError|Error:|^\s+at /.test(line))).toEqual([]);
  });
});
