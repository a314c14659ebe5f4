import { describe, expect, it } from 'vitest';
import { validate, version, v5 as uuidv5 } from 'uuid';
import {
  campaignCounts,
  campaignView,
  transitionCampaign,
  type CampaignRecord,
} from '../../shared/campaign-record.js';
import { campaignMessageId, chunkTaskName, recipientTaskName } from '../../shared/campaigns/ids.js';
import {
  CHUNK_SIZE,
  SCHEDULING_HORIZON_MS,
  chunkCountFor,
  chunkPositions,
  chunkTaskTime,
  chunkWithinHorizon,
  effectiveStartTime,
  lastSendTime,
  scheduleTimeOf,
  splitIntoChunks,
  START_LEAD_MS,
} from '../../shared/campaigns/schedule.js';
import { parseDispatchBody, parseEnqueueBody } from '../../shared/campaigns/tasks.js';
import { IDEMPOTENCY_KEY_NAMESPACE } from '../../shared/ids.js';

const start = new Date('2030-01-01T00:00:00.000Z');
const QUEUE = 'projects/rbm-local/locations/local/queues/rbm-campaigns';

describe('pacing', () => {
  it.each([
    [0, 10, 0],
    [1, 10, 100],
    [10, 10, 1000],
    [999, 500, 1998],
    [1, 3, 333],
    [2, 3, 667],
    [3, 1, 3000],
  ])('position %i at %i/s is due %i ms after the start', (position, rate, offset) => {
    expect(
      scheduleTimeOf({ startTime: start, ratePerSecond: rate }, position).getTime() - start.getTime(),
    ).toBe(offset);
  });

  it('the last of 2,000 at 100/s is due 19.99 s after the start', () => {
    expect(lastSendTime({ startTime: start, ratePerSecond: 100 }, 2000).getTime() - start.getTime()).toBe(
      19_990,
    );
  });

  it.each([
    ['absent', undefined, START_LEAD_MS],
    ['in the past', new Date(start.getTime() - 60_000), START_LEAD_MS],
    ['within the lead', new Date(start.getTime() + 500), START_LEAD_MS],
    ['later than the lead', new Date(start.getTime() + 60_000), 60_000],
  ])('a start %s becomes now + %i ms', (_label, requested, offset) => {
    expect(effectiveStartTime(requested, start).getTime() - start.getTime()).toBe(offset);
  });
});

describe('chunks', () => {
  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [100_000, 100],
  ])('%i recipients make %i chunks', (recipients, chunks) => {
    expect(chunkCountFor(recipients)).toBe(chunks);
  });

  it('splits in order, the last chunk holding the rest', () => {
    const recipients = Array.from({ length: 2500 }, (_, i) => i);
    const chunks = splitIntoChunks(recipients);
    expect(chunks.map((c) => c.length)).toEqual([CHUNK_SIZE, CHUNK_SIZE, 500]);
    expect(chunks.flat()).toEqual(recipients);
    expect(chunkPositions(2, 2500)).toEqual({ first: 2000, end: 2500 });
  });

  it('a chunk runs now unless its last recipient is beyond the horizon', () => {
    const pacing = {
      startTime: new Date(start.getTime() + SCHEDULING_HORIZON_MS - 1_000_000),
      ratePerSecond: 1,
    };
    // Chunk 0 ends 999 s after the start: within the horizon. Chunk 1 ends 1,999 s after it: beyond.
    expect(chunkWithinHorizon(pacing, 0, 5000, start)).toBe(true);
    expect(chunkTaskTime(pacing, 0, 5000, start)).toEqual(start);
    expect(chunkWithinHorizon(pacing, 1, 5000, start)).toBe(false);
    const later = chunkTaskTime(pacing, 1, 5000, start);
    expect(later.getTime() - start.getTime()).toBe(1_999_000 - 1_000_000);
    expect(chunkWithinHorizon(pacing, 1, 5000, later)).toBe(true);
  });
});

describe('ids and task names', () => {
  it('a recipient’s message id is the UUID v5 of campaign/{id}/{E.164} in the idempotency namespace', () => {
    const id = campaignMessageId('spring', '+15550100001');
    expect(validate(id) && version(id)).toBe(5);
    expect(id).toBe(uuidv5('campaign/spring/+15550100001', IDEMPOTENCY_KEY_NAMESPACE));
    expect(IDEMPOTENCY_KEY_NAMESPACE).toBe(uuidv5('rbm-functions:idempotency-key', uuidv5.URL));
    expect(IDEMPOTENCY_KEY_NAMESPACE).toBe('6d5d6eb0-7ed6-540a-b27e-ea6ee390f39d'); // as docs/campaigns.md says
    expect(campaignMessageId('spring', '+15550100002')).not.toBe(id);
    expect(campaignMessageId('autumn', '+15550100001')).not.toBe(id);
  });

  it('task names are stable, distinct and hashed (no shared prefix beyond the queue)', () => {
    const a = recipientTaskName(QUEUE, campaignMessageId('spring', '+15550100001'));
    expect(recipientTaskName(QUEUE, campaignMessageId('spring', '+15550100001'))).toBe(a);
    expect(a).toMatch(new RegExp(`^${QUEUE}/tasks/[0-9a-f]{32}$`));
    const names = new Set([
      a,
      recipientTaskName(QUEUE, campaignMessageId('spring', '+15550100002')),
      chunkTaskName(QUEUE, 'spring', 0, 0),
      chunkTaskName(QUEUE, 'spring', 1, 0),
      chunkTaskName(QUEUE, 'spring', 0, 1),
    ]);
    expect(names.size).toBe(5);
  });
});

describe('task bodies', () => {
  it.each<[Record<string, unknown>, string[]]>([
    [{ campaignId: 'c', phoneNumber: '+15550100001', position: 0 }, []],
    [{ campaignId: 'd', phoneNumber: '+15550100001', position: 0 }, ['campaignId']],
    [{ campaignId: 'c', phoneNumber: '5550100001', position: -1 }, ['phoneNumber', 'position']],
    [{ campaignId: 'c', phoneNumber: '+15550100001', position: 1.5 }, ['position']],
  ])('dispatch %j → %j', (body, expected) => {
    const parsed = parseDispatchBody(body, 'c');
    expect(parsed.kind === 'invalid' ? parsed.violations.map((v) => v.field) : []).toEqual(expected);
  });

  it.each<[Record<string, unknown>, string[]]>([
    [{ campaignId: 'c', chunk: 3 }, []],
    [{ campaignId: 'c', chunk: 3, generation: 2 }, []],
    [{ campaignId: 'c', chunk: '3' }, ['chunk']],
    [{ campaignId: 'c', chunk: 0, generation: -1 }, ['generation']],
  ])('enqueue %j → %j', (body, expected) => {
    const parsed = parseEnqueueBody(body, 'c');
    expect(parsed.kind === 'invalid' ? parsed.violations.map((v) => v.field) : []).toEqual(expected);
  });
});

const record: CampaignRecord = {
  campaignId: 'spring',
  state: 'SCHEDULED',
  recipientCount: 10,
  ratePerSecond: 10,
  startTime: start,
  createdAt: start,
  updatedAt: start,
  contentType: 'text',
  fallbackPolicy: 'none',
  chunkCount: 1,
  chunkSize: CHUNK_SIZE,
  requestSha256: 'abc',
  agentMessageJson: '{"contentMessage":{"text":"secret"}}',
};

describe('campaign document', () => {
  it('counts every state and NOT_DISPATCHED, zeros included', () => {
    expect(campaignCounts({ SENT: 3, FAILED: 1 }, 10)).toEqual({
      PENDING: 0,
      SENT: 3,
      DELIVERED: 0,
      READ: 0,
      REVOKED: 0,
      EXPIRED: 0,
      FAILED: 1,
      NOT_DISPATCHED: 6,
    });
  });

  it('the view has RFC 3339 times and no internal fields', () => {
    const view = campaignView(record, { enqueuedChunks: 1, counts: campaignCounts({}, 10) });
    expect(view).toMatchObject({
      campaignId: 'spring',
      startTime: '2030-01-01T00:00:00.000Z',
      enqueuedChunks: 1,
    });
    expect(view).not.toHaveProperty('agentMessageJson');
    expect(view).not.toHaveProperty('requestSha256');
    expect(JSON.stringify(view)).not.toContain('secret');
  });

  it.each<[CampaignRecord['state'], 'RUNNING' | 'COMPLETED' | 'CANCELLED', string | undefined]>([
    ['SCHEDULED', 'RUNNING', 'RUNNING'],
    ['RUNNING', 'RUNNING', undefined],
    ['SCHEDULED', 'COMPLETED', 'COMPLETED'],
    ['RUNNING', 'COMPLETED', 'COMPLETED'],
    ['RUNNING', 'CANCELLED', 'CANCELLED'],
    ['CANCELLED', 'COMPLETED', undefined],
    ['COMPLETED', 'CANCELLED', undefined],
    ['CANCELLED', 'CANCELLED', undefined],
  ])('%s → %s gives %s', (from, to, expected) => {
    const at = new Date(start.getTime() + 1000);
    const next = transitionCampaign({ ...record, state: from }, to, at);
    expect(next?.state).toBe(expected);
    if (next) expect(next.updatedAt).toEqual(at);
  });
});
