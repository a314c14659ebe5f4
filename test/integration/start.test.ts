/**
 * `npm start` (scripts/start.ts) prints its URL table, and after SIGINT no process it started is left: no
 * emulator, no functions-framework. The test run's own emulators run meanwhile, so this looks only for processes
 * whose command line names one of the ports this start printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { pollUntil } from '../support/poll.js';

let child: ChildProcess | undefined;

afterAll(() => {
  // Only if the test failed half-way: the start's own process group.
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Processes (pid and command line) whose command line mentions one of `ports`. */
function processesUsing(ports: readonly number[]): Array<{ pid: number; cmdline: string }> {
  const found: Array<{ pid: number; cmdline: string }> = [];
  const patterns = ports.map((port) => new RegExp(`(^|[^0-9])${port}([^0-9]|$)`));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cmdline: string;
    let state: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '';
    } catch {
      continue;
    }
    if (state === 'Z' || state === 'X') continue;
    if (patterns.some((pattern) => pattern.test(cmdline))) found.push({ pid: Number(entry), cmdline });
  }
  return found;
}

it('prints the URL table and leaves no process behind after SIGINT', { timeout: 150_000 }, async () => {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['SEND_PORT', 'REVOKE_PORT', 'WEBHOOK_PORT', 'INBOUND_PORT', 'SANDBOX_PORT'])
    delete env[name];
  // Its own process group, as a terminal gives it: SIGINT to the group is Ctrl-C.
  // As `npm start` runs it (no tsx relay process between the signal and start.ts).
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<string>((resolve) =>
    child?.once('exit', (code, signal) => resolve(signal ?? `code ${String(code)}`)),
  );

  let exitedWith: string | undefined;
  void exited.then((how) => (exitedWith = how));
  await pollUntil(
    () => {
      if (output.includes('Press Ctrl-C to stop.')) return true;
      // false ends the wait at once: start.ts exited without its table (an emulator that would not start, say).
      return exitedWith === undefined ? undefined : false;
    },
    { description: 'the URL table', timeoutMs: 120_000, intervalMs: 200 },
  )
    .then((ready) => {
      if (!ready) throw new Error(`start.ts exited (${exitedWith}) before its URL table`);
    })
    .catch((error: unknown) => {
      throw new Error(`${error instanceof Error ? error.message : String(error)}; its output:\n${output}`);
    });
  for (const label of [
    'send',
    'revoke',
    'webhook',
    'inbound',
    'sandbox page',
    'Pub/Sub emulator',
    'Firestore emulator',
  ]) {
    expect(output).toContain(label);
  }
  expect(output).toMatch(/export RBM_SEND_URL=http:\/\/127\.0\.0\.1:\d+/);
  const ports = [...new Set([...output.matchAll(/127\.0\.0\.1:(\d+)/g)].map((match) => Number(match[1])))];
  expect(ports.length).toBeGreaterThanOrEqual(7); // 4 functions, the sandbox, 2 emulators
  const started = processesUsing(ports);
  expect(started.some((p) => p.cmdline.includes('functions-framework'))).toBe(true);
  expect(started.some((p) => /pubsub/i.test(p.cmdline))).toBe(true);
  expect(started.some((p) => /firestore/i.test(p.cmdline))).toBe(true);
  const sandbox = /sandbox page\s+(\S+)/.exec(output)?.[1];
  expect((await fetch(sandbox!)).status).toBe(200);

  const signalledAt = Date.now();
  process.kill(-child.pid!, 'SIGINT');
  // start.ts stops the stack and exits 0 (or dies of the signal if it came before the handler was set).
  expect(['code 0', 'SIGINT']).toContain(await exited);
  await pollUntil(() => (output.includes('Stopped.') ? true : undefined), {
    description: 'start.ts to report "Stopped."',
    timeoutMs: 30_000,
    intervalMs: 100,
  }).catch((error: unknown) => {
    const after = ((Date.now() - signalledAt) / 1000).toFixed(1);
    const left = processesUsing(ports).map((p) => `${p.pid} ${p.cmdline}`);
    throw new Error(
      `${String(error)} ${after} s after SIGINT; output after the table:\n${output.slice(output.indexOf('Press Ctrl-C'))}\nstill running:\n${left.join('\n')}`,
    );
  });
  const left = await pollUntil(
    () => {
      const remaining = processesUsing(ports);
      return remaining.length === 0 ? remaining : undefined;
    },
    { description: 'every process of this start to end', timeoutMs: 20_000, intervalMs: 200 },
  ).catch(() => processesUsing(ports));
  expect(left).toEqual([]);
});
