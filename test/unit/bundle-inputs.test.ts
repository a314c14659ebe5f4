/**
 * A function that never touches Firestore bundles none of @google-cloud/firestore (and the gRPC stack it brings),
 * which every cold start would otherwise parse and evaluate: the runtime must not import the Firestore client.
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { functionBundleOptions } from '../../scripts/bundle-options.js';

/** The input files of a function's bundle, built exactly like `npm run build` builds it, in memory. */
async function bundleInputs(name: string): Promise<string[]> {
  const result = await build({
    ...functionBundleOptions(
      join(REPO_ROOT, 'functions', name, 'index.ts'),
      join(REPO_ROOT, 'dist', name, 'index.js'),
    ),
    write: false,
    absWorkingDir: REPO_ROOT,
  });
  return Object.keys(result.metafile?.inputs ?? {});
}

describe('function bundles without Firestore', () => {
  it.each(['webhook'])('%s bundles its own code but nothing of @google-cloud/firestore', async (name) => {
    const inputs = await bundleInputs(name);
    expect(inputs).toContain(`functions/${name}/index.ts`);
    expect(inputs).toContain('shared/runtime/platform.ts');
    expect(inputs.filter((input) => input.includes('node_modules/@google-cloud/firestore/'))).toEqual([]);
    expect(inputs).not.toContain('shared/store/firestore.ts');
  });
});
