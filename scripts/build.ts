// Bundles each function of functions/catalog.ts, from functions/<name>/index.ts, into a deployable folder dist/<name>/:
// index.js (esbuild, CommonJS, with a source map) and a package.json that declares
// @google-cloud/functions-framework, the one package kept out of the bundle because its
// registry must be the same module instance the framework's own loader reads.
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_NAMES } from '../functions/catalog.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const FRAMEWORK = '@google-cloud/functions-framework';

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(FUNCTION_NAMES as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`not in functions/catalog.ts: ${unknown.join(', ')}`);
const names = requested.length > 0 ? requested : FUNCTION_NAMES;

await Promise.all(names.map(bundle));
console.log(`built ${names.map((n) => `dist/${n}`).join(', ')}`);

async function bundle(name: string): Promise<void> {
  const outdir = path.join(root, 'dist', name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: [path.join(root, 'functions', name, 'index.ts')],
    outfile: path.join(outdir, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    minifySyntax: true,
    external: [FRAMEWORK],
    // `import.meta.url` has no CommonJS equivalent; give bundled ESM-only code the file URL.
    banner: { js: "const __importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__importMetaUrl' },
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const manifest = {
    name: `rbm-functions-${name}`,
    version: rootPackage.version,
    private: true,
    main: 'index.js',
    engines: { node: '>=20' },
    dependencies: { [FRAMEWORK]: rootPackage.dependencies[FRAMEWORK] },
  };
  await writeFile(path.join(outdir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const metaDir = path.join(root, 'dist', '.meta');
  await mkdir(metaDir, { recursive: true });
  await writeFile(path.join(metaDir, `${name}.json`), JSON.stringify(result.metafile));
}
