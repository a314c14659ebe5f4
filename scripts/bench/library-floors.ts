/**
 * Library-floor bundles for the cold-start table: scripts/bench/floors/*.ts built with the functions' own esbuild
 * options into dist/.bench/ (build output, never committed), so a function's cold start can be set against
 * the bare client library its first request uses.
 */
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../devtools/function-server.js';
import { functionBundleOptions } from '../bundle-options.js';

export type LibraryFloor = 'firestore-create' | 'pubsub-publish' | 'pubsub-rest-call';

/** The functions-framework target each floor registers. */
export const FLOOR_TARGETS: Readonly<Record<LibraryFloor, string>> = {
  'firestore-create': 'firestoreFloor',
  'pubsub-publish': 'pubsubFloor',
  'pubsub-rest-call': 'pubsubRestCallFloor',
};

/** Bundles one floor and returns the folder to serve (`--source`). */
export async function libraryFloorSource(floor: LibraryFloor): Promise<string> {
  const dir = join(REPO_ROOT, 'dist', '.bench', floor);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await build({
    ...functionBundleOptions(
      join(REPO_ROOT, 'scripts', 'bench', 'floors', `${floor}.ts`),
      join(dir, 'index.js'),
    ),
    metafile: false,
  });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ main: 'index.js' }));
  return dir;
}
