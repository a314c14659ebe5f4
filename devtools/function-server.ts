/**
 * Serves one built function bundle (`dist/<name>`) with functions-framework as a child process, the way Cloud
 * Functions gen2 runs it, and keeps every output line so tests can assert on the logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { functionsNodeBinary } from './functions-node.js';
import { freePort } from './ports.js';
import { exitedError, spawnManaged, waitForPort } from './processes.js';
import type { OutputStream } from './processes.js';

export interface StartFunctionOptions {
  /** The function's name; also the target, unless `target` says otherwise. */
  readonly name: string;
  /** Bundle folder, relative to the repository root or absolute. Default `dist/<name>`. */
  readonly source?: string;
  readonly target?: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Environment of the function, merged over a minimal one (PATH, HOME; NODE_ENV is not set). */
  readonly env?: Readonly<Record<string, string>>;
  /** `http` or `cloudevent`; functions-framework reads it from the registration when omitted. */
  readonly signatureType?: 'http' | 'event' | 'cloudevent';
  /** Deadline for the server to answer. Default 30 s. */
  readonly deadlineMs?: number;
  /** Called for each output line as it arrives. */
  readonly onLine?: (line: string, stream: OutputStream) => void;
}

export interface FunctionServer {
  readonly name: string;
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Pid of the serving process (functions-framework runs in it), e.g. to read its memory in /proc. */
  readonly pid: number | undefined;
  /** Every stdout and stderr line the server printed so far, in arrival order. */
  logs(): string[];
  /** Stops the server (whole process group); once it resolves, `logs()` holds everything it printed. Idempotent. */
  stop(): Promise<void>;
}

const FRAMEWORK_PACKAGE = '@google-cloud/functions-framework';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The functions-framework CLI entry point, as its package.json `bin` declares it. */
export function functionsFrameworkMain(): string {
  // The package's "exports" hide package.json from require.resolve: look for it along the resolution paths.
  const require = createRequire(resolve(REPO_ROOT, 'package.json'));
  const manifestPath = (require.resolve.paths(FRAMEWORK_PACKAGE) ?? [])
    .map((nodeModules) => join(nodeModules, FRAMEWORK_PACKAGE, 'package.json'))
    .find((candidate) => existsSync(candidate));
  if (manifestPath === undefined) throw new Error(`${FRAMEWORK_PACKAGE} is not installed (run npm ci)`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['functions-framework'];
  if (bin === undefined) throw new Error(`no functions-framework bin in ${manifestPath}`);
  return resolve(dirname(manifestPath), bin);
}

export async function startFunction(options: StartFunctionOptions): Promise<FunctionServer> {
  // A free port can be taken between freePort() and the server's listen(): pick another one then.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(options, options.port ?? (await freePort()));
    } catch (error) {
      const portTaken = error instanceof Error && error.message.includes('EADDRINUSE');
      if (!portTaken || options.port !== undefined || attempt >= 3) throw error;
    }
  }
}

async function startOnPort(options: StartFunctionOptions, port: number): Promise<FunctionServer> {
  const source = resolve(REPO_ROOT, options.source ?? `dist/${options.name}`);
  const args = [
    functionsFrameworkMain(),
    `--source=${source}`,
    `--target=${options.target ?? options.name}`,
    `--port=${port}`,
  ];
  if (options.signatureType) args.push(`--signature-type=${options.signatureType}`);

  const baseEnv: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR'] as const) {
    const value = process.env[name];
    if (value !== undefined) baseEnv[name] = value;
  }
  const env = { ...baseEnv, ...options.env };
  const child = spawnManaged({
    name: `function ${options.name}`,
    // FUNCTIONS_NODE serves the functions with the deployed runtime's Node while the tools run on another.
    command: functionsNodeBinary(),
    args,
    cwd: REPO_ROOT,
    env,
    maxLines: 1_000_000,
    ...(options.onLine ? { onLine: options.onLine } : {}),
  });
  const url = `http://127.0.0.1:${port}`;
  // functions-framework prints "Serving function..." once it listens (unless NODE_ENV=production), which tells
  // our server apart from another process on the same port. Readiness is then a bare TCP connection, like Cloud
  // Run's default startup probe: no HTTP request, because a CloudEvent function's framework middleware throws a
  // TypeError (printed with its stack) on any request without a body, before the function could answer it.
  const announced = (): boolean =>
    env.NODE_ENV === 'production' || child.lines().some((line) => line.startsWith('Serving function'));
  try {
    await waitForPort('127.0.0.1', port, {
      deadlineMs: options.deadlineMs ?? 30_000,
      intervalMs: 50,
      description: `function ${options.name} on port ${port}`,
      accept: () => announced(),
      failFast: () => exitedError(child),
    });
  } catch (error) {
    await child.stop();
    throw error;
  }
  return {
    name: options.name,
    url,
    port,
    pid: child.pid,
    logs: () => child.lines(),
    stop: async () => {
      await child.stop();
      // Lines still in the pipes when the group ended are read before stop() resolves.
      await child.exited;
    },
  };
}
