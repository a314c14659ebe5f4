/**
 * The esbuild options of a function bundle, shared by the build (scripts/build.ts) and the benchmark's
 * library-floor bundles, so the floors are built exactly like the functions they are compared with.
 */
import type { BuildOptions } from 'esbuild';

/** Kept out of the bundle: its registry must be the same module instance the framework's own loader reads. */
export const FRAMEWORK_PACKAGE = '@google-cloud/functions-framework';

export function functionBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    minifySyntax: true,
    external: [FRAMEWORK_PACKAGE],
    // `import.meta.url` has no CommonJS equivalent; give bundled ESM-only code the file URL.
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
}
