import { describe, expect, it } from 'vitest';
import type { FieldViolation } from '../../shared/errors.js';
import {
  DEFAULT_RATE_PER_SECOND,
  MAX_RECIPIENTS,
  parseCampaignRequest,
  type CampaignRequest,
} from '../../shared/campaigns/request.js';
import { START_LEAD_MS } from '../../shared/campaigns/schedule.js';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const options = { now: NOW, newCampaignId: () => 'generated-id' };
const message = { contentMessage: { text: 'Spring sale' }, messageTrafficType: 'PROMOTION' };
const valid = { agentMessage: message, recipients: ['+15550100001', '+15550100002'] };

function accepted(body: Record<string, unknown>): CampaignRequest {
  const parsed = parseCampaignRequest(body, options);
  if (parsed.kind !== 'valid') throw new Error(JSON.stringify(parsed.violations));
  return parsed.request;
}

function violations(body: Record<string, unknown>): FieldViolation[] {
  const parsed = parseCampaignRequest(body, options);
  return parsed.kind === 'invalid' ? parsed.violations : [];
}

const fields = (body: Record<string, unknown>) => violations(body).map((v) => v.field);

describe('campaign request', () => {
  it('fills the defaults: a new id, rate 10, policy none, start after the lead', () => {
    const request = accepted(valid);
    expect(request).toMatchObject({
      campaignId: 'generated-id',
      ratePerSecond: DEFAULT_RATE_PER_SECOND,
      fallbackPolicy: 'none',
      recipients: ['+15550100001', '+15550100002'],
    });
    expect(request.startTime.getTime()).toBe(NOW.getTime() + START_LEAD_MS);
    expect(request.requestSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps what the caller chose', () => {
    const request = accepted({
      ...valid,
      campaignId: 'spring-2030',
      ratePerSecond: 2.5,
      startTime: '2030-01-02T10:00:00+01:00',
      fallbackPolicy: 'Critical',
    });
    expect(request).toMatchObject({
      campaignId: 'spring-2030',
      ratePerSecond: 2.5,
      fallbackPolicy: 'critical',
    });
    expect(request.startTime.toISOString()).toBe('2030-01-02T09:00:00.000Z');
  });

  it('drops duplicate recipients, keeping the first position of each', () => {
    const request = accepted({ ...valid, recipients: ['+15550100002', '+15550100001', '+15550100002'] });
    expect(request.recipients).toEqual(['+15550100002', '+15550100001']);
  });

  it('moves a start in the past to now plus the lead', () => {
    expect(accepted({ ...valid, startTime: '2029-12-31T00:00:00Z' }).startTime.getTime()).toBe(
      NOW.getTime() + START_LEAD_MS,
    );
  });

  it('the same body gives the same hash whatever the key order; another body another hash', () => {
    const a = accepted({ campaignId: 'c', ...valid });
    const b = accepted({ recipients: valid.recipients, agentMessage: message, campaignId: 'c' });
    const c = accepted({ campaignId: 'c', ...valid, ratePerSecond: 11 });
    expect(b.requestSha256).toBe(a.requestSha256);
    expect(c.requestSha256).not.toBe(a.requestSha256);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['campaignId with capitals', { ...valid, campaignId: 'Spring' }, ['campaignId']],
    ['campaignId of 65 characters', { ...valid, campaignId: 'a'.repeat(65) }, ['campaignId']],
    ['empty campaignId', { ...valid, campaignId: '' }, ['campaignId']],
    ['campaignId not a string', { ...valid, campaignId: 7 }, ['campaignId']],
    ['no agentMessage', { recipients: valid.recipients }, ['agentMessage']],
    [
      'invalid agentMessage',
      { ...valid, agentMessage: { contentMessage: {} } },
      ['agentMessage.contentMessage'],
    ],
    ['no recipients', { agentMessage: message }, ['recipients']],
    ['empty recipients', { ...valid, recipients: [] }, ['recipients']],
    ['recipients not a list', { ...valid, recipients: '+15550100001' }, ['recipients']],
    [
      'bad recipients, by index',
      { ...valid, recipients: ['+15550100001', '15550100002', 42, '+0123456789'] },
      ['recipients[1]', 'recipients[2]', 'recipients[3]'],
    ],
    ['rate 0', { ...valid, ratePerSecond: 0 }, ['ratePerSecond']],
    ['rate 501', { ...valid, ratePerSecond: 501 }, ['ratePerSecond']],
    ['rate as text', { ...valid, ratePerSecond: '10' }, ['ratePerSecond']],
    ['start 31 days ahead', { ...valid, startTime: '2030-02-01T00:00:01Z' }, ['startTime']],
    ['start not a timestamp', { ...valid, startTime: 'tomorrow' }, ['startTime']],
    ['unknown policy', { ...valid, fallbackPolicy: 'sometimes' }, ['fallbackPolicy']],
    ['unknown field', { ...valid, recipient: ['+15550100001'] }, ['recipient']],
    [
      'expireTime before the last send',
      {
        agentMessage: { contentMessage: { text: 'x' }, expireTime: '2030-01-01T00:00:05Z' },
        recipients: Array.from({ length: 100 }, (_, i) => `+1555010${String(1000 + i)}`),
        ratePerSecond: 10,
      },
      ['agentMessage.expireTime'],
    ],
    [
      'everything wrong at once',
      { campaignId: 'X', recipients: ['x'], ratePerSecond: 0, startTime: 'no', fallbackPolicy: 1 },
      ['campaignId', 'agentMessage', 'recipients[0]', 'ratePerSecond', 'startTime', 'fallbackPolicy'],
    ],
  ])('%s → 400 on %j', (_label, body, expected) => {
    expect(fields(body)).toEqual(expected);
  });

  it('accepts a start exactly 30 days ahead and 100,000 recipients', () => {
    const recipients = Array.from({ length: MAX_RECIPIENTS }, (_, i) => `+1555${String(i).padStart(7, '0')}`);
    const request = accepted({ ...valid, recipients, startTime: '2030-01-31T00:00:00Z' });
    expect(request.recipients).toHaveLength(MAX_RECIPIENTS);
  });

  it('refuses 100,001 distinct recipients but accepts 100,001 entries with a duplicate', () => {
    const recipients = Array.from(
      { length: MAX_RECIPIENTS + 1 },
      (_, i) => `+1555${String(i).padStart(7, '0')}`,
    );
    expect(fields({ ...valid, recipients })).toEqual(['recipients']);
    recipients[MAX_RECIPIENTS] = recipients[0] ?? '';
    expect(accepted({ ...valid, recipients }).recipients).toHaveLength(MAX_RECIPIENTS);
  });
});
