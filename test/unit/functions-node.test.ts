import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { functionsNodeBinary } from '../../devtools/functions-node.js';

const dir = mkdtempSync(path.join(tmpdir(), 'functions-node-'));
const executable = path.join(dir, 'node');
writeFileSync(executable, '#!/bin/sh\n');
chmodSync(executable, 0o755);
const notExecutable = path.join(dir, 'plain');
writeFileSync(notExecutable, '');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('functionsNodeBinary', () => {
  it.each([
    ['unset', {}, process.execPath],
    ['empty', { FUNCTIONS_NODE: '' }, process.execPath],
    ['an executable', { FUNCTIONS_NODE: executable }, executable],
  ])('FUNCTIONS_NODE %s → the binary that serves the functions', (_label, env, expected) => {
    expect(functionsNodeBinary(env)).toBe(expected);
  });

  it.each([
    ['a missing file', path.join(dir, 'missing')],
    ['a file that is not executable', notExecutable],
  ])('FUNCTIONS_NODE naming %s is refused with the variable in the message', (_label, value) => {
    expect(() => functionsNodeBinary({ FUNCTIONS_NODE: value })).toThrow(/FUNCTIONS_NODE=/);
  });
});
