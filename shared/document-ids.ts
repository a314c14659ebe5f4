/**
 * What Firestore can store: document ids, field names, field paths and nesting. Pure, so callers can turn an
 * unstorable input into a permanent refusal before any write (a write would fail INVALID_ARGUMENT every time).
 */
import { createHash } from 'node:crypto';

/** Longest document id, and longest field path (dotted, with quoted segments), in UTF-8 bytes. */
export const MAX_ID_BYTES = 1500;
export const MAX_FIELD_PATH_BYTES = 1500;
/** Levels of maps and arrays allowed below a document's top-level field. */
export const MAX_NESTING = 20;

/** `__…__` is reserved for ids and field names (also across line breaks, which `.` would not match). */
const RESERVED = /^__[\s\S]*__$/;
/** Field path segments Firestore writes without backquotes. */
const SIMPLE_SEGMENT = /^[A-Za-z_][A-Za-z_0-9]*$/;
/** Longest text of an offending id or name quoted in a problem description. */
const QUOTED_MAX = 64;

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** `"id"` when short, else its size: a problem description never carries an unbounded input. */
function quoted(text: string): string {
  return text.length <= QUOTED_MAX ? JSON.stringify(text) : `of ${bytes(text)} bytes`;
}

/** Why Firestore cannot use `id` as a document id, or undefined when it can. */
export function documentIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'is empty';
  if (bytes(id) > MAX_ID_BYTES) return `is longer than ${MAX_ID_BYTES} bytes (${bytes(id)})`;
  if (id.includes('/')) return `${quoted(id)} contains "/"`;
  if (id === '.' || id === '..') return `${quoted(id)} is reserved`;
  if (RESERVED.test(id)) return `${quoted(id)} is reserved (__…__)`;
  return undefined;
}

/** Not empty, at most 1,500 bytes, no `/`, not `.` or `..`, and not of the reserved `__…__` form. */
export function isStorableDocumentId(id: string): boolean {
  return documentIdProblem(id) === undefined;
}

/** Why Firestore cannot use `name` as a field name, or undefined when it can. */
export function fieldNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'field name is empty';
  if (RESERVED.test(name)) return `field name ${quoted(name)} is reserved (__…__)`;
  return undefined;
}

/** A field path segment as Firestore spells it: plain, or in backquotes with `\` and `` ` `` escaped. */
function pathSegment(name: string): string {
  return SIMPLE_SEGMENT.test(name) ? name : `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}

/**
 * Why Firestore cannot store `fields` as (part of) a document, or undefined when it can: every field name,
 * every field path's length, the nesting of maps and arrays, and no array in an array, at any depth.
 */
export function storableFieldsProblem(fields: Record<string, unknown>): string | undefined {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [];
  const addFields = (object: Record<string, unknown>, path: string, depth: number): string | undefined => {
    for (const [name, value] of Object.entries(object)) {
      const problem = fieldNameProblem(name);
      if (problem !== undefined) return path === '' ? problem : `${problem} (in ${quoted(path)})`;
      const fieldPath = path === '' ? pathSegment(name) : `${path}.${pathSegment(name)}`;
      if (bytes(fieldPath) > MAX_FIELD_PATH_BYTES) {
        return `field path ${quoted(fieldPath)} is longer than ${MAX_FIELD_PATH_BYTES} bytes`;
      }
      pending.push({ value, path: fieldPath, depth });
    }
    return undefined;
  };
  const top = addFields(fields, '', 0);
  if (top !== undefined) return top;
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path, depth } = item;
    if (typeof value !== 'object' || value === null || value instanceof Date || Buffer.isBuffer(value))
      continue;
    if (depth >= MAX_NESTING) return `${quoted(path)} nests maps or arrays deeper than ${MAX_NESTING} levels`;
    if (Array.isArray(value)) {
      // Array items add a level but no field name; Firestore holds no array directly in an array.
      for (const element of value) {
        if (Array.isArray(element)) return `${quoted(path)} holds an array directly in an array`;
        pending.push({ value: element, path, depth: depth + 1 });
      }
      continue;
    }
    const problem = addFields(value as Record<string, unknown>, path, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * `id` itself when it is at most `maxBytes` long, else a fixed-size digest of it: for ids kept as values in
 * bounded lists, so an oversized id cannot grow a document towards Firestore's 1 MiB limit.
 */
export function boundedId(id: string, maxBytes: number): string {
  return bytes(id) <= maxBytes ? id : `sha256:${createHash('sha256').update(id).digest('hex')}`;
}
