/**
 * The real gcloud Pub/Sub and Firestore emulators on free loopback ports, for the tests and the local stack.
 * Missing gcloud or emulator components fail at once with the command that installs them; nothing is skipped.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';
import { exitedError, spawnManaged, waitForHttp } from './processes.js';
import type { ManagedProcess } from './processes.js';

export interface StartEmulatorsOptions {
  readonly projectId: string;
  /** Deadline for both emulators to answer HTTP. Default 90 s. */
  readonly deadlineMs?: number;
  /** Receives every emulator output line, prefixed with the emulator's name. */
  readonly onLine?: (line: string) => void;
}

export interface RunningEmulators {
  readonly projectId: string;
  /** `127.0.0.1:PORT`, the value for PUBSUB_EMULATOR_HOST. */
  readonly pubsubHost: string;
  /** `127.0.0.1:PORT`, the value for FIRESTORE_EMULATOR_HOST. */
  readonly firestoreHost: string;
  /** Output lines of each emulator so far. */
  logs(): { pubsub: string[]; firestore: string[] };
  /** Stops both emulators (whole process groups, JVMs included). Idempotent. */
  stop(): Promise<void>;
}

export const EMULATOR_INSTALL_HINT = [
  'Install the emulators with one of:',
  '  gcloud components install beta pubsub-emulator cloud-firestore-emulator',
  '  sudo apt-get install google-cloud-cli-pubsub-emulator google-cloud-cli-firestore-emulator   (Debian/Ubuntu packages)',
  'They need Java 11 or later on PATH (the Firestore emulator recommends 21).',
].join('\n');

/** Output that means gcloud is missing a component (it would otherwise offer to install it). */
const MISSING_COMPONENT =
  /You need the \[[^\]]+\] component|not\s+currently installed|component manager is disabled|requires the installation of components/i;

export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
}

interface EmulatorSpec {
  readonly name: 'pubsub' | 'firestore';
  readonly args: (hostPort: string, dataDir: string) => string[];
}

const PUBSUB: EmulatorSpec = {
  name: 'pubsub',
  args: (hostPort, dataDir) => [
    'beta',
    'emulators',
    'pubsub',
    'start',
    `--host-port=${hostPort}`,
    `--data-dir=${dataDir}`,
  ],
};

const FIRESTORE: EmulatorSpec = {
  name: 'firestore',
  args: (hostPort) => ['emulators', 'firestore', 'start', `--host-port=${hostPort}`],
};

export async function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators> {
  const deadlineMs = options.deadlineMs ?? 90_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'rbm-emulators-'));
  // Also removed when this process exits without stop() (the processes' safety net kills the emulators then).
  const removeDataDir = (): void => rmSync(dataDir, { recursive: true, force: true });
  process.once('exit', removeDataDir);
  const starts = [PUBSUB, FIRESTORE].map((spec) => startOne(spec, options, dataDir, deadlineMs));
  const results = await Promise.allSettled(starts);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));

  const stop = async (): Promise<void> => {
    await Promise.all(started.map(({ child }) => child.stop()));
    await rm(dataDir, { recursive: true, force: true });
    process.removeListener('exit', removeDataDir);
  };

  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await stop();
    throw failure.reason;
  }
  const byName = (name: EmulatorSpec['name']): StartedEmulator => {
    const found = started.find((emulator) => emulator.name === name);
    if (!found) throw new Error(`${name} emulator missing after start`);
    return found;
  };
  const pubsub = byName('pubsub');
  const firestore = byName('firestore');
  let stopping: Promise<void> | undefined;
  return {
    projectId: options.projectId,
    pubsubHost: pubsub.hostPort,
    firestoreHost: firestore.hostPort,
    logs: () => ({ pubsub: pubsub.child.lines(), firestore: firestore.child.lines() }),
    stop: () => (stopping ??= stop()),
  };
}

interface StartedEmulator {
  readonly name: EmulatorSpec['name'];
  readonly hostPort: string;
  readonly child: ManagedProcess;
}

async function startOne(
  spec: EmulatorSpec,
  options: StartEmulatorsOptions,
  dataDir: string,
  deadlineMs: number,
): Promise<StartedEmulator> {
  const hostPort = `127.0.0.1:${await freePort()}`;
  const emulatorDataDir = join(dataDir, spec.name);
  await mkdir(emulatorDataDir, { recursive: true });
  let missingComponent: string | undefined;
  const child = spawnManaged({
    name: `${spec.name} emulator`,
    command: 'gcloud',
    args: [...spec.args(hostPort, emulatorDataDir), `--project=${options.projectId}`],
    env: gcloudEnv(),
    onLine: (line) => {
      if (MISSING_COMPONENT.test(line)) missingComponent ??= line.trim();
      options.onLine?.(`[${spec.name}] ${line}`);
    },
  });
  const failFast = (): Error | undefined => {
    if (missingComponent !== undefined) {
      return new EmulatorStartError(
        `the ${spec.name} emulator is not installed (gcloud said: ${missingComponent}).\n${EMULATOR_INSTALL_HINT}`,
      );
    }
    const exit = child.exitInfo();
    if (exit?.spawnError?.code === 'ENOENT') {
      return new EmulatorStartError(
        `gcloud was not found on PATH. Install the Google Cloud CLI (https://cloud.google.com/sdk/docs/install), then the emulators.\n${EMULATOR_INSTALL_HINT}`,
      );
    }
    const exited = exitedError(child);
    if (exited === undefined) return undefined;
    const javaHint = /java/i.test(child.tail())
      ? '\nThe emulators need Java 11 or later on PATH (or JAVA_HOME).'
      : '';
    return new EmulatorStartError(`${exited.message}${javaHint}`);
  };
  try {
    await waitForHttp(`http://${hostPort}/`, {
      deadlineMs,
      intervalMs: 200,
      description: `the ${spec.name} emulator on ${hostPort}`,
      accept: (status) => status === 200,
      failFast,
    });
  } catch (error) {
    await child.stop();
    if (error instanceof EmulatorStartError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new EmulatorStartError(`${message}. Last output:\n${child.tail()}`);
  }
  return { name: spec.name, hostPort, child };
}

/** Just what gcloud needs, and no prompts: a missing component must fail, not wait for an answer. */
function gcloudEnv(): NodeJS.ProcessEnv {
  const inherited = ['PATH', 'HOME', 'JAVA_HOME', 'CLOUDSDK_CONFIG', 'CLOUDSDK_ROOT_DIR', 'LANG', 'TMPDIR'];
  const env: NodeJS.ProcessEnv = {};
  for (const name of inherited) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    CLOUDSDK_CORE_DISABLE_PROMPTS: '1',
    CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK: '1',
    CLOUDSDK_CORE_DISABLE_USAGE_REPORTING: '1',
  };
}

/** Deletes every document in the emulator's default database. */
export async function clearFirestore(firestoreHost: string, projectId: string): Promise<void> {
  const url = `http://${firestoreHost}/emulator/v1/projects/${encodeURIComponent(projectId)}/databases/(default)/documents`;
  const response = await fetch(url, { method: 'DELETE' });
  if (!response.ok) {
    throw new Error(`clearing the Firestore emulator failed: ${response.status} ${await response.text()}`);
  }
}
