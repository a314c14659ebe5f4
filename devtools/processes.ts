/**
 * Child processes for the local stack and the tests: each child runs in its own process group, its output is kept
 * line by line, and stopping it signals the whole group (the gcloud emulators are a Python wrapper around a Java
 * server: killing only the wrapper leaves the JVM running).
 *
 * Safety net: every live group is killed when this process exits or receives SIGINT/SIGTERM/SIGHUP, and a tiny
 * detached watchdog per child kills the group if this process disappears without running any handler (SIGKILL).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';

export interface ExitInfo {
  /** Exit code, or null when the process was ended by a signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. ENOENT: command not found). */
  readonly spawnError?: NodeJS.ErrnoException;
}

export type OutputStream = 'stdout' | 'stderr';

export interface SpawnOptions {
  /** Short name used in error messages. */
  readonly name: string;
  readonly command: string;
  readonly args?: readonly string[];
  /** The complete environment of the child (nothing is inherited implicitly). */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** How many output lines to keep (oldest dropped first). Default 10,000. */
  readonly maxLines?: number;
  /** Called for every output line as it arrives. */
  readonly onLine?: (line: string, stream: OutputStream) => void;
  /** Spawn a watchdog that kills the group if this process dies without cleaning up. Default true. */
  readonly orphanWatchdog?: boolean;
}

export interface StopOptions {
  /** How long to wait after SIGTERM before SIGKILL. Default 10 s. */
  readonly graceMs?: number;
  /** How long to wait after SIGKILL before giving up with an error. Default 5 s. */
  readonly killWaitMs?: number;
}

export interface ManagedProcess {
  readonly name: string;
  /** Pid of the child, which is also its process-group id. Undefined when spawning failed. */
  readonly pid: number | undefined;
  /** The kept output lines, oldest first. */
  lines(): string[];
  /** The last `count` lines joined, for error messages. */
  tail(count?: number): string;
  /** Undefined while the direct child is running. */
  exitInfo(): ExitInfo | undefined;
  /** Resolves when the direct child has exited (or failed to start). */
  readonly exited: Promise<ExitInfo>;
  /** SIGTERM the whole group, wait, SIGKILL what is left. Idempotent. */
  stop(options?: StopOptions): Promise<void>;
}

const DEFAULT_MAX_LINES = 10_000;
const POLL_INTERVAL_MS = 100;

/** Live process groups started by this process, by pgid. */
const liveGroups = new Set<number>();

export function spawnManaged(options: SpawnOptions): ManagedProcess {
  installExitSafetyNet();
  const maxLines = options.maxLines ?? DEFAULT_MAX_LINES;
  const kept: string[] = [];
  const child = spawn(options.command, [...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? {},
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pgid = child.pid;
  if (pgid !== undefined) {
    liveGroups.add(pgid);
    if (options.orphanWatchdog ?? true) startOrphanWatchdog(pgid);
  }

  const keepLine = (line: string, stream: OutputStream): void => {
    kept.push(line);
    if (kept.length > maxLines) kept.splice(0, kept.length - maxLines);
    options.onLine?.(line, stream);
  };
  const streamsClosed: Promise<void>[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    if (readable === null) continue;
    const lines = createInterface({ input: readable, crlfDelay: Infinity });
    lines.on('line', (line) => keepLine(line, stream));
    streamsClosed.push(new Promise((resolve) => lines.once('close', resolve)));
  }

  let exit: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (pgid !== undefined && exit === undefined) return; // a runtime error (e.g. kill failed); 'exit' follows
      exit = { code: null, signal: null, spawnError: error };
      resolve(exit);
    });
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      // Let the line readers drain what the child wrote before it exited, but never hang on a grandchild
      // that still holds the pipes open.
      void Promise.race([Promise.all(streamsClosed), delay(500)]).then(() => resolve({ code, signal }));
    });
  });

  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: StopOptions = {}): Promise<void> => {
    stopping ??= stopGroup(options.name, pgid, stopOptions);
    return stopping;
  };

  return {
    name: options.name,
    pid: pgid,
    lines: () => [...kept],
    tail: (count = 40) => kept.slice(-count).join('\n'),
    exitInfo: () => exit,
    exited,
    stop,
  };
}

async function stopGroup(name: string, pgid: number | undefined, options: StopOptions): Promise<void> {
  if (pgid === undefined) return;
  try {
    if (!groupAlive(pgid)) return;
    signalGroup(pgid, 'SIGTERM');
    if (await waitUntilGone(pgid, options.graceMs ?? 10_000)) return;
    signalGroup(pgid, 'SIGKILL');
    if (await waitUntilGone(pgid, options.killWaitMs ?? 5_000)) return;
    throw new Error(`process group of ${name} (pgid ${pgid}) survived SIGKILL`);
  } finally {
    if (!groupAlive(pgid)) liveGroups.delete(pgid);
  }
}

async function waitUntilGone(pgid: number, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (groupAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await delay(POLL_INTERVAL_MS);
  }
  return true;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Whether any non-zombie process is left in the group. Zombies count as gone: they hold no resources, and in a
 * container whose init does not reap, an orphaned JVM can stay a zombie forever.
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groupAliveByKill(pgid);
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // Fields after the command name (which may contain spaces and parentheses): state ppid pgrp ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

function groupAliveByKill(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A detached shell that kills the group once this process is gone, and exits on its own once the group is gone.
 * It covers the case no handler can: this process being SIGKILLed (e.g. a runner's hard timeout).
 */
function startOrphanWatchdog(pgid: number): void {
  const script = [
    'while :; do',
    `  kill -0 -${pgid} 2>/dev/null || exit 0`,
    `  kill -0 ${process.pid} 2>/dev/null || break`,
    '  sleep 1',
    'done',
    `kill -TERM -${pgid} 2>/dev/null`,
    'sleep 5',
    `kill -KILL -${pgid} 2>/dev/null`,
  ].join('\n');
  try {
    const watchdog = spawn('/bin/sh', ['-c', script], { detached: true, stdio: 'ignore' });
    watchdog.on('error', () => undefined);
    watchdog.unref();
  } catch {
    // No /bin/sh: the in-process handlers still cover normal exits and signals.
  }
}

let safetyNetInstalled = false;

/** Kill every live child group when this process exits or is told to stop. Installed by the first spawn. */
export function installExitSafetyNet(): void {
  if (safetyNetInstalled) return;
  safetyNetInstalled = true;
  process.on('exit', killAllGroupsSync);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Another listener owns the shutdown (npm start stops its stack in order, without blocking); the exit
      // handler still kills whatever is left when the process ends.
      if (process.listenerCount(signal) > 1) return;
      killAllGroupsSync();
      // Ours was the only listener, replacing Node's default (exit): restore the default and re-raise.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Synchronous, for exit handlers: SIGTERM every live group, wait up to `graceMs`, SIGKILL the rest. */
export function killAllGroupsSync(graceMs = 2_000): void {
  const groups = [...liveGroups].filter(groupAlive);
  if (groups.length === 0) return;
  for (const pgid of groups) signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (groups.some(groupAlive) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 50);
  for (const pgid of groups) {
    if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
    liveGroups.delete(pgid);
  }
}

export interface WaitOptions {
  /** Give up after this long. */
  readonly deadlineMs: number;
  /** Time between attempts. Default 100 ms. */
  readonly intervalMs?: number;
  /** What is being waited for, for the timeout message. */
  readonly description?: string;
  /** Checked before each attempt: an Error ends the wait at once (e.g. "the process exited"). */
  readonly failFast?: () => Error | undefined;
}

/** Polls `predicate` until it returns true, failing at the deadline or as soon as `failFast` reports an error. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  const interval = options.intervalMs ?? POLL_INTERVAL_MS;
  let lastError: unknown;
  for (;;) {
    const fatal = options.failFast?.();
    if (fatal) throw fatal;
    try {
      if (await predicate()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(
        `timed out after ${options.deadlineMs} ms waiting for ${options.description ?? 'a condition'}${cause}`,
      );
    }
    await delay(interval);
  }
}

export interface HttpWaitOptions extends WaitOptions {
  /** Which answers count as ready. Default: any HTTP response at all. */
  readonly accept?: (status: number, body: string) => boolean;
}

/** Polls `url` with GET until it answers in a way `accept` likes. */
export function waitForHttp(url: string, options: HttpWaitOptions): Promise<void> {
  const accept = options.accept ?? (() => true);
  return waitFor(
    async () => {
      const { status, body } = await httpGet(url, 2_000);
      return accept(status, body);
    },
    { description: `${url} to answer`, ...options },
  );
}

export interface PortWaitOptions extends WaitOptions {
  /** Checked before each connection attempt; the wait goes on while it is false. Default: always true. */
  readonly accept?: () => boolean;
}

/**
 * Polls until `host:port` accepts a TCP connection, sending nothing over it (Cloud Run's default startup probe
 * checks the same), so the server never handles a request it was not meant to get.
 */
export function waitForPort(host: string, port: number, options: PortWaitOptions): Promise<void> {
  const accept = options.accept ?? (() => true);
  return waitFor(async () => accept() && (await tcpConnects(host, port, 2_000)), {
    description: `${host}:${port} to accept connections`,
    ...options,
  });
}

function tcpConnects(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', reject);
  });
}

function httpGet(url: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** An Error when the process has exited (for `failFast`), undefined while it runs. */
export function exitedError(child: ManagedProcess): Error | undefined {
  const exit = child.exitInfo();
  if (exit === undefined) return undefined;
  if (exit.spawnError) return new Error(`${child.name} could not be started: ${exit.spawnError.message}`);
  const how = exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
  return new Error(`${child.name} exited (${how}) before it was ready. Last output:\n${child.tail()}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
