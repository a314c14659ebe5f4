/**
 * The `resource` and `data` blocks of a Terraform directory, each with the provider that serves it: the
 * `provider` meta-argument if set (`provider = google-beta`), else the type's prefix (`google_x` → google),
 * resolved to a source address through `required_providers` (default: hashicorp/<name>), as Terraform does.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseHclStructure } from './hcl-structure.js';
import type { HclBlock, HclBody, HclFile } from './hcl-structure.js';

export interface ResourceBlock {
  kind: 'resource' | 'data';
  type: string;
  name: string;
  fileName: string;
  line: number;
  body: HclBody;
  /** Local provider name, e.g. "google-beta". */
  provider: string;
  /** Provider source, e.g. "hashicorp/google-beta". */
  providerSource: string;
}

/** Parses every `*.tf` file of `dir` (not recursive), sorted by name. */
export async function readHclFiles(dir: string): Promise<HclFile[]> {
  const fileNames = (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort();
  return Promise.all(
    fileNames.map(async (fileName) =>
      parseHclStructure(fileName, await readFile(path.join(dir, fileName), 'utf8')),
    ),
  );
}

/** Parses in-memory `.tf` texts by file name (for tests that edit a copy of the configuration). */
export function parseHclTexts(texts: ReadonlyMap<string, string>): HclFile[] {
  return [...texts].map(([fileName, text]) => parseHclStructure(fileName, text));
}

function blocksOf(body: HclBody, type: string): HclBlock[] {
  return body.filter((item): item is HclBlock => item.kind === 'block' && item.type === type);
}

/** `required_providers` of every `terraform` block: local name → source. */
export function requiredProviderSources(files: HclFile[]): Map<string, string> {
  const sources = new Map<string, string>();
  for (const file of files) {
    for (const terraform of blocksOf(file.body, 'terraform')) {
      for (const required of blocksOf(terraform.body, 'required_providers')) {
        for (const item of required.body) {
          if (item.kind !== 'attribute') continue;
          const source = /\bsource\s*=\s*"([^"]+)"/.exec(item.expression)?.[1];
          if (source) sources.set(item.name, source.toLowerCase());
        }
      }
    }
  }
  return sources;
}

/** `provider = google-beta` or `provider = google-beta.west` → "google-beta"; undefined when not set. */
export function providerMetaArgument(body: HclBody): string | undefined {
  const attribute = body.find((item) => item.kind === 'attribute' && item.name === 'provider');
  if (attribute?.kind !== 'attribute') return undefined;
  return attribute.expression.split('.')[0];
}

export function resourceBlocksOf(files: HclFile[]): ResourceBlock[] {
  const sources = requiredProviderSources(files);
  return files.flatMap((file) =>
    file.body.flatMap((item): ResourceBlock[] => {
      if (item.kind !== 'block' || (item.type !== 'resource' && item.type !== 'data')) return [];
      const [type = '', name = ''] = item.labels;
      const provider = providerMetaArgument(item.body) ?? type.split('_')[0] ?? type;
      return [
        {
          kind: item.type,
          type,
          name,
          fileName: file.fileName,
          line: item.line,
          body: item.body,
          provider,
          providerSource: sources.get(provider) ?? `hashicorp/${provider}`,
        },
      ];
    }),
  );
}
