import { describe, expect, it } from 'vitest';
import {
  MAX_ID_BYTES,
  boundedId,
  documentIdProblem,
  fieldNameProblem,
  isStorableDocumentId,
  storableFieldsProblem,
} from '../../shared/document-ids.js';

/** `leaf` under `depth` levels of `{ a: … }`. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('document ids', () => {
  it.each([
    ['a UUID', '6f1c1b9e-6a3b-4e8e-9a57-2f0f0c4b8d11'],
    ['an RBM message id', 'MxQ2t7f_Zs-Yk0a1b2c3'],
    ['exactly 1,500 bytes', 'x'.repeat(MAX_ID_BYTES)],
    ['three dots', '...'],
    ['one underscore pair only at the start', '__x'],
    ['a dot inside', 'a.b'],
    ['non-ASCII within the limit', 'é'.repeat(750)],
  ])('%s is storable', (_name, id) => {
    expect(documentIdProblem(id)).toBeUndefined();
    expect(isStorableDocumentId(id)).toBe(true);
  });

  it.each([
    ['empty', '', 'is empty'],
    ['reserved __x__', '__x__', 'reserved'],
    ['reserved with a line break', '__a\nb__', 'reserved'],
    ['a single dot', '.', 'reserved'],
    ['two dots', '..', 'reserved'],
    ['a slash', 'a/b', 'contains "/"'],
    ['1,501 bytes', 'x'.repeat(MAX_ID_BYTES + 1), 'longer than 1500 bytes'],
    ['1,501 bytes in two-byte characters', 'é'.repeat(750) + 'x', 'longer than 1500 bytes'],
  ])('%s is refused', (_name, id, reason) => {
    expect(documentIdProblem(id)).toContain(reason);
    expect(isStorableDocumentId(id)).toBe(false);
  });

  it('never quotes a long id in full', () => {
    const id = `${'y'.repeat(2000)}/`;
    expect(documentIdProblem(id)?.length).toBeLessThan(100);
  });
});

describe('field names', () => {
  it.each([
    ['__k__', 'reserved'],
    ['____', 'reserved'],
    ['', 'empty'],
  ])('%j is refused', (name, reason) => {
    expect(fieldNameProblem(name)).toContain(reason);
  });

  it.each(['k', '__k', 'k__', '_', 'a.b', 'with space', '`'])('%j is allowed', (name) => {
    expect(fieldNameProblem(name)).toBeUndefined();
  });
});

describe('storable fields', () => {
  it.each([
    ['a plain RBM userFile', { userFile: { payload: { mimeType: 'image/png', fileSizeBytes: 3 } } }],
    ['20 levels of maps below the field', { m: nested(20, 1) }],
    ['arrays of maps', { m: [{ a: [1, 2] }, { b: 'x' }] }],
    ['a field path of exactly 1,500 bytes', { m: { ['z'.repeat(1498)]: 1 } }],
    ['dates and nulls', { m: { at: new Date(0), none: null } }],
  ])('%s passes', (_name, fields) => {
    expect(storableFieldsProblem(fields)).toBeUndefined();
  });

  it.each([
    ['a reserved key at the top', { __k__: 1 }, 'field name "__k__" is reserved'],
    ['a reserved key deep down', { userFile: { payload: { x: { __k__: 1 } } } }, '"__k__" is reserved'],
    ['a reserved key inside an array item', { m: [{ ok: 1 }, { __k__: 2 }] }, '"__k__" is reserved'],
    ['an empty key', { m: { '': 1 } }, 'field name is empty'],
    ['21 levels of maps below the field', { m: nested(21, 1) }, 'deeper than 20 levels'],
    ['21 levels through arrays', { m: nested(19, [[1]]) }, 'array directly in an array'],
    ['deep arrays of maps', { m: nested(20, [{ a: 1 }]) }, 'deeper than 20 levels'],
    ['a field path over 1,500 bytes', { m: { ['z'.repeat(1499)]: 1 } }, 'longer than 1500 bytes'],
    ['two long names that add up', { ['a'.repeat(800)]: { ['b'.repeat(800)]: 1 } }, 'longer than 1500 bytes'],
    ['a quoted segment that grows past the limit', { m: { ['`'.repeat(749)]: 1 } }, 'longer than 1500 bytes'],
  ])('%s is refused', (_name, fields, reason) => {
    expect(storableFieldsProblem(fields as Record<string, unknown>)).toContain(reason);
  });

  it('checks a very deep value without overflowing the stack', () => {
    expect(storableFieldsProblem({ m: nested(100_000, 1) })).toContain('deeper than 20 levels');
  });
});

describe('boundedId', () => {
  it.each([
    ['a short id is kept', 'ev-1', 'ev-1'],
    ['an id at the limit is kept', 'x'.repeat(128), 'x'.repeat(128)],
  ])('%s', (_name, id, expected) => {
    expect(boundedId(id, 128)).toBe(expected);
  });

  it('a longer id becomes a fixed-size digest, the same every time', () => {
    const long = 'e'.repeat(1_000_000);
    expect(boundedId(long, 128)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(boundedId(long, 128)).toBe(boundedId(long, 128));
    expect(boundedId(`${long}x`, 128)).not.toBe(boundedId(long, 128));
  });
});
