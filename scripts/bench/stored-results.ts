/**
 * docs/benchmarks/bench.json and the BENCHMARKS.md rendered from it. A partial run (`--only …`) replaces its own
 * figures and keeps every other one as stored, so the page always shows the latest of each measurement.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { format } from 'prettier';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { renderMarkdown, type BenchResults } from './markdown.js';

const BENCH_DIR = join(REPO_ROOT, 'docs', 'benchmarks');
const BENCH_JSON = join(BENCH_DIR, 'bench.json');

export async function readStoredResults(): Promise<BenchResults> {
  return JSON.parse(await readFile(BENCH_JSON, 'utf8')) as BenchResults;
}

/** Writes bench.json and re-renders BENCHMARKS.md from it. */
export async function storeResults(results: BenchResults): Promise<void> {
  await mkdir(BENCH_DIR, { recursive: true });
  // Formatted as prettier would, so `npm run lint` (prettier --check .) stays green.
  await writeFile(BENCH_JSON, await format(JSON.stringify(results), { parser: 'json', printWidth: 110 }));
  await writeFile(join(REPO_ROOT, 'BENCHMARKS.md'), await renderMarkdown(results));
}

/** Replaces some figures of the stored results; returns what was stored. */
export async function updateStoredResults(patch: Partial<BenchResults>): Promise<BenchResults> {
  const results: BenchResults = { ...(await readStoredResults()), ...patch };
  await storeResults(results);
  return results;
}
