/**
 * Last line of defence for log privacy: whatever a caller passes, phone numbers are masked and secrets
 * dropped before a line is written, at any depth of the value. The walk uses its own stack (no recursion),
 * so a deep value cannot overflow the call stack, and a reference cycle becomes a marker instead of a loop.
 */
import { maskPhone } from '../phone.js';

/**
 * E.164 numbers in free text, also URL-encoded (`%2B…`, or `%252B…` encoded twice), as in request paths. No
 * word boundary after the digits: `+15551234567_x` or `+15551234567abc` must be masked too.
 */
const PHONE_IN_TEXT = /(?:\+|%2B|%252B)\d{7,}/gi;
/** Fields whose whole value is a phone number. */
const PHONE_KEY = /(phone|msisdn|sender)/i;
/**
 * Fields that must never be logged at all: secrets and keys (`key`, `apiKey`, `x-api-key`, `privateKey`), and
 * message content (text, rich-card titles and descriptions, suggestion postback data).
 */
const SECRET_KEY =
  /(token|secret|password|authorization|private[-_]?key|api[-_]?key|access[-_]?key|^key$|credential|signature|^text$|^body$|^title$|^description$|postback[-_]?data)/i;

export const REDACTED = '[redacted]';
/** Stands for an object that contains itself (JSON cannot express it). */
export const CIRCULAR = '[circular]';

function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => maskPhone(match.replace(/^%(?:25)?2B/i, '+')));
}

/** Path segments that hold a phone number in this API's routes (`/phones/{E.164}`, `/consents/{E.164}`). */
const PHONE_SEGMENT_AFTER = new Set(['phones', 'consents']);

/**
 * A request URL (path and query) fit for a log line: phone numbers masked wherever they are (also without
 * their `+`, where the route puts a phone), and query parameters that carry a secret, a key or a page token
 * replaced. The structure stays readable: `/v1/phones/+*******4567/agentMessages?pageToken=[redacted]`.
 */
export function redactRequestUrl(url: string): string {
  const queryAt = url.indexOf('?');
  const path = queryAt < 0 ? url : url.slice(0, queryAt);
  const segments = path.split('/');
  const maskedPath = segments
    .map((segment, i) =>
      i > 0 && PHONE_SEGMENT_AFTER.has(segments[i - 1] ?? '') && /\d/.test(segment)
        ? maskPhone(safeDecode(segment, false))
        : maskPhonesInText(segment),
    )
    .join('/');
  if (queryAt < 0) return maskedPath;
  const query = url
    .slice(queryAt + 1)
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      if (equals < 0) return maskPhonesInText(part);
      const name = part.slice(0, equals);
      const decoded = safeDecode(name, true);
      if (SECRET_KEY.test(decoded)) return `${name}=${REDACTED}`;
      if (PHONE_KEY.test(decoded)) return `${name}=${maskPhone(safeDecode(part.slice(equals + 1), true))}`;
      return maskPhonesInText(part);
    })
    .join('&');
  return `${maskedPath}?${query}`;
}

/** Percent-decoded; in a query (`form`) a `+` stands for a space, as browsers encode forms. */
function safeDecode(text: string, form: boolean): string {
  try {
    return decodeURIComponent(form ? text.replace(/\+/g, ' ') : text);
  } catch {
    return text;
  }
}

type Container = Record<string, unknown> | unknown[];

/** One object being copied: its source, the copy, and the entries still to visit. */
interface Frame {
  source: object;
  copy: Container;
  entries: Array<[string, unknown]>;
  next: number;
}

/** What JSON.stringify would serialise for `value` (it honours `toJSON`, as Dates have). */
function serialisable(value: object): unknown {
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? (toJSON as () => unknown).call(value) : value;
}

/** The redacted value of a field named `key` (or of an array item, `key` undefined), or a frame to descend. */
function redactEntry(key: string | undefined, item: unknown): { value: unknown } | { object: object } {
  if (key !== undefined && SECRET_KEY.test(key)) return { value: REDACTED };
  if (key !== undefined && PHONE_KEY.test(key) && typeof item === 'string') return { value: maskPhone(item) };
  const plain = typeof item === 'object' && item !== null ? serialisable(item) : item;
  if (typeof plain === 'string') return { value: maskPhonesInText(plain) };
  if (typeof plain !== 'object' || plain === null) return { value: plain };
  return { object: plain };
}

function open(source: object): Frame {
  const isArray = Array.isArray(source);
  return {
    source,
    copy: isArray ? [] : {},
    entries: isArray ? source.map((item, i) => [String(i), item]) : Object.entries(source),
    next: 0,
  };
}

/** A copy of `value` with phone numbers masked and secret or content fields replaced, at any depth. */
export function redact(value: unknown): unknown {
  const top = redactEntry(undefined, value);
  if ('value' in top) return top.value;
  const root = open(top.object);
  const stack: Frame[] = [root];
  /** The objects on the path from the root to the current frame: meeting one again is a cycle. */
  const onPath = new Set<object>([top.object]);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    const entry = frame.entries[frame.next++];
    if (entry === undefined) {
      stack.pop();
      onPath.delete(frame.source);
      continue;
    }
    const [key, item] = entry;
    const result = redactEntry(Array.isArray(frame.copy) ? undefined : key, item);
    let copied: unknown;
    if ('value' in result) copied = result.value;
    else if (onPath.has(result.object)) copied = CIRCULAR;
    else {
      const child = open(result.object);
      onPath.add(result.object);
      stack.push(child);
      copied = child.copy;
    }
    if (Array.isArray(frame.copy)) frame.copy.push(copied);
    else frame.copy[key] = copied;
  }
  return root.copy;
}
