import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/env.js';
import { RETENTION, RETENTION_FIELD, retentionDays, retentionExpiry } from '../../shared/store/retention.js';

describe('retentionExpiry', () => {
  it.each([
    ['2026-01-01T00:00:00.000Z', 1, '2026-01-02T00:00:00.000Z'],
    ['2026-01-01T12:34:56.789Z', 90, '2026-04-01T12:34:56.789Z'],
    // Whole days of 24 h: daylight-saving changes do not move it (Dates are UTC instants).
    ['2026-03-01T00:00:00.000Z', 400, '2027-04-05T00:00:00.000Z'],
    ['2024-02-28T00:00:00.000Z', 2, '2024-03-01T00:00:00.000Z'],
  ])('%s + %i days = %s', (createdAt, days, expected) => {
    expect(retentionExpiry(new Date(createdAt), days).toISOString()).toBe(expected);
  });

  it.each([0, -1, 1.5, Number.NaN, 3651])('refuses %s days', (days) => {
    expect(() => retentionExpiry(new Date(0), days)).toThrow(RangeError);
  });
});

describe('retentionDays', () => {
  it.each([
    ['agentMessages', {}, 400],
    ['userMessages', {}, 90],
    ['agentMessages', { RBM_AGENT_MESSAGE_RETENTION_DAYS: '30' }, 30],
    ['userMessages', { RBM_USER_MESSAGE_RETENTION_DAYS: '7' }, 7],
    ['userMessages', { RBM_AGENT_MESSAGE_RETENTION_DAYS: '7' }, 90],
  ] as const)('%s with %j → %i days', (collection, env, expected) => {
    expect(retentionDays(env, collection)).toBe(expected);
  });

  it.each([
    ['agentMessages', { RBM_AGENT_MESSAGE_RETENTION_DAYS: '0' }],
    ['agentMessages', { RBM_AGENT_MESSAGE_RETENTION_DAYS: 'forever' }],
    ['userMessages', { RBM_USER_MESSAGE_RETENTION_DAYS: '3651' }],
  ] as const)('%s with %j is a configuration error naming the variable', (collection, env) => {
    expect(() => retentionDays(env, collection)).toThrow(ConfigError);
    expect(() => retentionDays(env, collection)).toThrow(RETENTION[collection].variable);
  });

  it('names the field the TTL policies watch', () => {
    expect(RETENTION_FIELD).toBe('deleteAt');
  });
});
