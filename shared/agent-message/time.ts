/** RFC 3339 timestamps and protobuf Durations, to the nanosecond, as the AgentMessage expiration rules need. */
import { AGENT_MESSAGE_LIMITS } from './limits.js';
import { checkString, type Checker } from './checker.js';

export const NANOS_PER_SECOND = 1_000_000_000n;
export const NANOS_PER_MILLISECOND = 1_000_000n;
export const MAX_EXPIRATION_NANOS = BigInt(AGENT_MESSAGE_LIMITS.maxExpirationSeconds) * NANOS_PER_SECOND;

export const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** Nanoseconds since the Unix epoch of an RFC 3339 timestamp (Z or ±hh:mm offset), or undefined if invalid. */
export function parseTimestampNanos(text: string): bigint | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const part = (index: number): number => Number(match[index]);
  const [year, month, day, hour, minute, second] = [part(1), part(2), part(3), part(4), part(5), part(6)];
  const valid =
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59;
  if (!valid) return undefined;
  let offsetMinutes = 0;
  const sign = match[8];
  if (sign !== undefined) {
    const offsetHours = part(9);
    const offsetMins = part(10);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // unlike Date.UTC, keeps years 0001–0099 as they are
  date.setUTCHours(hour, minute - offsetMinutes, second, 0);
  const fraction = BigInt((match[7] ?? '').padEnd(9, '0'));
  return BigInt(date.getTime()) * NANOS_PER_MILLISECOND + fraction;
}

/** Nanoseconds of a protobuf JSON Duration in seconds (`"30s"`, `"3.5s"`), or undefined if invalid. */
export function parseDurationNanos(text: string): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,9}))?s$/.exec(text);
  if (match === null) return undefined;
  return BigInt(match[1] ?? '0') * NANOS_PER_SECOND + BigInt((match[2] ?? '').padEnd(9, '0'));
}

export function checkTimestamp(at: Checker, value: unknown, required: boolean): bigint | undefined {
  const text = checkString(at, value, { required });
  if (text === undefined) return undefined;
  const nanos = parseTimestampNanos(text);
  if (nanos === undefined) at.fail('must be an RFC 3339 timestamp such as "2030-01-31T09:00:00Z"');
  return nanos;
}
