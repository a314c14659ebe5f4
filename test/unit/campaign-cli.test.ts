import { describe, expect, it } from 'vitest';
import {
  dispatchedOf,
  isFinished,
  progressBar,
  progressLine,
} from '../../devtools/clients/campaign-progress.js';
import type { CampaignView } from '../../devtools/clients/campaigns-client.js';
import { recipientsFromCsv } from '../../scripts/rbm/campaign-command.js';

const view: CampaignView = {
  campaignId: 'spring',
  state: 'RUNNING',
  recipientCount: 10_000,
  ratePerSecond: 50,
  startTime: '2030-01-01T00:00:00.000Z',
  chunkCount: 10,
  enqueuedChunks: 7,
  counts: {
    PENDING: 2,
    SENT: 4_150,
    DELIVERED: 48,
    READ: 0,
    REVOKED: 0,
    EXPIRED: 0,
    FAILED: 0,
    NOT_DISPATCHED: 5_800,
  },
};

describe('campaign progress', () => {
  it.each([
    [0, '[----------]'],
    [0.42, '[####------]'],
    [1, '[##########]'],
    [1.5, '[##########]'],
    [Number.NaN, '[----------]'],
  ])('a bar at %f is %s', (fraction, bar) => {
    expect(progressBar(fraction, 10)).toBe(bar);
  });

  it('one line: state, bar, percent, dispatched, chunks still enqueueing, non-zero states', () => {
    expect(progressLine(view, 10)).toBe(
      'RUNNING   [####------]  42% · 4,200/10,000 dispatched · chunks 7/10 enqueued · PENDING 2 SENT 4,150 DELIVERED 48',
    );
  });

  it('counts the recipients with a record as dispatched; none before the first read of counts', () => {
    expect(dispatchedOf(view)).toBe(4_200);
    expect(dispatchedOf({ recipientCount: 5 })).toBe(0);
  });

  it.each([
    ['SCHEDULED', false],
    ['RUNNING', false],
    ['COMPLETED', true],
    ['CANCELLED', true],
  ] as const)('%s is finished: %s', (state, finished) => {
    expect(isFinished({ state })).toBe(finished);
  });
});

describe('recipients from a CSV', () => {
  it('takes the first column, skipping blanks, comments and a header', () => {
    const csv = 'phone,name\n+15550100001,Ada\n"+15550100002";Bob\n\n# left out\n+15550100003\t Cy\r\n';
    expect(recipientsFromCsv(csv)).toEqual(['+15550100001', '+15550100002', '+15550100003']);
  });

  it('passes invalid numbers on (the function reports each by index)', () => {
    expect(recipientsFromCsv('+15550100001\n5550100002\n')).toEqual(['+15550100001', '5550100002']);
  });
});
