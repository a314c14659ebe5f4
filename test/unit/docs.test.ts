/** docs/ stays in step with the code: every declared variable documented, every link alive, no outside references. */
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../functions/catalog.js';
import { REPO_ROOT } from '../../devtools/function-server.js';

const docsDir = path.join(REPO_ROOT, 'docs');

async function markdownFiles(): Promise<string[]> {
  const names = (await readdir(docsDir)).filter((name) => name.endsWith('.md'));
  return [...names.map((name) => path.join(docsDir, name)), path.join(REPO_ROOT, 'README.md')];
}

describe('docs', () => {
  it('configuration.md documents every variable a function declares', async () => {
    const text = await readFile(path.join(docsDir, 'configuration.md'), 'utf8');
    const declared = new Set(FUNCTION_SPECS.flatMap((spec) => spec.env));
    const missing = [...declared].filter((variable) => !text.includes(`\`${variable}\``));
    expect(missing).toEqual([]);
  });

  it('every relative link of the docs and the README points at a file that exists', async () => {
    const broken: string[] = [];
    for (const file of await markdownFiles()) {
      const text = await readFile(file, 'utf8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (target === undefined || /^[a-z]+:/.test(target)) continue;
        if (!existsSync(path.resolve(path.dirname(file), target))) {
          broken.push(`${path.relative(REPO_ROOT, file)} → ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('cite nothing outside the repository', async () => {
    const outside: string[] = [];
    for (const file of await markdownFiles()) {
      const text = await readFile(file, 'utf8');
      if (/C[O]NTRACT|r[e]ference\/|\bi[s]sue [0-9]/i.test(text))
        outside.push(path.relative(REPO_ROOT, file));
    }
    expect(outside).toEqual([]);
  });
});
