/**
 * Loading the Terraform configuration for the offline tests, and small accessors over the parsed shape of
 * @cdktf/hcl2json (every block is an array; expressions are strings like "${google_pubsub_topic.x.id}").
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  defaultTerraformDir,
  isHclObject,
  parseTerraformFile,
  readTerraformConfig,
} from '../../devtools/topology.js';
import type { HclObject, HclValue, TerraformConfig } from '../../devtools/topology.js';

export { defaultTerraformDir, parseTerraformFile, readTerraformConfig };
export type { HclObject, HclValue, TerraformConfig };

let repoConfig: Promise<TerraformConfig> | undefined;

/** The repository's terraform/ directory, parsed once per test file. Do not mutate: use {@link freshConfig}. */
export function loadRepoTerraform(): Promise<TerraformConfig> {
  repoConfig ??= readTerraformConfig(defaultTerraformDir);
  return repoConfig;
}

/** A deep copy of the repository's configuration, safe to mutate. */
export async function freshConfig(): Promise<TerraformConfig> {
  return structuredClone(await loadRepoTerraform());
}

/** The repository's configuration with one file's text replaced by `edit(text)`, parsed from a temp copy. */
export async function configWithEditedFile(
  fileName: string,
  edit: (text: string) => string,
): Promise<TerraformConfig> {
  return withTerraformCopy(async (dir) => {
    await editFile(dir, fileName, edit);
    return readTerraformConfig(dir);
  });
}

/** Runs `use` on a temporary copy of terraform/ (only the .tf sources), then deletes the copy. */
export async function withTerraformCopy<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'rbm-terraform-'));
  try {
    await cp(defaultTerraformDir, dir, {
      recursive: true,
      filter: (source) => !/[/\\]\.(terraform|build)([/\\]|$)/.test(source),
    });
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function editFile(dir: string, fileName: string, edit: (text: string) => string): Promise<void> {
  const file = path.join(dir, fileName);
  const before = await readFile(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`Edit of ${fileName} changed nothing`);
  await writeFile(file, after);
}

/** Removes `resource "<type>" "<name>" { ... }` from HCL text (braces balanced; no braces inside strings). */
export function removeResourceBlock(text: string, type: string, name: string): string {
  const start = text.indexOf(`resource "${type}" "${name}" {`);
  if (start < 0) throw new Error(`resource ${type}.${name} not found`);
  let depth = 0;
  for (let i = text.indexOf('{', start); i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return text.slice(0, start) + text.slice(i + 1);
  }
  throw new Error(`resource ${type}.${name} is not closed`);
}

// ------------------------------------------------------------------------------------------------------------
// Accessors

export function resourcesOf(config: TerraformConfig, type: string): Array<[string, HclObject]> {
  return Object.entries(config.resource[type] ?? {});
}

/** The single nested block `key` of a body (hcl2json wraps blocks in arrays). */
export function nestedBlock(body: HclObject | undefined, key: string): HclObject | undefined {
  const value = body?.[key];
  const first = Array.isArray(value) ? value[0] : value;
  return isHclObject(first) ? first : undefined;
}

/** Follows nested blocks, e.g. `blockPath(fn, 'build_config', 'source', 'storage_source')`. */
export function blockPath(body: HclObject | undefined, ...keys: string[]): HclObject | undefined {
  return keys.reduce<HclObject | undefined>((current, key) => nestedBlock(current, key), body);
}

export function stringOf(value: HclValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Every string anywhere inside a value. */
export function allStrings(value: HclValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (isHclObject(value)) return Object.values(value).flatMap(allStrings);
  return [];
}

/** Replaces `${var.name_prefix}` by the empty prefix, so names read as in docs/topics.md. */
export function withoutPrefix(value: string): string {
  return value.replaceAll('${var.name_prefix}', '');
}
