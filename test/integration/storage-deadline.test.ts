/**
 * With Firestore hanging, send, revoke, messages and capabilities answer 503 as soon as their storage
 * deadline passes (FIRESTORE_DEADLINE_MS, here 1 s), not after the client's default minute; send names the
 * message id, and a retry with the same id then completes the message without sending it twice. The built
 * bundles, a TCP proxy that hangs in front of the Firestore emulator, and the fake RBM.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, type FunctionServer } from '../../devtools/function-server.js';
import { startFakeRbm, type FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { emulatorContext } from '../support/emulator-context.js';
import { request } from '../support/http.js';
import { outboundEnv, TEST_AGENT_ID } from '../support/outbound-stack.js';
import { pollUntil } from '../support/poll.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let rbm: FakeRbm;
let proxy: TcpProxy;
let send: FunctionServer;
let revoke: FunctionServer;
let messages: FunctionServer;
let capabilities: FunctionServer;

beforeAll(async () => {
  rbm = await startFakeRbm({ agentId: TEST_AGENT_ID });
  proxy = await startTcpProxy(emulatorContext().firestoreHost);
  const env = outboundEnv(rbm.url, {
    FIRESTORE_EMULATOR_HOST: proxy.host,
    FIRESTORE_DEADLINE_MS: '1000',
    RBM_REQUEST_TIMEOUT_MS: '5000',
  });
  [send, revoke, messages, capabilities] = await Promise.all([
    startFunction({ name: 'send', env }),
    startFunction({ name: 'revoke', env }),
    startFunction({ name: 'messages', env }),
    startFunction({ name: 'capabilities', env }),
  ]);
});
afterEach(() => {
  proxy.restore();
  rbm.reset();
});
afterAll(async () => {
  await Promise.all([send?.stop(), revoke?.stop(), messages?.stop(), capabilities?.stop()]);
  await proxy?.close();
  await rbm?.close();
});

const sendText = (phone: string, messageId: string) =>
  request(`${send.url}/v1/phones/${phone}/agentMessages?messageId=${messageId}`, {
    method: 'POST',
    body: { contentMessage: { text: 'deadline test' } },
  });

// Each test's own timeout is below the Firestore client's default of a minute per call.
describe('send with Firestore hanging', () => {
  it('answers 503 UNAVAILABLE with Rbm-Message-Id before recording anything, and calls RBM not at all', async () => {
    const messageId = randomUUID();
    proxy.hang();
    const answer = await sendText('+15550005555', messageId);
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(answer.headers.get('rbm-message-id')).toBe(messageId);
    expect(rbm.creates()).toHaveLength(0);
  }, 20_000);

  it('answers 503 with Rbm-Message-Id when Firestore hangs after RBM accepted; the retry sends nothing twice', async () => {
    const phone = '+15550006666';
    const messageId = randomUUID();
    // After an earlier hang the function's Firestore client reconnects: wait until sends succeed again.
    await pollUntil(async () => ((await sendText(phone, randomUUID())).status === 200 ? true : undefined), {
      description: 'storage answering again',
      timeoutMs: 15_000,
      intervalMs: 250,
    });
    rbm.reset();
    // RBM holds its answer for a while: Firestore hangs once the create has reached it.
    rbm.failNext(1, { hangMs: 1500, then: 'answer' });
    const first = sendText(phone, messageId);
    await pollUntil(() => (rbm.creates().length > 0 ? true : undefined), {
      description: 'the create at RBM',
    });
    proxy.hang();
    const answer = await first;
    expect(answer.status).toBe(503);
    expect(answer.headers.get('rbm-message-id')).toBe(messageId);

    proxy.restore();
    const retried = await pollUntil(
      async () => {
        const again = await sendText(phone, messageId);
        return again.status === 503 ? undefined : again;
      },
      { description: 'a retry answered from storage', timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(retried.status).toBe(200);
    expect(retried.headers.get('rbm-message-id')).toBe(messageId);
    expect(rbm.successfulCreates(messageId)).toHaveLength(1);
  }, 45_000);
});

describe('revoke with Firestore hanging', () => {
  it('answers 503 UNAVAILABLE before calling RBM', async () => {
    proxy.hang();
    const answer = await request(`${revoke.url}/v1/phones/+15550007777/agentMessages/${randomUUID()}`, {
      method: 'DELETE',
    });
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(rbm.deletes()).toHaveLength(0);
  }, 20_000);
});

describe('messages with Firestore hanging', () => {
  it('answers a message lookup, a list and a consent read 503 UNAVAILABLE', async () => {
    const phone = '+15550008888';
    // After an earlier hang the function's Firestore client reconnects: wait until it answers again.
    await pollUntil(
      async () => ((await request(`${messages.url}/v1/consents/${phone}`)).status === 404 ? true : undefined),
      { description: 'storage answering again', timeoutMs: 15_000, intervalMs: 250 },
    );
    proxy.hang();
    for (const path of [
      `/v1/phones/${phone}/agentMessages/${randomUUID()}`,
      `/v1/phones/${phone}/agentMessages`,
      `/v1/consents/${phone}`,
    ]) {
      const answer = await request(`${messages.url}${path}`);
      expect(answer.status, path).toBe(503);
      expect(answer.json, path).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    }
  }, 30_000);
});

describe('capabilities with Firestore hanging', () => {
  it('answers 503 UNAVAILABLE when its cache cannot be read, before calling RBM', async () => {
    proxy.hang();
    const answer = await request(`${capabilities.url}/v1/phones/+15550009999/capabilities`);
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(rbm.callsOf('capabilities')).toHaveLength(0);
  }, 20_000);
});
