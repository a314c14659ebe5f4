import { describe, it, expect } from 'vitest';
import type { FieldViolation } from '../../shared/errors.js';
import { contentTypeOf } from '../../shared/agent-message/content-type.js';
import type { AgentMessage, ContentType } from '../../shared/agent-message/types.js';
import {
  CARD_ORIENTATIONS,
  CARD_WIDTHS,
  MEDIA_HEIGHTS,
  MESSAGE_TRAFFIC_TYPES,
  OPEN_URL_APPLICATIONS,
  THUMBNAIL_IMAGE_ALIGNMENTS,
  WEBVIEW_VIEW_MODES,
} from '../../shared/agent-message/types.js';
import { AGENT_MESSAGE_LIMITS, MAX_AGENT_MESSAGE_BYTES } from '../../shared/agent-message/limits.js';
import { parseDurationNanos, parseTimestampNanos } from '../../shared/agent-message/time.js';
import { isValidAgentMessage, validateAgentMessage } from '../../shared/agent-message/validate.js';

// ---------------------------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

const NOW = new Date('2030-01-01T00:00:00.000Z');
const DAY = 24 * 60 * 60;

const validate = (body: unknown): FieldViolation[] => validateAgentMessage(body, { now: NOW });
/** The reported fields, sorted (the order of violations is not part of the contract). */
const fieldsOf = (body: unknown): string[] =>
  validate(body)
    .map((violation) => violation.field)
    .sort();

/** `n` characters (Unicode code points) of `unit`. */
const chars = (n: number, unit = 'a'): string => unit.repeat(n);
const EMOJI = '😀'; // one code point, two UTF-16 units, four UTF-8 bytes
/** An https URL of exactly `n` characters. */
const urlOfLength = (n: number): string => {
  const prefix = 'https://example.com/';
  return prefix + chars(n - prefix.length);
};
/** An RFC 3339 timestamp `seconds` after NOW. */
const afterNow = (seconds: number): string => new Date(NOW.getTime() + seconds * 1000).toISOString();

const FILE_URL = 'https://example.com/image.png';

const textMessage = (text: string, extra: Json = {}): Json => ({ contentMessage: { text, ...extra } });
const withContent = (content: Json, extra: Json = {}): Json => ({ contentMessage: content, ...extra });

const reply = (text = 'Yes', postbackData = 'yes'): Json => ({ reply: { text, postbackData } });
const action = (kind: Json, extra: Json = {}): Json => ({
  action: { text: 'Do it', postbackData: 'do_it', ...kind, ...extra },
});
const replies = (n: number): Json[] =>
  Array.from({ length: n }, (_, i) => reply(`Option ${i}`, `option_${i}`));
const withSuggestions = (suggestions: unknown[]): Json => textMessage('Pick one', { suggestions });

const media = (extra: Json = {}): Json => ({
  height: 'MEDIUM',
  contentInfo: { fileUrl: FILE_URL },
  ...extra,
});
const card = (extra: Json = {}): Json => ({
  title: 'Title',
  description: 'Description',
  media: media(),
  ...extra,
});
const cards = (n: number): Json[] => Array.from({ length: n }, (_, i) => card({ title: `Card ${i}` }));

const standalone = (cardContent: Json, extra: Json = {}): Json =>
  withContent({ richCard: { standaloneCard: { cardOrientation: 'VERTICAL', cardContent, ...extra } } });
const carousel = (cardContents: unknown[], extra: Json = {}): Json =>
  withContent({ richCard: { carouselCard: { cardWidth: 'MEDIUM', cardContents, ...extra } } });

const STANDALONE = 'contentMessage.richCard.standaloneCard';
const CAROUSEL = 'contentMessage.richCard.carouselCard';
const CHIP = 'contentMessage.suggestions[0]';

/** A valid body whose `JSON.stringify` is exactly `targetBytes` UTF-8 bytes (filled through postbackData). */
function bodyOfBytes(targetBytes: number): Json {
  const slots: { text: string; postbackData: string }[] = [];
  const slot = (): Json => {
    const filler = { text: 'ok', postbackData: '' };
    slots.push(filler);
    return { reply: filler };
  };
  const body = withContent({
    richCard: {
      carouselCard: {
        cardWidth: 'MEDIUM',
        cardContents: Array.from({ length: 10 }, (_, i) => ({
          title: `Card ${i}`,
          suggestions: Array.from({ length: 4 }, slot),
        })),
      },
    },
    suggestions: Array.from({ length: 11 }, slot),
  });
  let remaining = targetBytes - Buffer.byteLength(JSON.stringify(body), 'utf8');
  for (const filler of slots) {
    const max = AGENT_MESSAGE_LIMITS.postbackDataChars;
    const emoji = Math.min(max, Math.floor(remaining / 4));
    const ascii = Math.min(max - emoji, remaining - emoji * 4);
    filler.postbackData = chars(emoji, EMOJI) + chars(ascii);
    remaining -= emoji * 4 + ascii;
  }
  if (remaining !== 0) throw new Error(`cannot build a body of ${targetBytes} bytes`);
  return body;
}

interface Case {
  name: string;
  body: unknown;
  /** The fields expected in the violations; empty = valid. */
  fields: string[];
}

const runCases = (cases: Case[]): void => {
  it.each(cases)('$name', ({ body, fields }) => {
    expect(fieldsOf(body)).toEqual([...fields].sort());
  });
};

// ---------------------------------------------------------------------------------------------------------------
// Valid examples
// ---------------------------------------------------------------------------------------------------------------

describe('valid messages of every content kind', () => {
  const examples: { name: string; body: Json; type: ContentType }[] = [
    { name: 'text', body: textMessage('Hello!'), type: 'text' },
    {
      name: 'text with everything optional',
      body: textMessage('Your code is 123456', { suggestions: [reply()] }),
      type: 'text',
    },
    {
      name: 'standalone rich card (horizontal, uploaded media)',
      body: standalone(
        card({
          media: { height: 'TALL', uploadedRbmFile: { fileName: 'files/abc', thumbnailName: 'files/def' } },
        }),
        { cardOrientation: 'HORIZONTAL', thumbnailImageAlignment: 'LEFT' },
      ),
      type: 'richCard',
    },
    {
      name: 'standalone card with only a title',
      body: standalone({ title: 'Just a title', suggestions: replies(4) }),
      type: 'richCard',
    },
    { name: 'standalone card with only media', body: standalone({ media: media() }), type: 'richCard' },
    {
      name: 'VERTICAL card with a thumbnail alignment (ignored by RBM, accepted)',
      body: standalone(card(), { thumbnailImageAlignment: 'RIGHT' }),
      type: 'richCard',
    },
    { name: 'carousel', body: carousel(cards(3), { cardWidth: 'SMALL' }), type: 'richCard' },
    {
      name: 'contentInfo',
      body: withContent({
        contentInfo: { fileUrl: FILE_URL, thumbnailUrl: 'http://example.com/t.jpg', forceRefresh: false },
      }),
      type: 'contentInfo',
    },
    {
      name: 'uploadedRbmFile',
      body: withContent({ uploadedRbmFile: { fileName: 'files/xyz-123' } }),
      type: 'uploadedRbmFile',
    },
  ];

  it.each(examples)('$name', ({ body, type }) => {
    expect(validate(body)).toEqual([]);
    if (!isValidAgentMessage(body, { now: NOW })) throw new Error('expected a valid message');
    expect(contentTypeOf(body)).toBe(type);
  });

  it.each([
    ['ttl', { messageTrafficType: 'TRANSACTION', ttl: '3.5s' }],
    ['expireTime', { messageTrafficType: 'AUTHENTICATION', expireTime: afterNow(60) }],
  ])('top-level %s and messageTrafficType', (_name, extra) => {
    expect(validate({ ...textMessage('Hi'), ...extra })).toEqual([]);
  });

  it('accepts a typed AgentMessage literal', () => {
    const message: AgentMessage = {
      contentMessage: {
        richCard: {
          carouselCard: {
            cardWidth: 'MEDIUM',
            cardContents: [
              { title: 'A', suggestions: [{ reply: { text: 'a', postbackData: 'a' } }] },
              { media: { height: 'SHORT', contentInfo: { fileUrl: FILE_URL } } },
            ],
          },
        },
        suggestions: [
          { action: { text: 'Call', postbackData: 'call', dialAction: { phoneNumber: '+15551234567' } } },
        ],
      },
      messageTrafficType: 'PROMOTION',
      ttl: '86400s',
    };
    expect(validate(message)).toEqual([]);
    expect(contentTypeOf(message)).toBe('richCard');
  });

  it('types allow only one content kind', () => {
    // @ts-expect-error text and contentInfo together
    const twoKinds: AgentMessage = { contentMessage: { text: 'a', contentInfo: { fileUrl: FILE_URL } } };
    // @ts-expect-error ttl and expireTime together
    const twoExpirations: AgentMessage = {
      contentMessage: { text: 'a' },
      ttl: '1s',
      expireTime: afterNow(1),
    };
    expect(fieldsOf(twoKinds)).toEqual(['contentMessage']);
    expect(fieldsOf(twoExpirations)).toEqual(['expireTime']);
  });
});

describe('valid examples of every action type', () => {
  const actions: [string, Json][] = [
    ['dialAction', { dialAction: { phoneNumber: '+15551234567' } }],
    ['dialAction with * and #', { dialAction: { phoneNumber: '*#123#' } }],
    [
      'viewLocationAction latLong',
      { viewLocationAction: { latLong: { latitude: 37.4, longitude: -122.1 } } },
    ],
    [
      'viewLocationAction latLong + label',
      { viewLocationAction: { latLong: { latitude: -90, longitude: 180 }, label: 'Googleplex' } },
    ],
    ['viewLocationAction query', { viewLocationAction: { query: 'Googleplex, Mountain View' } }],
    [
      'createCalendarEventAction',
      {
        createCalendarEventAction: {
          startTime: '2030-02-01T09:00:00Z',
          endTime: '2030-02-01T10:00:00.5+01:00',
          title: 'Appointment',
          description: 'Bring your card',
        },
      },
    ],
    ['openUrlAction', { openUrlAction: { url: 'https://example.com/a?b=c' } }],
    [
      'openUrlAction webview',
      {
        openUrlAction: {
          url: 'http://example.com',
          application: 'WEBVIEW',
          webviewViewMode: 'HALF',
          description: 'Opens the form',
        },
      },
    ],
    ['shareLocationAction', { shareLocationAction: {} }],
    ['with a fallbackUrl', { shareLocationAction: {}, fallbackUrl: 'https://example.com/fallback' }],
    ['with a non-http fallbackUrl', { dialAction: { phoneNumber: '123' }, fallbackUrl: 'tel:+15551234567' }],
  ];

  it.each(actions)('%s, as a message chip and as a card suggestion', (_name, kind) => {
    expect(validate(withSuggestions([action(kind)]))).toEqual([]);
    expect(validate(standalone(card({ suggestions: [action(kind)] })))).toEqual([]);
  });

  it('accepts a reply and an action without postbackData', () => {
    expect(
      validate(
        withSuggestions([{ reply: { text: 'a' } }, { action: { text: 'b', shareLocationAction: {} } }]),
      ),
    ).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bounds: one case each side
// ---------------------------------------------------------------------------------------------------------------

describe('bounds', () => {
  describe('text', () => {
    runCases([
      { name: '1 character', body: textMessage('a'), fields: [] },
      { name: 'empty', body: textMessage(''), fields: ['contentMessage.text'] },
      { name: '3072 characters', body: textMessage(chars(3072)), fields: [] },
      { name: '3073 characters', body: textMessage(chars(3073)), fields: ['contentMessage.text'] },
      { name: '3072 emoji (counted as 3072 characters)', body: textMessage(chars(3072, EMOJI)), fields: [] },
      { name: '3073 emoji', body: textMessage(chars(3073, EMOJI)), fields: ['contentMessage.text'] },
    ]);

    it('a 3072-emoji text is 6144 UTF-16 units and still valid', () => {
      const text = chars(3072, EMOJI);
      expect(text.length).toBe(6144);
      expect([...text].length).toBe(3072);
      expect(validate(textMessage(text))).toEqual([]);
    });

    it('describes the limit', () => {
      expect(validate(textMessage(chars(3073)))).toEqual([
        { field: 'contentMessage.text', description: 'must be at most 3072 characters (got 3073)' },
      ]);
    });
  });

  describe('message suggestions', () => {
    runCases([
      { name: '11 chips', body: withSuggestions(replies(11)), fields: [] },
      { name: '12 chips', body: withSuggestions(replies(12)), fields: ['contentMessage.suggestions'] },
      { name: 'no chips (empty array)', body: withSuggestions([]), fields: [] },
    ]);
  });

  describe('suggestion text and postbackData', () => {
    runCases([
      { name: 'reply text 25', body: withSuggestions([reply(chars(25))]), fields: [] },
      { name: 'reply text 26', body: withSuggestions([reply(chars(26))]), fields: [`${CHIP}.reply.text`] },
      { name: 'reply text 25 emoji', body: withSuggestions([reply(chars(25, EMOJI))]), fields: [] },
      { name: 'reply text empty', body: withSuggestions([reply('')]), fields: [`${CHIP}.reply.text`] },
      {
        name: 'reply text missing',
        body: withSuggestions([{ reply: { postbackData: 'x' } }]),
        fields: [`${CHIP}.reply.text`],
      },
      { name: 'reply postbackData 2048', body: withSuggestions([reply('a', chars(2048))]), fields: [] },
      {
        name: 'reply postbackData 2049',
        body: withSuggestions([reply('a', chars(2049))]),
        fields: [`${CHIP}.reply.postbackData`],
      },
      {
        name: 'action text 25',
        body: withSuggestions([action({ shareLocationAction: {} }, { text: chars(25) })]),
        fields: [],
      },
      {
        name: 'action text 26',
        body: withSuggestions([action({ shareLocationAction: {} }, { text: chars(26) })]),
        fields: [`${CHIP}.action.text`],
      },
      {
        name: 'action postbackData 2048',
        body: withSuggestions([action({ shareLocationAction: {} }, { postbackData: chars(2048) })]),
        fields: [],
      },
      {
        name: 'action postbackData 2049',
        body: withSuggestions([action({ shareLocationAction: {} }, { postbackData: chars(2049) })]),
        fields: [`${CHIP}.action.postbackData`],
      },
      {
        name: 'action fallbackUrl 2048',
        body: withSuggestions([action({ shareLocationAction: {} }, { fallbackUrl: urlOfLength(2048) })]),
        fields: [],
      },
      {
        name: 'action fallbackUrl 2049',
        body: withSuggestions([action({ shareLocationAction: {} }, { fallbackUrl: urlOfLength(2049) })]),
        fields: [`${CHIP}.action.fallbackUrl`],
      },
    ]);
  });

  describe('cards', () => {
    runCases([
      { name: 'title 200', body: standalone(card({ title: chars(200) })), fields: [] },
      {
        name: 'title 201',
        body: standalone(card({ title: chars(201) })),
        fields: [`${STANDALONE}.cardContent.title`],
      },
      { name: 'description 2000', body: standalone(card({ description: chars(2000) })), fields: [] },
      {
        name: 'description 2001',
        body: standalone(card({ description: chars(2001) })),
        fields: [`${STANDALONE}.cardContent.description`],
      },
      { name: 'card suggestions 4', body: standalone(card({ suggestions: replies(4) })), fields: [] },
      {
        name: 'card suggestions 5',
        body: standalone(card({ suggestions: replies(5) })),
        fields: [`${STANDALONE}.cardContent.suggestions`],
      },
      {
        name: 'carousel card [2] title 201',
        body: carousel([card(), card(), card({ title: chars(201) })]),
        fields: [`${CAROUSEL}.cardContents[2].title`],
      },
      {
        name: 'carousel card [1] description 2001',
        body: carousel([card(), card({ description: chars(2001) })]),
        fields: [`${CAROUSEL}.cardContents[1].description`],
      },
      {
        name: 'carousel card [0] suggestions 5',
        body: carousel([card({ suggestions: replies(5) }), card()]),
        fields: [`${CAROUSEL}.cardContents[0].suggestions`],
      },
    ]);
  });

  describe('carousel size', () => {
    runCases([
      { name: '0 cards', body: carousel([]), fields: [`${CAROUSEL}.cardContents`] },
      { name: '1 card', body: carousel(cards(1)), fields: [`${CAROUSEL}.cardContents`] },
      { name: '2 cards', body: carousel(cards(2)), fields: [] },
      { name: '10 cards', body: carousel(cards(10)), fields: [] },
      { name: '11 cards', body: carousel(cards(11)), fields: [`${CAROUSEL}.cardContents`] },
    ]);
  });

  describe('URLs', () => {
    const open = (url: string): Json => withSuggestions([action({ openUrlAction: { url } })]);
    runCases([
      { name: 'openUrlAction url 2048', body: open(urlOfLength(2048)), fields: [] },
      {
        name: 'openUrlAction url 2049',
        body: open(urlOfLength(2049)),
        fields: [`${CHIP}.action.openUrlAction.url`],
      },
      {
        name: 'fileUrl 2048',
        body: withContent({ contentInfo: { fileUrl: urlOfLength(2048) } }),
        fields: [],
      },
      {
        name: 'fileUrl 2049',
        body: withContent({ contentInfo: { fileUrl: urlOfLength(2049) } }),
        fields: ['contentMessage.contentInfo.fileUrl'],
      },
    ]);
  });

  describe('calendar event', () => {
    const event = (extra: Json): Json =>
      withSuggestions([
        action({
          createCalendarEventAction: {
            startTime: '2030-02-01T09:00:00Z',
            endTime: '2030-02-01T10:00:00Z',
            title: 'Meeting',
            ...extra,
          },
        }),
      ]);
    const EVENT = `${CHIP}.action.createCalendarEventAction`;
    runCases([
      { name: 'title 100', body: event({ title: chars(100) }), fields: [] },
      { name: 'title 101', body: event({ title: chars(101) }), fields: [`${EVENT}.title`] },
      { name: 'title empty', body: event({ title: '' }), fields: [`${EVENT}.title`] },
      { name: 'description 500', body: event({ description: chars(500) }), fields: [] },
      { name: 'description 501', body: event({ description: chars(501) }), fields: [`${EVENT}.description`] },
      {
        name: 'endTime 1 ns after startTime',
        body: event({ endTime: '2030-02-01T09:00:00.000000001Z' }),
        fields: [],
      },
      {
        name: 'endTime equal to startTime',
        body: event({ endTime: '2030-02-01T09:00:00Z' }),
        fields: [`${EVENT}.endTime`],
      },
      {
        name: 'endTime before startTime (by offset)',
        body: event({ endTime: '2030-02-01T10:00:00+02:00' }),
        fields: [`${EVENT}.endTime`],
      },
      {
        name: 'startTime not a timestamp',
        body: event({ startTime: 'tomorrow' }),
        fields: [`${EVENT}.startTime`],
      },
      {
        name: 'startTime Feb 30',
        body: event({ startTime: '2030-02-30T09:00:00Z' }),
        fields: [`${EVENT}.startTime`],
      },
      { name: 'endTime missing', body: event({ endTime: undefined }), fields: [`${EVENT}.endTime`] },
    ]);
  });

  describe('latLong', () => {
    const at = (latitude: unknown, longitude: unknown): Json =>
      withSuggestions([action({ viewLocationAction: { latLong: { latitude, longitude } } })]);
    const LATLONG = `${CHIP}.action.viewLocationAction.latLong`;
    runCases([
      { name: 'latitude 90', body: at(90, 0), fields: [] },
      { name: 'latitude 90.000001', body: at(90.000001, 0), fields: [`${LATLONG}.latitude`] },
      { name: 'latitude -90', body: at(-90, 0), fields: [] },
      { name: 'latitude -90.000001', body: at(-90.000001, 0), fields: [`${LATLONG}.latitude`] },
      { name: 'longitude 180', body: at(0, 180), fields: [] },
      { name: 'longitude 180.000001', body: at(0, 180.000001), fields: [`${LATLONG}.longitude`] },
      { name: 'longitude -180', body: at(0, -180), fields: [] },
      { name: 'longitude -180.000001', body: at(0, -180.000001), fields: [`${LATLONG}.longitude`] },
      { name: 'latitude as a string', body: at('10', 0), fields: [`${LATLONG}.latitude`] },
      { name: 'longitude missing', body: at(10, undefined), fields: [`${LATLONG}.longitude`] },
    ]);
  });

  describe('ttl', () => {
    const ttl = (value: unknown): Json => ({ ...textMessage('Hi'), ttl: value });
    runCases([
      { name: '1296000s (15 days)', body: ttl('1296000s'), fields: [] },
      { name: '1296000.000000000s', body: ttl('1296000.000000000s'), fields: [] },
      { name: '1296000.000000001s', body: ttl('1296000.000000001s'), fields: ['ttl'] },
      { name: '1296001s', body: ttl('1296001s'), fields: ['ttl'] },
      { name: '0.000000001s', body: ttl('0.000000001s'), fields: [] },
      { name: '0s', body: ttl('0s'), fields: ['ttl'] },
      { name: '0.0s', body: ttl('0.0s'), fields: ['ttl'] },
      { name: '3.5s', body: ttl('3.5s'), fields: [] },
      { name: '10 fractional digits', body: ttl('1.0000000001s'), fields: ['ttl'] },
      { name: 'negative', body: ttl('-5s'), fields: ['ttl'] },
      { name: 'no unit', body: ttl('30'), fields: ['ttl'] },
      { name: 'minutes', body: ttl('5m'), fields: ['ttl'] },
      { name: 'a number', body: ttl(30), fields: ['ttl'] },
    ]);
  });

  describe('expireTime', () => {
    const expire = (value: unknown): Json => ({ ...textMessage('Hi'), expireTime: value });
    runCases([
      { name: 'now + 15 days', body: expire(afterNow(15 * DAY)), fields: [] },
      { name: 'now + 15 days + 1 s', body: expire(afterNow(15 * DAY + 1)), fields: ['expireTime'] },
      {
        name: 'now + 15 days + 1 ns',
        body: expire('2030-01-16T00:00:00.000000001Z'),
        fields: ['expireTime'],
      },
      {
        name: 'now + 15 days, written with an offset',
        body: expire('2030-01-16T02:00:00+02:00'),
        fields: [],
      },
      { name: 'now + 1 s', body: expire(afterNow(1)), fields: [] },
      { name: 'now', body: expire(afterNow(0)), fields: ['expireTime'] },
      { name: 'in the past', body: expire(afterNow(-60)), fields: ['expireTime'] },
      { name: 'not a timestamp', body: expire('2030-01-02'), fields: ['expireTime'] },
      { name: 'a number', body: expire(NOW.getTime() + 1000), fields: ['expireTime'] },
    ]);

    it('uses the current time by default', () => {
      const inAnHour = new Date(Date.now() + 3600_000).toISOString();
      expect(validateAgentMessage({ ...textMessage('Hi'), expireTime: inAnHour })).toEqual([]);
      expect(validateAgentMessage({ ...textMessage('Hi'), expireTime: '2000-01-01T00:00:00Z' })).toHaveLength(
        1,
      );
    });
  });

  describe('ttl and expireTime together', () => {
    runCases([
      {
        name: 'both set',
        body: { ...textMessage('Hi'), ttl: '60s', expireTime: afterNow(60) },
        fields: ['expireTime'],
      },
    ]);
  });

  describe('whole body size (250 KB = 250,000 bytes of UTF-8 JSON)', () => {
    it('builds bodies of exact sizes', () => {
      expect(Buffer.byteLength(JSON.stringify(bodyOfBytes(MAX_AGENT_MESSAGE_BYTES)), 'utf8')).toBe(250_000);
    });

    it('accepts 250,000 bytes', () => {
      expect(validate(bodyOfBytes(MAX_AGENT_MESSAGE_BYTES))).toEqual([]);
    });

    it('rejects 250,001 bytes on the body itself (field "")', () => {
      expect(validate(bodyOfBytes(MAX_AGENT_MESSAGE_BYTES + 1))).toEqual([
        { field: '', description: expect.stringContaining('250 KB') },
      ]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Structure, unions, enums, types
// ---------------------------------------------------------------------------------------------------------------

describe('body and content kinds', () => {
  runCases([
    { name: 'null body', body: null, fields: [''] },
    { name: 'array body', body: [], fields: [''] },
    { name: 'string body', body: 'hello', fields: [''] },
    { name: 'undefined body', body: undefined, fields: [''] },
    { name: 'no contentMessage', body: {}, fields: ['contentMessage'] },
    { name: 'contentMessage an array', body: { contentMessage: [] }, fields: ['contentMessage'] },
    { name: 'contentMessage a string', body: { contentMessage: 'hi' }, fields: ['contentMessage'] },
    { name: 'zero content kinds', body: withContent({}), fields: ['contentMessage'] },
    {
      name: 'zero content kinds, only suggestions',
      body: withContent({ suggestions: [reply()] }),
      fields: ['contentMessage'],
    },
    {
      name: 'two content kinds (text + richCard)',
      body: withContent({ text: 'a', richCard: { standaloneCard: { cardContent: card() } } }),
      fields: ['contentMessage'],
    },
    {
      name: 'two content kinds (contentInfo + uploadedRbmFile)',
      body: withContent({ contentInfo: { fileUrl: FILE_URL }, uploadedRbmFile: { fileName: 'files/a' } }),
      fields: ['contentMessage'],
    },
    {
      name: 'deprecated fileName',
      body: withContent({ fileName: 'files/a' }),
      fields: ['contentMessage.fileName'],
    },
    {
      name: 'deprecated fileName with text',
      body: withContent({ fileName: 'files/a', text: 'a' }),
      fields: ['contentMessage.fileName'],
    },
    { name: 'text null', body: withContent({ text: null }), fields: ['contentMessage.text'] },
    { name: 'text a number', body: withContent({ text: 42 }), fields: ['contentMessage.text'] },
    {
      name: 'suggestions not an array',
      body: textMessage('a', { suggestions: {} }),
      fields: ['contentMessage.suggestions'],
    },
    {
      name: 'undefined-valued fields count as absent',
      body: textMessage('a', { richCard: undefined }),
      fields: [],
    },
  ]);

  it('describes the deprecated fileName and the exactly-one rule', () => {
    expect(validate(withContent({ fileName: 'files/a' }))).toEqual([
      { field: 'contentMessage.fileName', description: expect.stringContaining('use uploadedRbmFile') },
    ]);
    expect(validate(withContent({}))).toEqual([
      {
        field: 'contentMessage',
        description: 'must set exactly one of text, richCard, contentInfo, uploadedRbmFile (none is set)',
      },
    ]);
  });
});

describe('rich cards', () => {
  runCases([
    { name: 'richCard empty', body: withContent({ richCard: {} }), fields: ['contentMessage.richCard'] },
    {
      name: 'standalone and carousel together',
      body: withContent({
        richCard: { standaloneCard: { cardContent: card() }, carouselCard: { cardContents: cards(2) } },
      }),
      fields: ['contentMessage.richCard'],
    },
    {
      name: 'standalone without cardContent',
      body: withContent({ richCard: { standaloneCard: { cardOrientation: 'VERTICAL' } } }),
      fields: [`${STANDALONE}.cardContent`],
    },
    {
      name: 'carousel without cardContents',
      body: withContent({ richCard: { carouselCard: { cardWidth: 'SMALL' } } }),
      fields: [`${CAROUSEL}.cardContents`],
    },
    {
      name: 'carousel card not an object',
      body: carousel([card(), 'card']),
      fields: [`${CAROUSEL}.cardContents[1]`],
    },
    { name: 'card with nothing', body: standalone({}), fields: [`${STANDALONE}.cardContent`] },
    {
      name: 'card with an empty title only',
      body: standalone({ title: '' }),
      fields: [`${STANDALONE}.cardContent`],
    },
    { name: 'card with description only', body: standalone({ description: 'd' }), fields: [] },
    {
      name: 'SMALL carousel with TALL media',
      body: carousel([card({ media: media({ height: 'TALL' }) }), card()], { cardWidth: 'SMALL' }),
      fields: [`${CAROUSEL}.cardContents[0].media.height`],
    },
    {
      name: 'MEDIUM carousel with TALL media',
      body: carousel([card({ media: media({ height: 'TALL' }) }), card()], { cardWidth: 'MEDIUM' }),
      fields: [],
    },
    {
      name: 'standalone with TALL media',
      body: standalone(card({ media: media({ height: 'TALL' }) })),
      fields: [],
    },
    {
      name: 'media with both files',
      body: standalone(card({ media: media({ uploadedRbmFile: { fileName: 'files/a' } }) })),
      fields: [`${STANDALONE}.cardContent.media`],
    },
    {
      name: 'media with no file',
      body: standalone(card({ media: { height: 'SHORT' } })),
      fields: [`${STANDALONE}.cardContent.media`],
    },
    {
      name: 'media with the deprecated fileName',
      body: standalone(card({ media: { height: 'SHORT', fileName: 'files/a' } })),
      fields: [`${STANDALONE}.cardContent.media.fileName`],
    },
  ]);
});

describe('files', () => {
  const info = (contentInfo: Json): Json => withContent({ contentInfo });
  const uploaded = (uploadedRbmFile: Json): Json => withContent({ uploadedRbmFile });
  runCases([
    { name: 'fileUrl missing', body: info({}), fields: ['contentMessage.contentInfo.fileUrl'] },
    {
      name: 'fileUrl ftp',
      body: info({ fileUrl: 'ftp://example.com/a' }),
      fields: ['contentMessage.contentInfo.fileUrl'],
    },
    {
      name: 'fileUrl relative',
      body: info({ fileUrl: '/a.png' }),
      fields: ['contentMessage.contentInfo.fileUrl'],
    },
    {
      name: 'fileUrl without host',
      body: info({ fileUrl: 'https://' }),
      fields: ['contentMessage.contentInfo.fileUrl'],
    },
    {
      name: 'fileUrl with a space',
      body: info({ fileUrl: 'https://exa mple.com' }),
      fields: ['contentMessage.contentInfo.fileUrl'],
    },
    {
      name: 'thumbnailUrl invalid',
      body: info({ fileUrl: FILE_URL, thumbnailUrl: 'thumb.png' }),
      fields: ['contentMessage.contentInfo.thumbnailUrl'],
    },
    {
      name: 'forceRefresh a string',
      body: info({ fileUrl: FILE_URL, forceRefresh: 'true' }),
      fields: ['contentMessage.contentInfo.forceRefresh'],
    },
    {
      name: 'uploaded fileName missing',
      body: uploaded({}),
      fields: ['contentMessage.uploadedRbmFile.fileName'],
    },
    {
      name: 'uploaded fileName without files/',
      body: uploaded({ fileName: 'abc' }),
      fields: ['contentMessage.uploadedRbmFile.fileName'],
    },
    {
      name: 'uploaded thumbnailName invalid',
      body: uploaded({ fileName: 'files/a', thumbnailName: 7 }),
      fields: ['contentMessage.uploadedRbmFile.thumbnailName'],
    },
  ]);
});

describe('suggestions', () => {
  const VIEW = `${CHIP}.action.viewLocationAction`;
  runCases([
    {
      name: 'reply and action together',
      body: withSuggestions([{ ...reply(), ...action({ shareLocationAction: {} }) }]),
      fields: [CHIP],
    },
    { name: 'neither reply nor action', body: withSuggestions([{}]), fields: [CHIP] },
    { name: 'suggestion not an object', body: withSuggestions(['Yes']), fields: [CHIP] },
    {
      name: 'second chip invalid',
      body: withSuggestions([reply(), {}]),
      fields: ['contentMessage.suggestions[1]'],
    },
    { name: 'action without a kind', body: withSuggestions([action({})]), fields: [`${CHIP}.action`] },
    {
      name: 'action with two kinds',
      body: withSuggestions([action({ shareLocationAction: {}, dialAction: { phoneNumber: '1' } })]),
      fields: [`${CHIP}.action`],
    },
    {
      name: 'composeAction',
      body: withSuggestions([
        action({ composeAction: { composeTextMessage: { phoneNumber: '1', text: 'a' } } }),
      ]),
      fields: [`${CHIP}.action.composeAction`],
    },
    {
      name: 'phoneNumber with letters',
      body: withSuggestions([action({ dialAction: { phoneNumber: 'call-me' } })]),
      fields: [`${CHIP}.action.dialAction.phoneNumber`],
    },
    {
      name: 'phoneNumber with a space',
      body: withSuggestions([action({ dialAction: { phoneNumber: '+1 555' } })]),
      fields: [`${CHIP}.action.dialAction.phoneNumber`],
    },
    {
      name: 'phoneNumber missing',
      body: withSuggestions([action({ dialAction: {} })]),
      fields: [`${CHIP}.action.dialAction.phoneNumber`],
    },
    {
      name: 'viewLocation with nothing',
      body: withSuggestions([action({ viewLocationAction: {} })]),
      fields: [VIEW],
    },
    {
      name: 'viewLocation with latLong and query',
      body: withSuggestions([
        action({ viewLocationAction: { latLong: { latitude: 1, longitude: 2 }, query: 'x' } }),
      ]),
      fields: [VIEW],
    },
    {
      name: 'viewLocation with a label only',
      body: withSuggestions([action({ viewLocationAction: { label: 'Home' } })]),
      fields: [VIEW, `${VIEW}.label`],
    },
    {
      name: 'openUrl ftp',
      body: withSuggestions([action({ openUrlAction: { url: 'ftp://example.com' } })]),
      fields: [`${CHIP}.action.openUrlAction.url`],
    },
    {
      name: 'openUrl missing url',
      body: withSuggestions([action({ openUrlAction: { application: 'BROWSER' } })]),
      fields: [`${CHIP}.action.openUrlAction.url`],
    },
    {
      name: 'fallbackUrl relative',
      body: withSuggestions([action({ shareLocationAction: {} }, { fallbackUrl: 'relative/path' })]),
      fields: [`${CHIP}.action.fallbackUrl`],
    },
    {
      name: 'shareLocationAction with a field',
      body: withSuggestions([action({ shareLocationAction: { x: 1 } })]),
      fields: [`${CHIP}.action.shareLocationAction.x`],
    },
    {
      name: 'shareLocationAction not an object',
      body: withSuggestions([action({ shareLocationAction: true })]),
      fields: [`${CHIP}.action.shareLocationAction`],
    },
  ]);

  it('describes composeAction as removed', () => {
    const [violation] = validate(withSuggestions([action({ composeAction: {} })]));
    expect(violation?.description).toMatch(/removed/);
  });
});

describe('enums', () => {
  const open = (extra: Json): Json =>
    withSuggestions([action({ openUrlAction: { url: FILE_URL, ...extra } })]);
  runCases([
    {
      name: 'messageTrafficType MARKETING',
      body: { ...textMessage('a'), messageTrafficType: 'MARKETING' },
      fields: ['messageTrafficType'],
    },
    {
      name: 'messageTrafficType lowercase',
      body: { ...textMessage('a'), messageTrafficType: 'promotion' },
      fields: ['messageTrafficType'],
    },
    {
      name: 'messageTrafficType a number',
      body: { ...textMessage('a'), messageTrafficType: 3 },
      fields: ['messageTrafficType'],
    },
    {
      name: 'cardWidth LARGE',
      body: carousel(cards(2), { cardWidth: 'LARGE' }),
      fields: [`${CAROUSEL}.cardWidth`],
    },
    {
      name: 'height HUGE',
      body: standalone(card({ media: media({ height: 'HUGE' }) })),
      fields: [`${STANDALONE}.cardContent.media.height`],
    },
    {
      name: 'cardOrientation DIAGONAL',
      body: standalone(card(), { cardOrientation: 'DIAGONAL' }),
      fields: [`${STANDALONE}.cardOrientation`],
    },
    {
      name: 'thumbnailImageAlignment CENTER',
      body: standalone(card(), { cardOrientation: 'HORIZONTAL', thumbnailImageAlignment: 'CENTER' }),
      fields: [`${STANDALONE}.thumbnailImageAlignment`],
    },
    {
      name: 'application APP',
      body: open({ application: 'APP' }),
      fields: [`${CHIP}.action.openUrlAction.application`],
    },
    {
      name: 'webviewViewMode QUARTER',
      body: open({ webviewViewMode: 'QUARTER' }),
      fields: [`${CHIP}.action.openUrlAction.webviewViewMode`],
    },
  ]);

  it.each(MESSAGE_TRAFFIC_TYPES)('messageTrafficType %s is valid', (value) => {
    expect(validate({ ...textMessage('a'), messageTrafficType: value })).toEqual([]);
  });
  it.each(CARD_WIDTHS)('cardWidth %s is valid', (value) => {
    expect(validate(carousel(cards(2), { cardWidth: value }))).toEqual([]);
  });
  it.each(MEDIA_HEIGHTS)('height %s is valid', (value) => {
    expect(validate(standalone(card({ media: media({ height: value }) })))).toEqual([]);
  });
  it.each(CARD_ORIENTATIONS)('cardOrientation %s is valid', (value) => {
    expect(validate(standalone(card(), { cardOrientation: value }))).toEqual([]);
  });
  it.each(THUMBNAIL_IMAGE_ALIGNMENTS)('thumbnailImageAlignment %s is valid', (value) => {
    expect(
      validate(standalone(card(), { cardOrientation: 'HORIZONTAL', thumbnailImageAlignment: value })),
    ).toEqual([]);
  });
  it.each(OPEN_URL_APPLICATIONS)('application %s is valid', (value) => {
    expect(validate(open({ application: value }))).toEqual([]);
  });
  it.each(WEBVIEW_VIEW_MODES)('webviewViewMode %s is valid', (value) => {
    expect(validate(open({ application: 'WEBVIEW', webviewViewMode: value }))).toEqual([]);
  });

  it('lists the allowed values', () => {
    expect(validate({ ...textMessage('a'), messageTrafficType: 'MARKETING' })).toEqual([
      {
        field: 'messageTrafficType',
        description:
          'must be one of MESSAGE_TRAFFIC_TYPE_UNSPECIFIED, AUTHENTICATION, TRANSACTION, PROMOTION, SERVICEREQUEST, ' +
          'ACKNOWLEDGEMENT (got "MARKETING")',
      },
    ]);
  });
});

describe('strictness: output-only and unknown fields', () => {
  runCases([
    {
      name: 'name (output only)',
      body: { ...textMessage('a'), name: 'phones/+1/agentMessages/x' },
      fields: ['name'],
    },
    {
      name: 'sendTime (output only)',
      body: { ...textMessage('a'), sendTime: afterNow(0) },
      fields: ['sendTime'],
    },
    { name: 'unknown top-level field', body: { ...textMessage('a'), sender: 'me' }, fields: ['sender'] },
    {
      name: 'typo in contentMessage',
      body: { contentMesage: { text: 'a' } },
      fields: ['contentMesage', 'contentMessage'],
    },
    {
      name: 'snake_case top-level field',
      body: { ...textMessage('a'), message_traffic_type: 'PROMOTION' },
      fields: ['message_traffic_type'],
    },
    {
      name: 'unknown nested field',
      body: textMessage('a', { suggestion: [] }),
      fields: ['contentMessage.suggestion'],
    },
    {
      name: 'unknown field in a card',
      body: carousel([card(), card({ subtitle: 'x' })]),
      fields: [`${CAROUSEL}.cardContents[1].subtitle`],
    },
    {
      name: 'altText in contentInfo (unconfirmed for RBM)',
      body: withContent({ contentInfo: { fileUrl: FILE_URL, altText: 'x' } }),
      fields: ['contentMessage.contentInfo.altText'],
    },
    { name: 'a key that is not an identifier', body: { ...textMessage('a'), 'a b': 1 }, fields: ['["a b"]'] },
    {
      name: 'own __proto__ key (from JSON.parse)',
      body: JSON.parse('{"contentMessage":{"text":"a"},"__proto__":{}}'),
      fields: ['__proto__'],
    },
  ]);

  it('describes output-only fields and hints at camelCase', () => {
    expect(
      validate({ ...textMessage('a'), sendTime: afterNow(0), message_traffic_type: 'PROMOTION' }),
    ).toEqual([
      { field: 'sendTime', description: 'is output only and must not be set in a request' },
      {
        field: 'message_traffic_type',
        description: expect.stringContaining('did you mean "messageTrafficType"?'),
      },
    ]);
  });
});

describe('several problems at once', () => {
  it('reports every violation in one pass', () => {
    const body = {
      name: 'phones/+1/agentMessages/x',
      contentMessage: {
        richCard: {
          carouselCard: {
            cardWidth: 'SMALL',
            cardContents: [
              card({ title: chars(201), media: media({ height: 'TALL' }) }),
              card({ suggestions: [reply(chars(26)), {}] }),
              card({ description: 7 }),
            ],
          },
        },
        suggestions: [action({ openUrlAction: { url: 'nope', application: 'APP' } })],
      },
      messageTrafficType: 'SPAM',
      ttl: '10s',
      expireTime: afterNow(-1),
    };
    const violations = validate(body);
    expect(violations.map((violation) => violation.field).sort()).toEqual(
      [
        'name',
        `${CAROUSEL}.cardContents[0].title`,
        `${CAROUSEL}.cardContents[0].media.height`,
        `${CAROUSEL}.cardContents[1].suggestions[0].reply.text`,
        `${CAROUSEL}.cardContents[1].suggestions[1]`,
        `${CAROUSEL}.cardContents[2].description`,
        `${CHIP}.action.openUrlAction.url`,
        `${CHIP}.action.openUrlAction.application`,
        'messageTrafficType',
        'expireTime',
        'expireTime',
      ].sort(),
    );
    expect(violations).toContainEqual({
      field: `${CAROUSEL}.cardContents[0].title`,
      description: 'must be at most 200 characters (got 201)',
    });
    expect(violations).toContainEqual({
      field: `${CAROUSEL}.cardContents[2].description`,
      description: 'must be a string (got number)',
    });
    expect(violations).toContainEqual({ field: 'expireTime', description: 'must be in the future' });
    for (const violation of violations) expect(violation.description).not.toBe('');
  });

  it('never throws on hostile input', () => {
    const circular: Json = { contentMessage: { text: 'a' } };
    circular['self'] = circular;
    expect(fieldsOf(circular)).toEqual(['', 'self']);
    expect(fieldsOf({ contentMessage: { text: 'a' }, big: 10n })).toEqual(['', 'big']);
    expect(validateAgentMessage(textMessage('a'), { now: new Date(Number.NaN) })).toEqual([]);
  });
});

describe('parsers', () => {
  it.each([
    ['1970-01-01T00:00:00Z', 0n],
    ['1970-01-01T00:00:01.5Z', 1_500_000_000n],
    ['1970-01-01T01:00:00+01:00', 0n],
    ['1969-12-31T23:00:00-01:00', 0n],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000_000_000n],
    ['2024-02-29T00:00:00Z', 1_709_164_800_000_000_000n],
  ])('parseTimestampNanos(%s)', (text, nanos) => {
    expect(parseTimestampNanos(text)).toBe(nanos);
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2030-13-01T00:00:00Z',
    '2030-01-01T24:00:00Z',
    '2030-01-01 00:00:00Z',
    '2030-01-01T00:00:00',
  ])('parseTimestampNanos rejects %s', (text) => {
    expect(parseTimestampNanos(text)).toBeUndefined();
  });

  it.each([
    ['30s', 30_000_000_000n],
    ['3.5s', 3_500_000_000n],
    ['0.000000001s', 1n],
  ])('parseDurationNanos(%s)', (text, nanos) => {
    expect(parseDurationNanos(text)).toBe(nanos);
  });
});
