/** Bundle sizes from dist/ and the biggest inputs of each bundle (from esbuild's metafile in dist/.meta). */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../../devtools/function-server.js';

export interface BundleSize {
  readonly name: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Input bytes in the bundle per package (or `(project)`), biggest first, top 6. */
  readonly topPackages: ReadonlyArray<{ readonly name: string; readonly bytes: number }>;
}

function packageOf(path: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return match?.[1] ?? '(project)';
}

export async function bundleSizes(names: readonly string[]): Promise<BundleSize[]> {
  return Promise.all(
    names.map(async (name) => {
      const file = join(REPO_ROOT, 'dist', name, 'index.js');
      const [info, content] = await Promise.all([stat(file), readFile(file)]);
      const meta = JSON.parse(await readFile(join(REPO_ROOT, 'dist', '.meta', `${name}.json`), 'utf8')) as {
        outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
      };
      const byPackage = new Map<string, number>();
      for (const output of Object.values(meta.outputs)) {
        for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
          byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
        }
      }
      const topPackages = [...byPackage.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([pkg, bytes]) => ({ name: pkg, bytes }));
      return { name, bytes: info.size, gzipBytes: gzipSync(content).length, topPackages };
    }),
  );
}
