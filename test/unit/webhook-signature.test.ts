import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign as rbmSignature } from '../../sandbox/fake-rbm/signature.js';
import { decodeBase64 } from '../../shared/base64.js';
import { isValidSignature, secretsEqual } from '../../shared/webhook/signature.js';

const token = 'client-token-123';
const data = Buffer.from(JSON.stringify({ senderPhoneNumber: '+15551234567', text: 'hi' }));
const independent = createHmac('sha512', token).update(data).digest('base64');

describe('webhook signature', () => {
  it('is base64 HMAC-SHA512 of the decoded data keyed by the client token', () => {
    expect(rbmSignature(data, token)).toBe(independent);
    expect(isValidSignature(data, independent, token)).toBe(true);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['wrong key', createHmac('sha512', 'other').update(data).digest('base64')],
    [
      'over the envelope instead of the data',
      createHmac('sha512', token).update(data.toString('base64')).digest('base64'),
    ],
    ['truncated', independent.slice(0, 40)],
    ['garbage', '!!!not-base64!!!'],
  ])('rejects a %s signature', (_name, signature) => {
    expect(isValidSignature(data, signature, token)).toBe(false);
  });

  it('rejects tampered data', () => {
    const tampered = Buffer.from(data.toString().replace('hi', 'ho'));
    expect(isValidSignature(tampered, independent, token)).toBe(false);
  });
});

describe('secretsEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', 'abc', false],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(secretsEqual(a, b)).toBe(expected);
  });
});

describe('decodeBase64', () => {
  it.each([
    ['aGVsbG8=', 'hello'],
    ['aGVsbG8', 'hello'],
    ['aGk_', 'hi?'],
  ])('%s decodes', (text, expected) => {
    expect(decodeBase64(text)?.toString()).toBe(expected);
  });

  it.each(['not base64!', 'a', '===='])('%j is refused', (text) => {
    expect(decodeBase64(text)).toBeUndefined();
  });
});
