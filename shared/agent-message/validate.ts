/**
 * Validation of an RBM `AgentMessage` request body (docs/http-api.md#send).
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
import type { JsonObject } from '../json-values.js';
import type { AgentMessage } from './types.js';
import {
  Checker,
  get,
  isSet,
  expectObject,
  checkObject,
  checkFields,
  checkExactlyOne,
  checkString,
  checkEnum,
  checkBoolean,
  checkNumber,
  checkArray,
  isAbsoluteUri,
  checkHttpUrl,
} from './checker.js';
import { NANOS_PER_MILLISECOND, MAX_EXPIRATION_NANOS, parseDurationNanos, checkTimestamp } from './time.js';
import { AGENT_MESSAGE_LIMITS, MAX_AGENT_MESSAGE_BYTES } from './limits.js';
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
