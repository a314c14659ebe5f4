/**
 * The demo's scenario through a started local stack (on the test emulators): the card ends READ, the chip tap is
 * in userMessages, the offline phone's message ends REVOKED, the OTP ends EXPIRED with its decision published, the
 * PROMOTION to the unsubscribed phone is refused; and `npm run demo` pointed at that stack exits 0.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../devtools/function-server.js';
import type { LocalStack } from '../../devtools/local-stack.js';
import { runDemo, type DemoEndpoints } from '../../scripts/demo/scenario.js';
import { emulatorContext } from '../support/emulator-context.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';

let stack: LocalStack | undefined;
let endpoints: DemoEndpoints;

beforeAll(async () => {
  await clearFirestore();
  const context = emulatorContext();
  stack = await startStackOnTestEmulators({
    agentId: 'demo-agent',
    clientToken: 'demo-test-client-token',
  });
  endpoints = {
    sendUrl: stack.functions.send.url,
    revokeUrl: stack.functions.revoke.url,
    sandboxUrl: stack.rbm.url,
    firestoreHost: context.firestoreHost,
    pubsubHost: context.pubsubHost,
    projectId: context.projectId,
    fallbackTopic: stack.topics.fallback,
  };
});

afterAll(async () => {
  await stack?.stop();
});

it('runs the demo scenario: card READ, suggestion response stored, offline message REVOKED', async () => {
  const lines: string[] = [];
  const result = await runDemo(endpoints, { print: (line) => lines.push(line) });
  expect(result.steps.filter((step) => !step.ok)).toEqual([]);
  expect(result.ok).toBe(true);

  const db = firestoreAdmin();
  const card = (await db.collection('agentMessages').doc(result.cardMessageId).get()).data();
  expect(card).toMatchObject({ state: 'READ', contentType: 'richCard' });
  const revoked = (await db.collection('agentMessages').doc(result.revokedMessageId).get()).data();
  expect(revoked).toMatchObject({ state: 'REVOKED' });
  const tap = (await db.collection('userMessages').doc(result.suggestionMessageId!).get()).data();
  expect(tap).toMatchObject({
    kind: 'suggestionResponse',
    suggestionResponse: { postbackData: 'track-parcel' },
  });
  expect(stack!.rbm.message(result.revokedMessageId)?.state).toBe('revoked');
  const otp = (await db.collection('agentMessages').doc(result.otpMessageId).get()).data();
  expect(otp).toMatchObject({
    state: 'EXPIRED',
    fallbackPolicy: 'critical',
    fallback: { reason: 'EXPIRED', certainty: 'NOT_DELIVERED' },
  });
  const refused = (await db.collection('agentMessages').doc(result.refusedMessageId).get()).data();
  expect(refused).toMatchObject({
    state: 'FAILED',
    attempts: 0,
    error: { reason: 'RECIPIENT_UNSUBSCRIBED' },
  });
  expect(stack!.rbm.message(result.refusedMessageId)).toBeUndefined();

  const output = lines.join('\n');
  expect(output).toMatch(/recorded timeline: created .* → SENT .* → DELIVERED .* → READ /);
  expect(output).toMatch(/recorded timeline: created .* → SENT .* → REVOKED /);
  expect(output).toMatch(
    /published on t\w+-rbm-fallback: \S+ {2}\S+ {2}EXPIRED \(NOT_DELIVERED\) {2}to \+\*+\d{4}/,
  );
  expect(output).toMatch(/the PROMOTION is refused: HTTP 400 RECIPIENT_UNSUBSCRIBED/);
  expect(output).not.toMatch(/\+1555\d{7}/); // phone numbers are masked
});

it('`npm run demo` uses the running stack from the environment and exits 0', async () => {
  const child = spawn('npm', ['run', '--silent', 'demo'], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ...stack!.clientEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(output).toContain('Using the running stack.');
  expect(output).toContain('Demo passed');
  expect(code, output).toBe(0);
});
