/**
 * A prebuilt cdktf provider package (e.g. @cdktf/provider-google), packed with `npm pack` into a temporary
 * directory and unpacked there: nothing is installed into the project, and the copy is deleted afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { typeScriptSourceOf } from './cdktf-schema.js';

const run = promisify(execFile);

export interface UnpackedPackage {
  /** The unpacked `package/` directory. */
  dir: string;
  /** The Terraform provider version the bindings were generated from, e.g. "6.50.0". */
  providerVersion: string;
}

/** Packs `spec` (name@version) into a temporary directory, runs `use` on it unpacked, then deletes it. */
export async function withUnpackedPackage<T>(
  spec: string,
  use: (pkg: UnpackedPackage) => Promise<T>,
): Promise<T> {
  const tmp = await mkdtemp(path.join(tmpdir(), 'cdktf-provider-'));
  try {
    const { stdout } = await run('npm', ['pack', spec, '--pack-destination', tmp, '--silent'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = stdout.trim().split('\n').pop();
    if (!tarball) throw new Error(`npm pack ${spec} printed no file name`);
    await run('tar', ['xzf', path.join(tmp, tarball), '-C', tmp]);
    const dir = path.join(tmp, 'package');
    const readme = await readFile(path.join(dir, 'README.md'), 'utf8');
    const providerVersion = /provider version (\d+\.\d+\.\d+)/.exec(readme)?.[1];
    if (!providerVersion) throw new Error(`${spec}: README names no provider version`);
    return await use({ dir, providerVersion });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const tfTypeOf = (compiledJs: string): string | undefined =>
  /\.tfResourceType = "([\w-]+)";/.exec(compiledJs)?.[1];

/**
 * The compiled module of one resource or data source. cdktf names the folder after the type without the
 * provider prefix (`google_pubsub_topic` → pubsub-topic) and data sources with it (`data-google-project`);
 * where that guess misses (renamed reserved words), every module is searched.
 */
export async function compiledModuleFor(
  pkg: UnpackedPackage,
  kind: 'resource' | 'data',
  type: string,
): Promise<string> {
  const lib = path.join(pkg.dir, 'lib');
  const kebab = (text: string): string => text.replaceAll('_', '-');
  const guess = kind === 'data' ? `data-${kebab(type)}` : kebab(type.slice(type.indexOf('_') + 1));
  const wanted = (folder: string, js: string): boolean =>
    tfTypeOf(js) === type && folder.startsWith('data-') === (kind === 'data');
  const guessed = await readFile(path.join(lib, guess, 'index.js'), 'utf8').catch(() => '');
  if (wanted(guess, guessed)) return guessed;
  for (const folder of await readdir(lib)) {
    const js = await readFile(path.join(lib, folder, 'index.js'), 'utf8').catch(() => '');
    if (wanted(folder, js)) return js;
  }
  throw new Error(`no ${kind} ${type} in ${lib}`);
}

export async function typeScriptSourceFor(
  pkg: UnpackedPackage,
  kind: 'resource' | 'data',
  type: string,
): Promise<string> {
  return typeScriptSourceOf(await compiledModuleFor(pkg, kind, type));
}
