/**
 * `npm run rbm` (scripts/rbm.ts) against a started local stack, with the environment `npm start` prints: the tails
 * of the status, fallback and consent topics, and the commands that call messages, events, capabilities and files.
 * Every output has its phone numbers masked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../devtools/function-server.js';
import type { LocalStack } from '../../devtools/local-stack.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';

let stack: LocalStack;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  await clearFirestore();
  stack = await startStackOnTestEmulators({ agentId: 'cli-agent', clientToken: 'cli-test-client-token' });
});

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await stack?.stop();
});

interface Cli {
  readonly output: () => string;
  readonly exited: Promise<number | null>;
  /** Resolves once the output matches. */
  waitFor(pattern: RegExp, description: string): Promise<void>;
  /** Ctrl-C, then the exit code. */
  stop(): Promise<number | null>;
}

function startCli(args: readonly string[]): Cli {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/rbm.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...stack.clientEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    output: () => output,
    exited,
    waitFor: async (pattern, description) => {
      await pollUntil(async () => (pattern.test(output) ? true : undefined), {
        description: `${description}; output so far:\n${output}`,
        timeoutMs: 30_000,
      });
    },
    stop: () => {
      child.kill('SIGINT');
      return exited;
    },
  };
}

async function runCli(...args: string[]): Promise<{ code: number | null; output: string }> {
  const cli = startCli(args);
  const code = await cli.exited;
  return { code, output: cli.output() };
}

const sandboxPost = (path: string, body: unknown) =>
  request(`${stack.rbm.url}/sandbox/api${path}`, { method: 'POST', body });

async function recordState(messageId: string, state: string): Promise<void> {
  const db = firestoreAdmin();
  await pollUntil(
    async () =>
      (await db.collection('agentMessages').doc(messageId).get()).get('state') === state ? true : undefined,
    { description: `agentMessages/${messageId} ${state}`, timeoutMs: 20_000 },
  );
}

describe('rbm CLI', () => {
  const offline = testPhone();
  const customer = testPhone();
  const otpId = randomUUID();

  it('tail status, fallback and consents print each event, masked, and delete their subscriptions', async () => {
    const tails = {
      status: startCli(['tail', 'status']),
      fallback: startCli(['tail', 'fallback']),
      consents: startCli(['tail', 'consents']),
    };
    for (const [name, tail] of Object.entries(tails))
      await tail.waitFor(/Waiting for events on /, `tail ${name}`);

    expect(
      (await sandboxPost('/phones', { phone: offline, state: 'offline', mode: 'auto-deliver' })).status,
    ).toBe(200);
    const sent = await runCli(
      'send',
      offline,
      '--json',
      JSON.stringify({
        contentMessage: { text: 'Your code is 318204' },
        messageTrafficType: 'AUTHENTICATION',
        ttl: '300s',
      }),
      '--message-id',
      otpId,
      '--fallback-policy',
      'critical',
      '--correlation-id',
      'login-7',
    );
    expect(sent.code, sent.output).toBe(0);
    await recordState(otpId, 'SENT');
    await stack.rbm.expire(otpId);
    expect((await sandboxPost(`/phones/${encodeURIComponent(customer)}/unsubscribe`, {})).status).toBe(200);

    await tails.status.waitFor(
      new RegExp(`${otpId}  PENDING → SENT  to \\+\\*+\\d{4}  correlation login-7`),
      'SENT',
    );
    await tails.status.waitFor(
      new RegExp(`${otpId}  SENT → EXPIRED .*fallback EXPIRED/NOT_DELIVERED`),
      'EXPIRED',
    );
    await tails.fallback.waitFor(
      new RegExp(
        `${otpId}  EXPIRED \\(NOT_DELIVERED\\)  to \\+\\*+${offline.slice(-4)}  traffic AUTHENTICATION  correlation login-7`,
      ),
      'the decision',
    );
    await tails.consents.waitFor(
      new RegExp(`\\+\\*+${customer.slice(-4)}  unsubscribed  \\((EVENT|KEYWORD)\\)`),
      'the change',
    );

    for (const tail of Object.values(tails)) {
      expect(await tail.stop()).toBe(0);
      expect(tail.output()).not.toContain(offline);
      expect(tail.output()).not.toContain(customer);
    }
    const pubsub = pubsubAdmin();
    try {
      for (const topic of [stack.topics.messageStatus, stack.topics.fallback, stack.topics.consentChanges]) {
        const [subscriptions] = await pubsub.topic(topic).getSubscriptions();
        expect(
          subscriptions
            .map((subscription) => subscription.name)
            .filter((name) => name.includes('rbm-cli-tail')),
        ).toEqual([]);
      }
    } finally {
      await pubsub.close();
    }
  });

  it('status reads the record through the messages function, finding the phone itself', async () => {
    const { code, output } = await runCli('status', otpId);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^HTTP 200/);
    const record = JSON.parse(output.slice(output.indexOf('{'))) as Record<string, unknown>;
    expect(record).toMatchObject({
      messageId: otpId,
      state: 'EXPIRED',
      phoneNumber: `+*******${offline.slice(-4)}`,
      fallbackPolicy: 'critical',
      fallback: { reason: 'EXPIRED', certainty: 'NOT_DELIVERED' },
    });
    expect(output).not.toContain(offline);

    const unknown = await runCli('status', randomUUID(), '--phone', offline);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toMatch(/^HTTP 404/);
  });

  it('list shows the phone’s messages in a state, one line each', async () => {
    const { code, output } = await runCli('list', offline, '--state', 'expired');
    expect(code, output).toBe(0);
    expect(output).toContain(
      `${otpId}  EXPIRED  traffic AUTHENTICATION  policy critical  fallback EXPIRED/NOT_DELIVERED`,
    );
    const none = await runCli('list', offline, '--state', 'READ');
    expect(none.output.trim()).toBe('no agent messages');
  });

  it('read sends READ for a user message (phone from Firestore), typing sends IS_TYPING', async () => {
    const reply = (
      await sandboxPost(`/phones/${encodeURIComponent(customer)}/reply`, { text: 'Where is my order?' })
    ).json as { messageId: string };
    const db = firestoreAdmin();
    await pollUntil(
      async () =>
        (await db.collection('userMessages').doc(reply.messageId).get()).exists ? true : undefined,
      { description: 'the reply stored', timeoutMs: 20_000 },
    );
    const read = await runCli('read', reply.messageId);
    expect(read.code, read.output).toBe(0);
    expect(read.output).toMatch(/^HTTP 200/);
    expect(read.output).not.toContain(customer);
    expect(stack.rbm.readByAgentAt(reply.messageId)).toBeInstanceOf(Date);

    const typing = await runCli('typing', customer);
    expect(typing.code, typing.output).toBe(0);
    expect(stack.rbm.isTyping(customer)).toBe(true);
  });

  it('capabilities answers from the cache the second time, and asks RBM again with --fresh', async () => {
    expect(
      (
        await sandboxPost(`/phones/${encodeURIComponent(customer)}`, {
          features: ['RICHCARD_STANDALONE', 'ACTION_DIAL'],
        })
      ).status,
    ).toBe(200);
    const first = await runCli('capabilities', customer);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/^HTTP 200 \(cache MISS/);
    expect(JSON.parse(first.output.slice(first.output.indexOf('{')))).toEqual({
      features: ['RICHCARD_STANDALONE', 'ACTION_DIAL'],
    });
    const second = await runCli('capabilities', customer);
    expect(second.output).toMatch(/^HTTP 200 \(cache HIT, age \d+ s\)/);
    const fresh = await runCli('capabilities', customer, '--fresh');
    expect(fresh.output).toMatch(/^HTTP 200 \(cache MISS/);
    expect(stack.rbm.callsOf('capabilities')).toHaveLength(2);
  });

  it('upload creates an RBM file once per URL', async () => {
    const url = `https://cdn.example.com/${randomUUID()}.png`;
    const first = await runCli('upload', url);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/^HTTP 200 \(cache MISS\)/);
    const name = (
      JSON.parse(first.output.slice(first.output.indexOf('{'), first.output.indexOf('}') + 1)) as {
        name: string;
      }
    ).name;
    expect(name).toMatch(/^files\//);
    expect(first.output).toContain(`"uploadedRbmFile": {"fileName": "${name}"}`);
    const second = await runCli('upload', url);
    expect(second.output).toMatch(/^HTTP 200 \(cache HIT/);
    expect(stack.rbm.files().filter((file) => file.fileUrl === url)).toHaveLength(1);
  });
});
