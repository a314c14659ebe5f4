/**
 * The functions are served by FUNCTIONS_NODE when it is set (CI's pass on the deployed runtime's Node 22), and
 * by the tools' own Node otherwise.
 */
import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { functionsNodeBinary } from '../../devtools/functions-node.js';
import { emulatorEnv } from '../support/emulator-context.js';
import { CLIENT_TOKEN } from '../support/full-stack.js';

let server: FunctionServer | undefined;

afterAll(async () => {
  await server?.stop();
});

describe('the Node that serves the functions', () => {
  it('is the binary FUNCTIONS_NODE names, or the tools’ own', async () => {
    server = await startFunction({
      name: 'webhook',
      env: { ...emulatorEnv(), RBM_WEBHOOK_CLIENT_TOKEN: CLIENT_TOKEN, RBM_INBOUND_TOPIC: 'rbm-inbound' },
    });
    const pid = server.pid;
    if (pid === undefined) throw new Error('the function server has no pid');
    const serving = realpathSync(`/proc/${pid}/exe`);
    expect(serving).toBe(realpathSync(functionsNodeBinary()));

    const version = execFileSync(serving, ['--version'], { encoding: 'utf8' }).trim();
    console.log(`[functions-node] functions served by ${version}; tools on ${process.version}`);
    if (process.env.FUNCTIONS_NODE === undefined) expect(version).toBe(process.version);

    // It serves, and its Node prints no runtime warning (deprecations differ between Node releases).
    const handshake = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientToken: CLIENT_TOKEN, secret: 'probe-secret' }),
    });
    expect(handshake.status).toBe(200);
    expect(await handshake.text()).toBe('probe-secret');
    expect(server.logs().filter((line) => /\(node:\d+\) .*Warning/.test(line))).toEqual([]);
  });
});
