/**
 * Validation of an RBM `AgentMessage` request body (CONTRACT §4 "send", `reference/rbm-api.md` §2).
 *
 * `validateAgentMessage` is pure and never throws: it walks the whole body and returns every violation at once
 * (an empty array means valid), each with a JSON path (`contentMessage.richCard.carouselCard.cardContents[2].title`)
 * and a human description, ready for a `google.rpc.BadRequest` `fieldViolations` list.
 *
 * Decisions:
 * - Strict: unknown fields are rejected at every level, not only at the top. Google's own JSON parser rejects
 *   unknown fields with 400 ("Cannot find field"), so a typo (`contentMesage`, `suggestion`) is caught here rather
 *   than at RBM after the record was written. snake_case spellings are rejected too, with a "did you mean" hint.
 * - Output-only fields (`name`, `sendTime`, the US billing fields) are rejected as "output only".
 * - The deprecated `fileName` content / media member and the removed `composeAction` are rejected with a
 *   description naming the replacement.
 * - Character limits count Unicode code points (`[...s].length`), so an emoji counts as one character.
 * - `text` must not be empty (RBM needs some content); suggestion `text` must be 1–25 characters.
 * - `postbackData` is optional for replies and actions (the reference marks neither as required) but at most 2048
 *   characters when set.
 * - `thumbnailImageAlignment` on a non-HORIZONTAL standalone card is accepted (RBM ignores it, and published
 *   payloads set it on VERTICAL cards); TALL media in a SMALL carousel is rejected.
 * - The size limit is 250 KB = 250 * 1000 bytes of the body re-serialized with `JSON.stringify` (UTF-8), reported on
 *   field `""` (the body itself; every other path is relative to the body, so the body is the empty path).
 * - `null` is not treated as "absent": a field set to `null` is reported with its expected type.
 * - Numbers must be JSON numbers (not numeric strings); durations and timestamps must be strings.
 */

import type { FieldViolation } from '../errors.js';
import type { AgentMessage } from './types.js';
import {
  ACTION_TYPES,
  CARD_ORIENTATIONS,
  CARD_WIDTHS,
  CONTENT_TYPES,
  MEDIA_HEIGHTS,
  MESSAGE_TRAFFIC_TYPES,
  OPEN_URL_APPLICATIONS,
  THUMBNAIL_IMAGE_ALIGNMENTS,
  WEBVIEW_VIEW_MODES,
} from './types.js';

/** Largest accepted body: 250 KB, taken as 250 * 1000 bytes of UTF-8 JSON (`JSON.stringify(body)`). */
export const MAX_AGENT_MESSAGE_BYTES = 250_000;

/** The numeric limits enforced by `validateAgentMessage` (characters are Unicode code points). */
export const AGENT_MESSAGE_LIMITS = {
  bodyBytes: MAX_AGENT_MESSAGE_BYTES,
  textChars: 3072,
  messageSuggestions: 11,
  cardSuggestions: 4,
  suggestionTextChars: 25,
  postbackDataChars: 2048,
  urlChars: 2048,
  cardTitleChars: 200,
  cardDescriptionChars: 2000,
  carouselMinCards: 2,
  carouselMaxCards: 10,
  calendarTitleChars: 100,
  calendarDescriptionChars: 500,
  /** 15 days, for both `ttl` and `expireTime` (from now). */
  maxExpirationSeconds: 15 * 24 * 60 * 60,
} as const;

export interface ValidateAgentMessageOptions {
  /** The current time, for `expireTime` checks (default `new Date()`). */
  now?: Date;
}

/** Every violation in `body` as an RBM AgentMessage request; empty when valid. Never throws. */
export function validateAgentMessage(
  body: unknown,
  options: ValidateAgentMessageOptions = {},
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const root = new Checker(violations, '');
  try {
    const now =
      options.now !== undefined && Number.isFinite(options.now.getTime()) ? options.now : new Date();
    const message = expectObject(root, body, 'must be a JSON object');
    if (message !== undefined) checkAgentMessage(root, message, now);
    checkSerializedSize(root, body);
  } catch {
    // Only reachable with exotic in-process input (throwing getters, proxies); JSON-parsed bodies never get here.
    root.fail('could not be validated');
  }
  return violations;
}

/** True when `validateAgentMessage` finds nothing wrong. */
export function isValidAgentMessage(
  body: unknown,
  options?: ValidateAgentMessageOptions,
): body is AgentMessage {
  return validateAgentMessage(body, options).length === 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Violation accumulator with a path prefix
// ---------------------------------------------------------------------------------------------------------------

class Checker {
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

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property (never one inherited from Object.prototype). */
function get(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isSet(object: JsonObject, key: string): boolean {
  return get(object, key) !== undefined;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A short rendering of a received value for descriptions. */
function preview(value: unknown): string {
  if (typeof value !== 'string') return typeName(value);
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}..."` : json;
}

function codePointLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

function expectObject(
  at: Checker,
  value: unknown,
  description = 'must be an object',
): JsonObject | undefined {
  if (isObject(value)) return value;
  at.fail(`${description} (got ${typeName(value)})`);
  return undefined;
}

/** Runs `check` on `value` when it is set; reports a missing required value or a non-object. */
function checkObject(
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
function checkFields(
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

function unknownFieldDescription(key: string, known: readonly string[]): string {
  const camel = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
  const hint = camel !== key && known.includes(camel) ? `; did you mean "${camel}"?` : '';
  const expected = known.length === 0 ? 'no fields are allowed here' : `known fields: ${known.join(', ')}`;
  return `is not a known field (${expected})${hint}`;
}

/**
 * Reports on `at` unless exactly one of `members` is set. `replacementSet` says that a rejected stand-in
 * (deprecated `fileName`, removed `composeAction`) was set and already reported, so "none set" is not repeated.
 */
function checkExactlyOne(
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

interface StringRule {
  required?: boolean;
  minChars?: number;
  maxChars?: number;
}

/** Type and length checks; returns the string when it is one (even if too long), for further checks. */
function checkString(at: Checker, value: unknown, rule: StringRule = {}): string | undefined {
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

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function checkEnum<T extends string>(at: Checker, value: unknown, values: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (isOneOf(values, value)) return value;
  at.fail(`must be one of ${values.join(', ')} (got ${preview(value)})`);
  return undefined;
}

function checkBoolean(at: Checker, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean')
    at.fail(`must be a boolean (got ${typeName(value)})`);
}

function checkNumber(at: Checker, value: unknown, min: number, max: number): void {
  if (value === undefined) {
    at.fail('is required');
  } else if (typeof value !== 'number' || !Number.isFinite(value)) {
    at.fail(`must be a number (got ${typeName(value)})`);
  } else if (value < min || value > max) {
    at.fail(`must be between ${min} and ${max} (got ${value})`);
  }
}

interface ArrayRule {
  required?: boolean;
  min?: number;
  max?: number;
  /** What the items are, for descriptions ("suggestions", "cards"). */
  noun: string;
}

function checkArray(at: Checker, value: unknown, rule: ArrayRule): unknown[] | undefined {
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
// URLs, timestamps, durations
// ---------------------------------------------------------------------------------------------------------------

function isHttpUrl(text: string): boolean {
  if (!/^https?:\/\/\S+$/i.test(text) || !URL.canParse(text)) return false;
  return new URL(text).hostname !== '';
}

/** An absolute RFC 3986 URI: a scheme, a colon, and no whitespace. */
function isAbsoluteUri(text: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(text) && URL.canParse(text);
}

function checkHttpUrl(at: Checker, value: unknown, required: boolean): void {
  const url = checkString(at, value, { required, maxChars: AGENT_MESSAGE_LIMITS.urlChars });
  if (url !== undefined && !isHttpUrl(url)) at.fail('must be an absolute http or https URL');
}

const NANOS_PER_SECOND = 1_000_000_000n;
const NANOS_PER_MILLISECOND = 1_000_000n;
const MAX_EXPIRATION_NANOS = BigInt(AGENT_MESSAGE_LIMITS.maxExpirationSeconds) * NANOS_PER_SECOND;

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
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

function checkTimestamp(at: Checker, value: unknown, required: boolean): bigint | undefined {
  const text = checkString(at, value, { required });
  if (text === undefined) return undefined;
  const nanos = parseTimestampNanos(text);
  if (nanos === undefined) at.fail('must be an RFC 3339 timestamp such as "2030-01-31T09:00:00Z"');
  return nanos;
}

// ---------------------------------------------------------------------------------------------------------------
// AgentMessage
// ---------------------------------------------------------------------------------------------------------------

const OUTPUT_ONLY = 'is output only and must not be set in a request';
const OUTPUT_ONLY_FIELDS: Readonly<Record<string, string>> = {
  name: OUTPUT_ONLY,
  sendTime: OUTPUT_ONLY,
  richMessageClassification: OUTPUT_ONLY,
  totalPayloadSizeBytes: OUTPUT_ONLY,
  carrier: OUTPUT_ONLY,
};
const DEPRECATED_FILE_NAME =
  'is deprecated and not accepted; use uploadedRbmFile { fileName, thumbnailName }';

function checkAgentMessage(at: Checker, message: JsonObject, now: Date): void {
  checkFields(at, message, ['contentMessage', 'messageTrafficType', 'ttl', 'expireTime'], OUTPUT_ONLY_FIELDS);
  checkObject(at.at('contentMessage'), get(message, 'contentMessage'), checkContentMessage, true);
  checkEnum(at.at('messageTrafficType'), get(message, 'messageTrafficType'), MESSAGE_TRAFFIC_TYPES);
  checkExpiration(at, message, now);
}

function checkExpiration(at: Checker, message: JsonObject, now: Date): void {
  if (isSet(message, 'ttl') && isSet(message, 'expireTime')) {
    at.at('expireTime').fail('must not be set together with ttl (set at most one of ttl, expireTime)');
  }

  const ttlAt = at.at('ttl');
  const ttl = checkString(ttlAt, get(message, 'ttl'));
  if (ttl !== undefined) {
    const nanos = parseDurationNanos(ttl);
    if (nanos === undefined) {
      ttlAt.fail('must be a duration in seconds such as "30s" or "3.5s" (at most 9 fractional digits)');
    } else if (nanos <= 0n) {
      ttlAt.fail('must be greater than 0s');
    } else if (nanos > MAX_EXPIRATION_NANOS) {
      ttlAt.fail(`must be at most 15 days (${AGENT_MESSAGE_LIMITS.maxExpirationSeconds}s)`);
    }
  }

  const expireAt = at.at('expireTime');
  const expireNanos = checkTimestamp(expireAt, get(message, 'expireTime'), false);
  if (expireNanos !== undefined) {
    const nowNanos = BigInt(now.getTime()) * NANOS_PER_MILLISECOND;
    if (expireNanos <= nowNanos) {
      expireAt.fail('must be in the future');
    } else if (expireNanos - nowNanos > MAX_EXPIRATION_NANOS) {
      expireAt.fail('must be at most 15 days from now');
    }
  }
}

function checkContentMessage(at: Checker, content: JsonObject): void {
  checkFields(at, content, ['suggestions', ...CONTENT_TYPES], { fileName: DEPRECATED_FILE_NAME });
  checkExactlyOne(at, content, CONTENT_TYPES, isSet(content, 'fileName'));
  checkString(at.at('text'), get(content, 'text'), { minChars: 1, maxChars: AGENT_MESSAGE_LIMITS.textChars });
  checkObject(at.at('richCard'), get(content, 'richCard'), checkRichCard);
  checkObject(at.at('contentInfo'), get(content, 'contentInfo'), checkContentInfo);
  checkObject(at.at('uploadedRbmFile'), get(content, 'uploadedRbmFile'), checkUploadedRbmFile);
  checkSuggestions(
    at.at('suggestions'),
    get(content, 'suggestions'),
    AGENT_MESSAGE_LIMITS.messageSuggestions,
  );
}

function checkSerializedSize(at: Checker, body: unknown): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch {
    at.fail('must be serializable as JSON');
    return;
  }
  if (json === undefined) return; // undefined / function bodies: already reported as "must be a JSON object"
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_AGENT_MESSAGE_BYTES) {
    at.fail(`must be at most 250 KB (${MAX_AGENT_MESSAGE_BYTES} bytes of UTF-8 JSON; got ${bytes} bytes)`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Files and media
// ---------------------------------------------------------------------------------------------------------------

function checkContentInfo(at: Checker, info: JsonObject): void {
  checkFields(at, info, ['fileUrl', 'thumbnailUrl', 'forceRefresh']);
  checkHttpUrl(at.at('fileUrl'), get(info, 'fileUrl'), true);
  checkHttpUrl(at.at('thumbnailUrl'), get(info, 'thumbnailUrl'), false);
  checkBoolean(at.at('forceRefresh'), get(info, 'forceRefresh'));
}

function checkFileResourceName(at: Checker, value: unknown, required: boolean): void {
  const name = checkString(at, value, { required });
  if (name !== undefined && !/^files\/\S+$/.test(name)) {
    at.fail('must be a file name returned by files.create, such as "files/abc123"');
  }
}

function checkUploadedRbmFile(at: Checker, file: JsonObject): void {
  checkFields(at, file, ['fileName', 'thumbnailName']);
  checkFileResourceName(at.at('fileName'), get(file, 'fileName'), true);
  checkFileResourceName(at.at('thumbnailName'), get(file, 'thumbnailName'), false);
}

function checkMedia(at: Checker, media: JsonObject, carouselWidth: string | undefined): void {
  checkFields(at, media, ['height', 'contentInfo', 'uploadedRbmFile'], { fileName: DEPRECATED_FILE_NAME });
  checkExactlyOne(at, media, ['contentInfo', 'uploadedRbmFile'], isSet(media, 'fileName'));
  const height = checkEnum(at.at('height'), get(media, 'height'), MEDIA_HEIGHTS);
  if (height === 'TALL' && carouselWidth === 'SMALL') {
    at.at('height').fail('must not be TALL in a carousel whose cardWidth is SMALL');
  }
  checkObject(at.at('contentInfo'), get(media, 'contentInfo'), checkContentInfo);
  checkObject(at.at('uploadedRbmFile'), get(media, 'uploadedRbmFile'), checkUploadedRbmFile);
}

// ---------------------------------------------------------------------------------------------------------------
// Rich cards
// ---------------------------------------------------------------------------------------------------------------

function checkRichCard(at: Checker, card: JsonObject): void {
  checkFields(at, card, ['standaloneCard', 'carouselCard']);
  checkExactlyOne(at, card, ['standaloneCard', 'carouselCard']);
  checkObject(at.at('standaloneCard'), get(card, 'standaloneCard'), checkStandaloneCard);
  checkObject(at.at('carouselCard'), get(card, 'carouselCard'), checkCarouselCard);
}

function checkStandaloneCard(at: Checker, card: JsonObject): void {
  checkFields(at, card, ['cardOrientation', 'thumbnailImageAlignment', 'cardContent']);
  checkEnum(at.at('cardOrientation'), get(card, 'cardOrientation'), CARD_ORIENTATIONS);
  checkEnum(
    at.at('thumbnailImageAlignment'),
    get(card, 'thumbnailImageAlignment'),
    THUMBNAIL_IMAGE_ALIGNMENTS,
  );
  checkObject(
    at.at('cardContent'),
    get(card, 'cardContent'),
    (contentAt, content) => checkCardContent(contentAt, content, undefined),
    true,
  );
}

function checkCarouselCard(at: Checker, card: JsonObject): void {
  checkFields(at, card, ['cardWidth', 'cardContents']);
  const width = checkEnum(at.at('cardWidth'), get(card, 'cardWidth'), CARD_WIDTHS);
  const contentsAt = at.at('cardContents');
  const contents = checkArray(contentsAt, get(card, 'cardContents'), {
    required: true,
    min: AGENT_MESSAGE_LIMITS.carouselMinCards,
    max: AGENT_MESSAGE_LIMITS.carouselMaxCards,
    noun: 'cards',
  });
  contents?.forEach((content, index) =>
    checkObject(
      contentsAt.item(index),
      content,
      (itemAt, item) => checkCardContent(itemAt, item, width),
      true,
    ),
  );
}

function checkCardContent(at: Checker, content: JsonObject, carouselWidth: string | undefined): void {
  checkFields(at, content, ['title', 'description', 'media', 'suggestions']);
  const hasText = (key: string): boolean => isSet(content, key) && get(content, key) !== '';
  if (!isSet(content, 'media') && !hasText('title') && !hasText('description')) {
    at.fail('must set at least one of media, title, description');
  }
  checkString(at.at('title'), get(content, 'title'), { maxChars: AGENT_MESSAGE_LIMITS.cardTitleChars });
  checkString(at.at('description'), get(content, 'description'), {
    maxChars: AGENT_MESSAGE_LIMITS.cardDescriptionChars,
  });
  checkObject(at.at('media'), get(content, 'media'), (mediaAt, media) =>
    checkMedia(mediaAt, media, carouselWidth),
  );
  checkSuggestions(at.at('suggestions'), get(content, 'suggestions'), AGENT_MESSAGE_LIMITS.cardSuggestions);
}

// ---------------------------------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------------------------------

function checkSuggestions(at: Checker, value: unknown, max: number): void {
  const suggestions = checkArray(at, value, { max, noun: 'suggestions' });
  suggestions?.forEach((suggestion, index) => checkObject(at.item(index), suggestion, checkSuggestion, true));
}

function checkSuggestion(at: Checker, suggestion: JsonObject): void {
  checkFields(at, suggestion, ['reply', 'action']);
  checkExactlyOne(at, suggestion, ['reply', 'action']);
  checkObject(at.at('reply'), get(suggestion, 'reply'), checkReply);
  checkObject(at.at('action'), get(suggestion, 'action'), checkAction);
}

function checkSuggestionTexts(at: Checker, suggestion: JsonObject): void {
  checkString(at.at('text'), get(suggestion, 'text'), {
    required: true,
    minChars: 1,
    maxChars: AGENT_MESSAGE_LIMITS.suggestionTextChars,
  });
  checkString(at.at('postbackData'), get(suggestion, 'postbackData'), {
    maxChars: AGENT_MESSAGE_LIMITS.postbackDataChars,
  });
}

function checkReply(at: Checker, reply: JsonObject): void {
  checkFields(at, reply, ['text', 'postbackData']);
  checkSuggestionTexts(at, reply);
}

const COMPOSE_REMOVED = 'is no longer supported: Google removed the compose action from RBM';

function checkAction(at: Checker, action: JsonObject): void {
  checkFields(at, action, ['text', 'postbackData', 'fallbackUrl', ...ACTION_TYPES], {
    composeAction: COMPOSE_REMOVED,
  });
  checkExactlyOne(at, action, ACTION_TYPES, isSet(action, 'composeAction'));
  checkSuggestionTexts(at, action);

  const fallbackAt = at.at('fallbackUrl');
  const fallbackUrl = checkString(fallbackAt, get(action, 'fallbackUrl'), {
    maxChars: AGENT_MESSAGE_LIMITS.urlChars,
  });
  if (fallbackUrl !== undefined && !isAbsoluteUri(fallbackUrl)) fallbackAt.fail('must be an absolute URI');

  checkObject(at.at('dialAction'), get(action, 'dialAction'), checkDialAction);
  checkObject(at.at('viewLocationAction'), get(action, 'viewLocationAction'), checkViewLocationAction);
  checkObject(
    at.at('createCalendarEventAction'),
    get(action, 'createCalendarEventAction'),
    checkCreateCalendarEventAction,
  );
  checkObject(at.at('openUrlAction'), get(action, 'openUrlAction'), checkOpenUrlAction);
  checkObject(at.at('shareLocationAction'), get(action, 'shareLocationAction'), (shareAt, share) =>
    checkFields(shareAt, share, []),
  );
}

function checkDialAction(at: Checker, dial: JsonObject): void {
  checkFields(at, dial, ['phoneNumber']);
  const numberAt = at.at('phoneNumber');
  const phoneNumber = checkString(numberAt, get(dial, 'phoneNumber'), { required: true, minChars: 1 });
  if (phoneNumber !== undefined && phoneNumber !== '' && !/^[0-9+*#]+$/.test(phoneNumber)) {
    numberAt.fail('must contain only digits, "+", "*" and "#"');
  }
}

function checkViewLocationAction(at: Checker, view: JsonObject): void {
  checkFields(at, view, ['latLong', 'label', 'query']);
  const hasLatLong = isSet(view, 'latLong');
  const hasQuery = isSet(view, 'query');
  if (hasLatLong === hasQuery) {
    at.fail(
      `must set either latLong (with an optional label) or query (${hasLatLong ? 'both are set' : 'none is set'})`,
    );
  }
  if (isSet(view, 'label') && !hasLatLong) at.at('label').fail('is only allowed together with latLong');
  checkObject(at.at('latLong'), get(view, 'latLong'), checkLatLng);
  checkString(at.at('label'), get(view, 'label'));
  checkString(at.at('query'), get(view, 'query'), { minChars: 1 });
}

function checkLatLng(at: Checker, latLong: JsonObject): void {
  checkFields(at, latLong, ['latitude', 'longitude']);
  checkNumber(at.at('latitude'), get(latLong, 'latitude'), -90, 90);
  checkNumber(at.at('longitude'), get(latLong, 'longitude'), -180, 180);
}

function checkCreateCalendarEventAction(at: Checker, event: JsonObject): void {
  checkFields(at, event, ['startTime', 'endTime', 'title', 'description']);
  const start = checkTimestamp(at.at('startTime'), get(event, 'startTime'), true);
  const end = checkTimestamp(at.at('endTime'), get(event, 'endTime'), true);
  if (start !== undefined && end !== undefined && end <= start)
    at.at('endTime').fail('must be after startTime');
  checkString(at.at('title'), get(event, 'title'), {
    required: true,
    minChars: 1,
    maxChars: AGENT_MESSAGE_LIMITS.calendarTitleChars,
  });
  checkString(at.at('description'), get(event, 'description'), {
    maxChars: AGENT_MESSAGE_LIMITS.calendarDescriptionChars,
  });
}

function checkOpenUrlAction(at: Checker, open: JsonObject): void {
  checkFields(at, open, ['url', 'application', 'webviewViewMode', 'description']);
  checkHttpUrl(at.at('url'), get(open, 'url'), true);
  checkEnum(at.at('application'), get(open, 'application'), OPEN_URL_APPLICATIONS);
  checkEnum(at.at('webviewViewMode'), get(open, 'webviewViewMode'), WEBVIEW_VIEW_MODES);
  checkString(at.at('description'), get(open, 'description'));
}
