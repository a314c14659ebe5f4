// Bundles each function of functions/catalog.ts, from functions/<name>/index.ts, into a deployable folder dist/<name>/:
// index.js (esbuild, CommonJS, with a source map) and a package.json that declares
// @google-cloud/functions-framework, the one package kept out of the bundle because its
// registry must be the same module instance the framework's own loader reads.
import { build } from 'esbuild';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTION_NAMES } from '../functions/catalog.js';
import { FRAMEWORK_PACKAGE as FRAMEWORK, functionBundleOptions } from './bundle-options.js';
import { renderGatewayOpenApi } from './render-gateway-openapi.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootPackage = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(FUNCTION_NAMES as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`not in functions/catalog.ts: ${unknown.join(', ')}`);
const names = requested.length > 0 ? requested : FUNCTION_NAMES;

await Promise.all(names.map(bundle));
// The API Gateway document Terraform deploys with the functions (terraform/gateway.tf).
await renderGatewayOpenApi();
console.log(`built ${names.map((n) => `dist/${n}`).join(', ')}, dist/gateway/openapi2.yaml`);

async function bundle(name: string): Promise<void> {
  const outdir = path.join(root, 'dist', name);
  // Built aside and swapped in, so a function served from dist/ meanwhile never finds its folder half-written.
  const staging = path.join(root, 'dist', `.staging-${name}-${process.pid}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const result = await build(
    functionBundleOptions(path.join(root, 'functions', name, 'index.ts'), path.join(staging, 'index.js')),
  );
  const manifest = {
    name: `rbm-functions-${name}`,
    version: rootPackage.version,
    private: true,
    main: 'index.js',
    engines: { node: '>=20' },
    dependencies: { [FRAMEWORK]: rootPackage.dependencies[FRAMEWORK] },
  };
  await writeFile(path.join(staging, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(outdir, { recursive: true, force: true });
  await rename(staging, outdir);
  const metaDir = path.join(root, 'dist', '.meta');
  await mkdir(metaDir, { recursive: true });
  await writeFile(path.join(metaDir, `${name}.json`), JSON.stringify(result.metafile));
}
