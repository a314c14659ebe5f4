/**
 * `npm run demo`: a conversation through the whole stack, checked step by step (scripts/demo/scenario.ts).
 * Uses the running stack when the environment `npm start` prints is set and it answers; otherwise builds,
 * starts a stack of its own and stops it afterwards. Exits 0 only if every step ended in the expected state.
 */
import { spawnSync } from 'node:child_process';
import { runDemo, type DemoEndpoints } from './demo/scenario.js';
import { EmulatorStartError } from '../devtools/emulators.js';
import { REPO_ROOT } from '../devtools/function-server.js';
import { startLocalStack, type LocalStack } from '../devtools/local-stack.js';
import { topicName } from '../devtools/clients/topic-tail.js';

const REQUIRED = [
  'RBM_SEND_URL',
  'RBM_REVOKE_URL',
  'RBM_SANDBOX_URL',
  'FIRESTORE_EMULATOR_HOST',
  'PUBSUB_EMULATOR_HOST',
  'GOOGLE_CLOUD_PROJECT',
] as const;

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** The running stack from the environment, if all of it is set and answers. */
async function runningStack(): Promise<DemoEndpoints | undefined> {
  const env = process.env;
  const missing = REQUIRED.filter((name) => !env[name]);
  if (missing.length === REQUIRED.length) return undefined;
  if (missing.length > 0) {
    console.log(`Ignoring the partial stack environment (missing ${missing.join(', ')}).`);
    return undefined;
  }
  const endpoints: DemoEndpoints = {
    // Through the gateway when the stack has one; devtools/clients sends its key with each call.
    sendUrl: env.RBM_API_URL || env.RBM_SEND_URL!,
    revokeUrl: env.RBM_API_URL || env.RBM_REVOKE_URL!,
    sandboxUrl: env.RBM_SANDBOX_URL!,
    firestoreHost: env.FIRESTORE_EMULATOR_HOST!,
    pubsubHost: env.PUBSUB_EMULATOR_HOST!,
    projectId: env.GOOGLE_CLOUD_PROJECT!,
    fallbackTopic: topicName('fallback', env),
  };
  const reachable = await Promise.all([
    answers(`${endpoints.sandboxUrl}/sandbox/api/state`),
    answers(`${endpoints.sendUrl}/robots.txt`),
    answers(`${endpoints.revokeUrl}/robots.txt`),
    answers(`http://${endpoints.firestoreHost}/`),
  ]);
  if (reachable.every(Boolean)) return endpoints;
  console.log('The stack in the environment does not answer: starting one for the demo.');
  return undefined;
}

function build(): void {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], {
    cwd: REPO_ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('npm run build failed');
}

async function main(): Promise<number> {
  let endpoints = await runningStack();
  let stack: LocalStack | undefined;
  if (endpoints) {
    console.log('Using the running stack.');
  } else {
    console.log('Building and starting a local stack for the demo…');
    build();
    stack = await startLocalStack({ rbm: { autoEvents: { deliver: true, read: true, delayMs: 400 } } });
    endpoints = {
      sendUrl: stack.functions.send.url,
      revokeUrl: stack.functions.revoke.url,
      sandboxUrl: stack.rbm.url,
      firestoreHost: stack.emulators.firestoreHost,
      pubsubHost: stack.emulators.pubsubHost,
      projectId: stack.projectId,
      fallbackTopic: stack.topics.fallback,
    };
  }
  try {
    const result = await runDemo(endpoints, { print: (line) => console.log(line) });
    return result.ok ? 0 : 1;
  } finally {
    if (stack) {
      console.log('Stopping the demo stack…');
      await stack.stop();
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof EmulatorStartError || !(error instanceof Error) ? String(error) : error.stack,
    );
    process.exit(1);
  },
);
