/**
 * Cold start: process spawn → first successful response, for the esbuild bundles, for the unbundled TypeScript
 * source run through tsx, for a minimal functions-framework hello-world (the floor), and for bundles that only
 * make one client-library call (the library floors, scripts/bench/library-floors.ts). Each trial also reads the
 * CPU time the process used until then, which a loaded machine disturbs far less than the wall clock.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { functionsFrameworkMain, REPO_ROOT } from '../../devtools/function-server.js';
import { freePort } from '../../devtools/ports.js';
import { spawnManaged } from '../../devtools/processes.js';
import { sign, SIGNATURE_HEADER, deliveredEvent, webhookEnvelope } from '../../sandbox/fake-rbm/index.js';
import { cpuMs } from './process-cpu.js';
import { summarize, type Summary } from './stats.js';

export interface ColdStartVariant {
  readonly name: string;
  /** Folder functions-framework loads (`--source`). */
  readonly source: string;
  readonly target: string;
  readonly env: Readonly<Record<string, string>>;
  /** Extra node arguments, e.g. a loader. */
  readonly nodeArgs?: readonly string[];
  /** Prepares one trial (e.g. a message to revoke) and returns the request that must succeed. */
  readonly prepare: () => Promise<(url: string) => Promise<boolean>>;
  /** Name of the variant whose median this one is set against in the "× library floor" column. */
  readonly libraryFloor?: string;
}

export interface ColdStartResult {
  readonly name: string;
  readonly samplesMs: readonly number[];
  readonly summary: Summary;
  /** CPU time (user + system) of the process at its first successful response. Absent from older runs. */
  readonly cpuSamplesMs?: readonly number[];
  readonly cpuSummary?: Summary;
  readonly libraryFloor?: string;
}

interface TrialResult {
  readonly wallMs: number;
  readonly cpuMs: number;
}

const TRIAL_DEADLINE_MS = 30_000;

async function trial(variant: ColdStartVariant): Promise<TrialResult> {
  const probe = await variant.prepare();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...variant.env,
  };
  const started = performance.now();
  const child = spawnManaged({
    name: `cold start ${variant.name}`,
    command: process.execPath,
    args: [
      ...(variant.nodeArgs ?? []),
      functionsFrameworkMain(),
      `--source=${variant.source}`,
      `--target=${variant.target}`,
      `--port=${port}`,
    ],
    cwd: REPO_ROOT,
    env,
    maxLines: 2_000,
    orphanWatchdog: false, // a watchdog process would compete for the CPU during the measurement
  });
  try {
    for (;;) {
      if (await probe(url).catch(() => false)) {
        const wallMs = performance.now() - started;
        return { wallMs, cpuMs: child.pid === undefined ? Number.NaN : await cpuMs(child.pid) };
      }
      if (child.exitInfo()) throw new Error(`${variant.name} exited before answering:\n${child.tail()}`);
      if (performance.now() - started > TRIAL_DEADLINE_MS)
        throw new Error(`${variant.name}: no answer in time`);
      await new Promise((resolve) => setTimeout(resolve, 2)); // polling interval of the probe
    }
  } finally {
    await child.stop();
  }
}

/** Runs `runs` trials per variant, interleaved (so drift hits all alike), after one untimed warm-up each. */
export async function measureColdStarts(
  variants: readonly ColdStartVariant[],
  runs: number,
  progress: (line: string) => void,
): Promise<ColdStartResult[]> {
  for (const variant of variants) await trial(variant);
  const samples = new Map<string, TrialResult[]>(variants.map((v) => [v.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) samples.get(variant.name)?.push(await trial(variant));
    progress(`cold start round ${run + 1}/${runs}`);
  }
  return variants.map((variant) => {
    const trials = samples.get(variant.name) ?? [];
    const samplesMs = trials.map((t) => Math.round(t.wallMs * 10) / 10);
    const cpuSamplesMs = trials.map((t) => t.cpuMs);
    return {
      name: variant.name,
      samplesMs,
      summary: summarize(samplesMs),
      cpuSamplesMs,
      cpuSummary: summarize(cpuSamplesMs),
      ...(variant.libraryFloor === undefined ? {} : { libraryFloor: variant.libraryFloor }),
    };
  });
}

/** A functions-framework hello-world (CommonJS like the bundles), written under dist/.bench. */
export async function helloWorldSource(): Promise<string> {
  const dir = join(REPO_ROOT, 'dist', '.bench', 'hello');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ main: 'index.js' }));
  await writeFile(
    join(dir, 'index.js'),
    "require('@google-cloud/functions-framework').http('hello', (req, res) => res.send('hello'));\n",
  );
  return dir;
}

/** A tiny ESM entry that imports functions/<name>/index.ts, for running the source through tsx. */
export async function tsxSource(name: string): Promise<string> {
  const dir = join(REPO_ROOT, 'dist', '.bench', `tsx-${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module', main: 'index.ts' }));
  await writeFile(join(dir, 'index.ts'), `import '${join(REPO_ROOT, 'functions', name, 'index.ts')}';\n`);
  return dir;
}

export const TEXT_MESSAGE = { contentMessage: { text: 'Benchmark message: your parcel is on its way.' } };

export function sendProbe(phone: string): () => Promise<(url: string) => Promise<boolean>> {
  return async () => async (url) => {
    const response = await fetch(`${url}/v1/phones/${phone}/agentMessages?messageId=${randomUUID()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(TEXT_MESSAGE),
    });
    await response.arrayBuffer();
    return response.status === 200;
  };
}

/** Queues a message for an offline phone at the fake RBM, then revoking it must answer 200. */
export function revokeProbe(
  rbmUrl: string,
  agentId: string,
  offlinePhone: string,
): () => Promise<(url: string) => Promise<boolean>> {
  return async () => {
    const messageId = randomUUID();
    const created = await fetch(
      `${rbmUrl}/v1/phones/${offlinePhone}/agentMessages?messageId=${messageId}&agentId=${agentId}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(TEXT_MESSAGE) },
    );
    if (created.status !== 200) throw new Error(`fake RBM create answered ${created.status}`);
    return async (url) => {
      const response = await fetch(`${url}/v1/phones/${offlinePhone}/agentMessages/${messageId}`, {
        method: 'DELETE',
      });
      await response.arrayBuffer();
      return response.status === 200;
    };
  };
}

/** A signed DELIVERED callback: answered 200 once published to Pub/Sub. */
export function webhookProbe(
  clientToken: string,
  agentId: string,
  phone: string,
): () => Promise<(url: string) => Promise<boolean>> {
  return async () => async (url) => {
    const { envelope, data } = webhookEnvelope(deliveredEvent({ phone, agentId, messageId: randomUUID() }));
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: sign(data, clientToken) },
      body: JSON.stringify(envelope),
    });
    await response.arrayBuffer();
    return response.status === 200;
  };
}

/** A raw Pub/Sub push of a DELIVERED event: answered 200 once the record is written. */
export function inboundProbe(
  projectId: string,
  agentId: string,
  phone: string,
): () => Promise<(url: string) => Promise<boolean>> {
  return async () => async (url) => {
    const data = Buffer.from(JSON.stringify(deliveredEvent({ phone, agentId, messageId: randomUUID() })));
    const response = await fetch(`${url}/projects/${projectId}/topics/rbm-inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        subscription: `projects/${projectId}/subscriptions/rbm-inbound-to-inbound`,
        message: { data: data.toString('base64'), messageId: randomUUID(), attributes: {} },
      }),
    });
    await response.arrayBuffer();
    return response.status === 200 || response.status === 204;
  };
}

export function helloProbe(): () => Promise<(url: string) => Promise<boolean>> {
  return async () => async (url) => {
    const response = await fetch(url);
    await response.arrayBuffer();
    return response.status === 200;
  };
}
