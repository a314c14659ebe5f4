/**
 * Generic building blocks of the AgentMessage validator: a violation accumulator that carries the JSON path,
 * and checks of JSON types, strings, enums, numbers, arrays and URLs that report into it.
 */
import type { FieldViolation } from '../errors.js';
import { AGENT_MESSAGE_LIMITS } from './limits.js';
import { isJsonObject, type JsonObject } from '../json-values.js';

// ---------------------------------------------------------------------------------------------------------------
// Violation accumulator with a path prefix
// ---------------------------------------------------------------------------------------------------------------

export class Checker {
  constructor(
    private readonly violations: FieldViolation[],
    readonly path: string,
  ) {}

  /** The checker of property `key` (`a.b`, or `a["odd key"]` for a key that isn't an identifier). */
  at(key: string): Checker {
    if (!/^[A-Za-z_$][\w$]*$/.test(key))
      return new Checker(this.violations, `${this.path}[${JSON.stringify(key)}]`);
    return new Checker(this.violations, this.path === '' ? key : `${this.path}.${key}`);
  }

  /** The checker of array item `index` (`a[2]`). */
  item(index: number): Checker {
    return new Checker(this.violations, `${this.path}[${index}]`);
  }

  fail(description: string): void {
    this.violations.push({ field: this.path, description });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Generic checks
// ---------------------------------------------------------------------------------------------------------------

/** An own property (never one inherited from Object.prototype). */
export function get(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function isSet(object: JsonObject, key: string): boolean {
  return get(object, key) !== undefined;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short rendering of a received value for descriptions. */
export function preview(value: unknown): string {
  if (typeof value !== 'string') return typeName(value);
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}..."` : json;
}

export function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

export function expectObject(
  at: Checker,
  value: unknown,
  description = 'must be an object',
): JsonObject | undefined {
  if (isJsonObject(value)) return value;
  at.fail(`${description} (got ${typeName(value)})`);
  return undefined;
}

/** Runs `check` on `value` when it is set; reports a missing required value or a non-object. */
export function checkObject(
  at: Checker,
  value: unknown,
  check: (at: Checker, object: JsonObject) => void,
  required = false,
): void {
  if (value === undefined) {
    if (required) at.fail('is required');
    return;
  }
  const object = expectObject(at, value);
  if (object !== undefined) check(at, object);
}

/** Rejects every set field not in `known`; `rejected` gives specific descriptions for some of them. */
export function checkFields(
  at: Checker,
  object: JsonObject,
  known: readonly string[],
  rejected: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(object)) {
    if (known.includes(key) || object[key] === undefined) continue;
    const specific = Object.hasOwn(rejected, key) ? rejected[key] : undefined;
    at.at(key).fail(specific ?? unknownFieldDescription(key, known));
  }
}

export function unknownFieldDescription(key: string, known: readonly string[]): string {
  const camel = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  const hint = camel !== key && known.includes(camel) ? `; did you mean "${camel}"?` : '';
  const expected = known.length === 0 ? 'no fields are allowed here' : `known fields: ${known.join(', ')}`;
  return `is not a known field (${expected})${hint}`;
}

/**
 * Reports on `at` unless exactly one of `members` is set. `replacementSet` says that a rejected stand-in
 * (deprecated `fileName`, removed `composeAction`) was set and already reported, so "none set" is not repeated.
 */
export function checkExactlyOne(
  at: Checker,
  object: JsonObject,
  members: readonly string[],
  replacementSet = false,
): void {
  const set = members.filter((key) => isSet(object, key));
  if (set.length === 1 || (set.length === 0 && replacementSet)) return;
  const found = set.length === 0 ? 'none is set' : `${set.join(', ')} are set`;
  at.fail(`must set exactly one of ${members.join(', ')} (${found})`);
}

export interface StringRule {
  required?: boolean;
  minChars?: number;
  maxChars?: number;
}

/** Type and length checks; returns the string when it is one (even if too long), for further checks. */
export function checkString(at: Checker, value: unknown, rule: StringRule = {}): string | undefined {
  if (value === undefined) {
    if (rule.required === true) at.fail('is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    at.fail(`must be a string (got ${typeName(value)})`);
    return undefined;
  }
  const length = codePointLength(value);
  if (rule.minChars !== undefined && length < rule.minChars) {
    at.fail(
      rule.minChars === 1
        ? 'must not be empty'
        : `must be at least ${rule.minChars} characters (got ${length})`,
    );
  }
  if (rule.maxChars !== undefined && length > rule.maxChars) {
    at.fail(`must be at most ${rule.maxChars} characters (got ${length})`);
  }
  return value;
}

export function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

export function checkEnum<T extends string>(
  at: Checker,
  value: unknown,
  values: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (isOneOf(values, value)) return value;
  at.fail(`must be one of ${values.join(', ')} (got ${preview(value)})`);
  return undefined;
}

export function checkBoolean(at: Checker, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean')
    at.fail(`must be a boolean (got ${typeName(value)})`);
}

export function checkNumber(at: Checker, value: unknown, min: number, max: number): void {
  if (value === undefined) {
    at.fail('is required');
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    at.fail(`must be a number (got ${typeName(value)})`);
  } else if (value < min || value > max) {
    at.fail(`must be between ${min} and ${max} (got ${value})`);
  }
}

export interface ArrayRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** What the items are, for descriptions ("suggestions", "cards"). */
  noun: string;
}

export function checkArray(at: Checker, value: unknown, rule: ArrayRule): unknown[] | undefined {
  if (value === undefined) {
    if (rule.required === true) at.fail('is required');
    return undefined;
  }
  if (!Array.isArray(value)) {
    at.fail(`must be an array (got ${typeName(value)})`);
    return undefined;
  }
  if (rule.min !== undefined && value.length < rule.min) {
    at.fail(`must have at least ${rule.min} ${rule.noun} (got ${value.length})`);
  }
  if (rule.max !== undefined && value.length > rule.max) {
    at.fail(`must have at most ${rule.max} ${rule.noun} (got ${value.length})`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------------------------------

export function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(text) || !URL.canParse(text)) return false;
  return new URL(text).hostname !== '';
}

/** An absolute RFC 3986 URI: a scheme, a colon, and no whitespace. */
export function isAbsoluteUri(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(text) && URL.canParse(text);
}

export function checkHttpUrl(at: Checker, value: unknown, required: boolean): void {
  const url = checkString(at, value, { required, maxChars: AGENT_MESSAGE_LIMITS.urlChars });
  if (url !== undefined && !isHttpUrl(url)) at.fail('must be an absolute http or https URL');
}
