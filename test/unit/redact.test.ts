import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/logger.js';
import { CIRCULAR, REDACTED, redact, redactRequestUrl } from '../../shared/log/redact.js';

const PHONE = '+15551234567';
const MASKED = '+*******4567';

/** `leaf` wrapped in `depth` levels of `{ level: … }`. */
function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = { level: value };
  return value;
}

/** The value `depth` levels of `level` down. */
function dig(value: unknown, depth: number): unknown {
  let current = value;
  for (let i = 0; i < depth; i++) current = (current as { level: unknown }).level;
  return current;
}

describe('redact at any depth', () => {
  it.each([
    ['a phone number field', { senderPhoneNumber: PHONE }, { senderPhoneNumber: MASKED }],
    ['a phone number in free text', { note: `call ${PHONE}` }, { note: `call ${MASKED}` }],
    ['a token', { accessToken: 'ya29.secret' }, { accessToken: REDACTED }],
    ['message text', { text: 'your code is 123456' }, { text: REDACTED }],
  ])('%s 50 levels down', (_name, leaf, expected) => {
    const out = redact(nested(50, leaf));
    expect(dig(out, 50)).toEqual(expected);
  });

  it.each([7, 8, 100, 10_000])('masks a phone number %i levels down', (depth) => {
    const out = redact(nested(depth, { phoneNumber: PHONE, note: `to ${PHONE}` }));
    expect(dig(out, depth)).toEqual({ phoneNumber: MASKED, note: `to ${MASKED}` });
  });

  it.each([
    [
      'phone numbers in an array',
      [PHONE, { items: [[`x ${PHONE}`]] }],
      [MASKED, { items: [[`x ${MASKED}`]] }],
    ],
    [
      'a token inside an array of objects',
      [{ idToken: 'abc' }, { clientSecret: 's' }],
      [{ idToken: REDACTED }, { clientSecret: REDACTED }],
    ],
    [
      'an array deep in an object',
      nested(20, [{ authorization: 'Bearer x' }]),
      nested(20, [{ authorization: REDACTED }]),
    ],
    [
      'numbers, booleans and null kept',
      { attempt: 2, ok: true, none: null },
      { attempt: 2, ok: true, none: null },
    ],
    ['a Date as its JSON text', { at: new Date(Date.UTC(2026, 0, 1)) }, { at: '2026-01-01T00:00:00.000Z' }],
  ])('%s', (_name, input, expected) => {
    expect(redact(input)).toEqual(expected);
  });

  it('replaces a reference cycle with a marker and still redacts the rest', () => {
    const a: Record<string, unknown> = { phoneNumber: PHONE };
    const b: Record<string, unknown> = { parent: a, token: 't0k' };
    a.child = b;
    a.self = a;
    expect(redact(a)).toEqual({
      phoneNumber: MASKED,
      child: { parent: CIRCULAR, token: REDACTED },
      self: CIRCULAR,
    });
  });

  it('replaces a cycle through an array', () => {
    const list: unknown[] = [PHONE];
    list.push({ back: list });
    expect(redact({ list })).toEqual({ list: [MASKED, { back: CIRCULAR }] });
  });

  it('copies an object shared by two fields twice (a repeat is not a cycle)', () => {
    const shared = { senderPhoneNumber: PHONE };
    expect(redact({ first: shared, second: shared })).toEqual({
      first: { senderPhoneNumber: MASKED },
      second: { senderPhoneNumber: MASKED },
    });
  });

  it('does not change its input', () => {
    const input = { nested: { phoneNumber: PHONE } };
    redact(input);
    expect(input.nested.phoneNumber).toBe(PHONE);
  });
});

describe('phone numbers in free text', () => {
  it.each([
    ['followed by an underscore', `${PHONE}_x`, `${MASKED}_x`],
    ['followed by a letter', `${PHONE}abc`, `${MASKED}abc`],
    ['followed by a space', `${PHONE} ok`, `${MASKED} ok`],
    ['at the end', `to ${PHONE}`, `to ${MASKED}`],
    ['inside a word', `id${PHONE}x`, `id${MASKED}x`],
    ['URL-encoded', 'p/%2B15551234567/x', `p/${MASKED}/x`],
    ['URL-encoded, lower case', 'p/%2b15551234567_', `p/${MASKED}_`],
    ['URL-encoded twice', 'p/%252B15551234567', `p/${MASKED}`],
    ['longer than E.164', '+1555123456789012345', '+***************2345'],
    ['seven digits', '+1234567', '+***4567'],
    ['six digits kept (not a phone)', '+123456', '+123456'],
    ['a time zone offset kept', '2026-01-01T00:00:00+01:00', '2026-01-01T00:00:00+01:00'],
  ])('%s', (_name, text, expected) => {
    expect(redact({ note: text })).toEqual({ note: expected });
  });
});

describe('fields never logged', () => {
  it.each([
    'key',
    'Key',
    'apiKey',
    'api_key',
    'x-api-key',
    'privateKey',
    'private_key',
    'accessKey',
    'clientToken',
    'pageToken',
    'webhookSecret',
    'text',
    'title',
    'description',
    'postbackData',
    'postback_data',
    'body',
  ])('%s, at any depth', (key) => {
    const value = 'leak me +15551234567';
    const input = nested(30, { [key]: value, kept: 1 });
    expect(dig(redact(input), 30)).toEqual({ [key]: REDACTED, kept: 1 });
  });

  it('drops the text of a rich card and its suggestions, keeping the structure', () => {
    const card = {
      richCard: {
        standaloneCard: {
          cardContent: {
            title: 'Your order',
            description: 'Arrives Monday',
            suggestions: [{ reply: { text: 'Track', postbackData: 'track_123' } }],
          },
        },
      },
    };
    expect(redact(card)).toEqual({
      richCard: {
        standaloneCard: {
          cardContent: {
            title: REDACTED,
            description: REDACTED,
            suggestions: [{ reply: { text: REDACTED, postbackData: REDACTED } }],
          },
        },
      },
    });
  });

  it.each(['keyword', 'eventKey', 'idempotencyKey', 'keys', 'context', 'subtitle'])(
    'keeps %s (not a key or message text)',
    (key) => {
      expect(redact({ [key]: 'v' })).toEqual({ [key]: 'v' });
    },
  );
});

describe('redactRequestUrl', () => {
  it.each([
    ['a phone in the path', `/v1/phones/${PHONE}/agentMessages`, `/v1/phones/${MASKED}/agentMessages`],
    [
      'an encoded phone in the path',
      '/v1/phones/%2B15551234567/capabilities',
      `/v1/phones/${MASKED}/capabilities`,
    ],
    ['a phone without its +', '/v1/phones/15551234567/agentEvents', `/v1/phones/${MASKED}/agentEvents`],
    ['a consent phone', '/v1/consents/%2b15551234567', `/v1/consents/${MASKED}`],
    [
      'the message id after the phone kept',
      `/v1/phones/${PHONE}/agentMessages/0f8e7d6c-1234-4234-8234-123456789012`,
      `/v1/phones/${MASKED}/agentMessages/0f8e7d6c-1234-4234-8234-123456789012`,
    ],
    ['a path without phones kept', '/v1/campaigns/c-1:cancel', '/v1/campaigns/c-1:cancel'],
    [
      'a phone query parameter, encoded',
      '/v1/agentMessages?phoneNumber=%2B15551234567',
      `/v1/agentMessages?phoneNumber=${MASKED}`,
    ],
    [
      'a phone query parameter, raw',
      '/v1/agentMessages?phoneNumber=+15551234567',
      `/v1/agentMessages?phoneNumber=${MASKED}`,
    ],
    ['a phone query parameter without +', '/x?phoneNumber=15551234567', `/x?phoneNumber=${MASKED}`],
    ['a phone in another parameter', '/x?q=%2B15551234567&n=1', `/x?q=${MASKED}&n=1`],
    [
      'a page token',
      '/v1/agentMessages?pageSize=10&pageToken=abc.def',
      `/v1/agentMessages?pageSize=10&pageToken=${REDACTED}`,
    ],
    [
      'an API key',
      '/v1/phones/%2B15551234567/capabilities?key=AIzaXYZ',
      `/v1/phones/${MASKED}/capabilities?key=${REDACTED}`,
    ],
    [
      'send query kept apart from the phone',
      `/v1/phones/${PHONE}/agentMessages?messageId=m-1&agentId=a`,
      `/v1/phones/${MASKED}/agentMessages?messageId=m-1&agentId=a`,
    ],
    ['a bare phone parameter', '/x?%2B15551234567', `/x?${MASKED}`],
    // Undecodable: every digit counts (E0, 2B), the number is still gone.
    ['malformed encoding still masked', '/v1/phones/%E0%2B15551234567', '/v1/phones/+*********4567'],
  ])('%s', (_name, url, expected) => {
    expect(redactRequestUrl(url)).toBe(expected);
  });
});

describe('logger with hostile fields', () => {
  const capture = () => {
    const lines: string[] = [];
    return { logger: createLogger({ function: 'test' }, (line) => lines.push(line)), lines };
  };

  it('writes a cyclic field without throwing, redacted', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = { phoneNumber: PHONE };
    cyclic.again = cyclic;
    logger.info('cycle', { cyclic });
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ cyclic: { phoneNumber: MASKED, again: CIRCULAR } });
  });

  it('keeps the line (without fields) when a value is too deep for JSON', () => {
    const { logger, lines } = capture();
    logger.warn(`deep for ${PHONE}`, { deep: nested(100_000, { phoneNumber: PHONE }) });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(PHONE.slice(1));
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      severity: 'WARNING',
      message: `deep for ${MASKED}`,
      logFieldsDropped: 'not serialisable',
    });
  });
});
