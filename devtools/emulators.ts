/**
 * The real gcloud Pub/Sub and Firestore emulators on free loopback ports, for the tests and the local stack.
 * Missing gcloud or emulator components fail at once with the command that installs them; nothing is skipped.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, freePorts } from './ports.js';
import { exitedError, spawnManaged, waitForHttp } from './processes.js';
import type { ManagedProcess } from './processes.js';

export interface StartEmulatorsOptions {
  readonly projectId: string;
  /** Deadline for both emulators to answer HTTP. Default 90 s. */
  readonly deadlineMs?: number;
  /** Ports to try first (default: free ones); another free port is used when one of them is taken. */
  readonly ports?: { readonly pubsub?: number; readonly firestore?: number };
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

/**
 * The emulator could not bind its port: another process took it between freePort() and the JVM's bind. The
 * Pub/Sub emulator does not exit then (it hangs after the BindException), so this is read from its output.
 */
class PortTakenError extends EmulatorStartError {}

/** Output that means the JVM could not bind the port it was given. */
const PORT_TAKEN = /BindException|Address already in use/;

/** How many ports an emulator is tried on before its start fails. */
const PORT_ATTEMPTS = 3;

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
  const deadline = Date.now() + deadlineMs;
  // Two distinct ports: the emulators both answer "Ok" at /, so one on the other's port would look started.
  const firstPorts = await freePorts(2);
  const starts = [PUBSUB, FIRESTORE].map((spec, i) =>
    startOnFreePort(spec, options, dataDir, options.ports?.[spec.name] ?? firstPorts[i]!, deadline),
  );
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

/** Starts `spec` on a free port, and on another one when a process takes the port first. */
async function startOnFreePort(
  spec: EmulatorSpec,
  options: StartEmulatorsOptions,
  dataDir: string,
  firstPort: number,
  deadline: number,
): Promise<StartedEmulator> {
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 ? firstPort : await freePort();
    try {
      return await startOne(spec, options, dataDir, `127.0.0.1:${port}`, deadline);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
      options.onLine?.(`[${spec.name}] ${error.message}; trying another port`);
    }
  }
}

async function startOne(
  spec: EmulatorSpec,
  options: StartEmulatorsOptions,
  dataDir: string,
  hostPort: string,
  deadline: number,
): Promise<StartedEmulator> {
  const emulatorDataDir = join(dataDir, spec.name);
  await mkdir(emulatorDataDir, { recursive: true });
  let missingComponent: string | undefined;
  let portTaken = false;
  const child = spawnManaged({
    name: `${spec.name} emulator`,
    command: 'gcloud',
    args: [...spec.args(hostPort, emulatorDataDir), `--project=${options.projectId}`],
    env: gcloudEnv(),
    onLine: (line) => {
      if (MISSING_COMPONENT.test(line)) missingComponent ??= line.trim();
      if (PORT_TAKEN.test(line)) portTaken = true;
      options.onLine?.(`[${spec.name}] ${line}`);
    },
  });
  const failFast = (): Error | undefined => {
    if (missingComponent !== undefined) {
      return new EmulatorStartError(
        `the ${spec.name} emulator is not installed (gcloud said: ${missingComponent}).\n${EMULATOR_INSTALL_HINT}`,
      );
    }
    if (portTaken) return new PortTakenError(`the ${spec.name} emulator could not bind ${hostPort}`);
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
      deadlineMs: Math.max(0, deadline - Date.now()),
      intervalMs: 200,
      description: `the ${spec.name} emulator on ${hostPort}`,
      // What both emulators answer at /; anything else on the port is some other process.
      accept: (status, body) => status === 200 && body.trim() === 'Ok',
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
