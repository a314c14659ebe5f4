import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../shared/errors.js';
import {
  PAGE_SIZE,
  checkQueryNames,
  readPageSize,
  readState,
  readText,
  readTimestamp,
} from '../../shared/query/params.js';

function run<T>(read: (violations: FieldViolation[]) => T): { value: T; fields: string[] } {
  const violations: FieldViolation[] = [];
  const value = read(violations);
  return { value, fields: violations.map((v) => v.field) };
}

describe('query parameters', () => {
  it.each([
    [undefined, PAGE_SIZE.default, []],
    ['1', 1, []],
    ['500', 500, []],
    ['0', PAGE_SIZE.default, ['pageSize']],
    ['501', PAGE_SIZE.default, ['pageSize']],
    ['-1', PAGE_SIZE.default, ['pageSize']],
    ['2.5', PAGE_SIZE.default, ['pageSize']],
    ['ten', PAGE_SIZE.default, ['pageSize']],
    ['', PAGE_SIZE.default, ['pageSize']],
  ])('pageSize %j → %i', (raw, expected, fields) => {
    expect(run((v) => readPageSize(raw === undefined ? {} : { pageSize: raw }, v))).toEqual({
      value: expected,
      fields,
    });
  });

  it('a repeated parameter is a violation', () => {
    expect(run((v) => readPageSize({ pageSize: ['10', '20'] }, v)).fields).toEqual(['pageSize']);
  });

  it.each([
    ['SENT', 'SENT', []],
    ['READ', 'READ', []],
    ['sent', undefined, ['state']],
    ['UNKNOWN', undefined, ['state']],
  ])('state %j', (raw, expected, fields) => {
    expect(run((v) => readState({ state: raw }, v))).toEqual({ value: expected, fields });
  });

  it.each([
    ['2026-01-01T00:00:00Z', 1_767_225_600_000_000_000n, []],
    ['2026-01-01T01:00:00.5+01:00', 1_767_225_600_500_000_000n, []],
    ['2026-01-01', undefined, ['updatedAfter']],
    ['yesterday', undefined, ['updatedAfter']],
    ['2026-02-30T00:00:00Z', undefined, ['updatedAfter']],
  ])('updatedAfter %j', (raw, expected, fields) => {
    expect(run((v) => readTimestamp({ updatedAfter: raw }, 'updatedAfter', v))).toEqual({
      value: expected,
      fields,
    });
  });

  it('campaignId is 1 to 64 characters', () => {
    expect(run((v) => readText({ campaignId: 'spring-sale' }, 'campaignId', 64, v)).value).toBe(
      'spring-sale',
    );
    expect(run((v) => readText({ campaignId: '' }, 'campaignId', 64, v)).fields).toEqual(['campaignId']);
    expect(run((v) => readText({ campaignId: 'x'.repeat(65) }, 'campaignId', 64, v)).fields).toEqual([
      'campaignId',
    ]);
  });

  it('every unknown parameter is listed; the API key parameter is allowed', () => {
    const { fields } = run((v) =>
      checkQueryNames({ pageSize: '1', foo: 'x', bar: 'y', key: 'k' }, ['pageSize'], v),
    );
    expect(fields).toEqual(['foo', 'bar']);
  });
});
