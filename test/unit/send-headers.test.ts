import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../shared/errors.js';
import type { FallbackPolicy } from '../../shared/fallback-decision.js';
import {
  parseSendHeaders,
  readCorrelationId,
  readFallbackPolicy,
} from '../../shared/outbound/send-headers.js';

describe('Correlation-Id', () => {
  const cases: Array<[string, string | undefined, boolean]> = [
    ['absent', undefined, true],
    ['a reference', 'order-42/line 3', true],
    ['one character', 'x', true],
    ['256 characters', 'a'.repeat(256), true],
    [
      'every printable ASCII character',
      String.fromCharCode(...Array.from({ length: 95 }, (_, i) => 32 + i)),
      true,
    ],
    ['empty', '', false],
    ['257 characters', 'a'.repeat(257), false],
    ['non-ASCII', 'commande-é', false],
    ['a tab', 'a\tb', false],
    ['a newline', 'a\nb', false],
    ['DEL', 'a\x7f', false],
  ];
  it.each(cases)('%s: valid %s', (_name, value, valid) => {
    const violations: FieldViolation[] = [];
    const read = readCorrelationId(value, violations);
    expect(read).toBe(valid ? value : undefined);
    expect(violations.map((v) => v.field)).toEqual(valid ? [] : ['Correlation-Id']);
  });
});

describe('Fallback-Policy', () => {
  const cases: Array<[string | undefined, FallbackPolicy | undefined]> = [
    [undefined, 'none'],
    ['none', 'none'],
    ['safe', 'safe'],
    ['SAFE', 'safe'],
    ['Critical', 'critical'],
    [' critical ', 'critical'],
    ['', undefined],
    ['urgent', undefined],
    ['safe,critical', undefined],
  ];
  it.each(cases)('%j → %s', (value, policy) => {
    const violations: FieldViolation[] = [];
    const read = readFallbackPolicy(value, violations);
    if (policy === undefined) {
      expect(violations.map((v) => v.field)).toEqual(['Fallback-Policy']);
    } else {
      expect(read).toBe(policy);
      expect(violations).toEqual([]);
    }
  });
});

describe('parseSendHeaders', () => {
  it('reports every invalid header', () => {
    expect(
      parseSendHeaders({ correlationId: '', fallbackPolicy: 'maybe' }).violations.map((v) => v.field),
    ).toEqual(['Correlation-Id', 'Fallback-Policy']);
  });

  it('returns the values of valid headers', () => {
    expect(parseSendHeaders({ correlationId: 'ref-1', fallbackPolicy: 'Safe' })).toEqual({
      headers: { correlationId: 'ref-1', fallbackPolicy: 'safe' },
      violations: [],
    });
    expect(parseSendHeaders({ correlationId: undefined, fallbackPolicy: undefined })).toEqual({
      headers: { fallbackPolicy: 'none' },
      violations: [],
    });
  });
});
