import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/logger.js';
import { CIRCULAR, REDACTED, redact } from '../../shared/log/redact.js';

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
