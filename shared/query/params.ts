/**
 * Reading query parameters strictly, as Google APIs do: an unknown or repeated parameter is an error, and every
 * problem is reported at once as a field violation.
 */
import type { FieldViolation } from '../errors.js';
import { parseTimestampNanos } from '../agent-message/time.js';
import { MESSAGE_STATES, type MessageState } from '../delivery-state.js';

/** The query as the framework parsed it: a string per name, or a list when repeated. */
export type QueryValues = Readonly<Record<string, unknown>>;

/** Google's system parameter for API keys: an API gateway in front of the functions may pass it through. */
export const SYSTEM_QUERY_PARAMETERS = ['key'] as const;

export const PAGE_SIZE = { min: 1, max: 500, default: 50 } as const;

/** Every parameter not in `allowed` (nor a system parameter) is a violation. */
export function checkQueryNames(
  query: QueryValues,
  allowed: readonly string[],
  violations: FieldViolation[],
): void {
  const known = new Set<string>([...allowed, ...SYSTEM_QUERY_PARAMETERS]);
  for (const name of Object.keys(query)) {
    if (!known.has(name)) {
      violations.push({
        field: name,
        description: `is not a parameter of this request (allowed: ${allowed.join(', ') || 'none'}).`,
      });
    }
  }
}

/** The parameter's single value; a repeated parameter is a violation. */
export function singleValue(
  query: QueryValues,
  name: string,
  violations: FieldViolation[],
): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    violations.push({ field: name, description: 'must be given once.' });
    return undefined;
  }
  return value;
}

export function readPageSize(query: QueryValues, violations: FieldViolation[]): number {
  const raw = singleValue(query, 'pageSize', violations);
  if (raw === undefined) return PAGE_SIZE.default;
  const value = /^\d{1,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= PAGE_SIZE.min && value <= PAGE_SIZE.max)) {
    violations.push({
      field: 'pageSize',
      description: `must be a whole number from ${PAGE_SIZE.min} to ${PAGE_SIZE.max}.`,
    });
    return PAGE_SIZE.default;
  }
  return value;
}

export function readState(query: QueryValues, violations: FieldViolation[]): MessageState | undefined {
  const raw = singleValue(query, 'state', violations);
  if (raw === undefined) return undefined;
  if (!(MESSAGE_STATES as readonly string[]).includes(raw)) {
    violations.push({ field: 'state', description: `must be one of ${MESSAGE_STATES.join(', ')}.` });
    return undefined;
  }
  return raw as MessageState;
}

/** An RFC 3339 timestamp, to the nanosecond (nanoseconds since the epoch). */
export function readTimestamp(
  query: QueryValues,
  name: string,
  violations: FieldViolation[],
): bigint | undefined {
  const raw = singleValue(query, name, violations);
  if (raw === undefined) return undefined;
  const nanos = parseTimestampNanos(raw);
  if (nanos === undefined) {
    violations.push({
      field: name,
      description: 'must be an RFC 3339 timestamp such as "2030-01-31T09:00:00Z".',
    });
  }
  return nanos;
}

/** A non-empty parameter of at most `maxLength` characters. */
export function readText(
  query: QueryValues,
  name: string,
  maxLength: number,
  violations: FieldViolation[],
): string | undefined {
  const raw = singleValue(query, name, violations);
  if (raw === undefined) return undefined;
  if (raw === '' || raw.length > maxLength) {
    violations.push({ field: name, description: `must be 1 to ${maxLength} characters.` });
    return undefined;
  }
  return raw;
}
