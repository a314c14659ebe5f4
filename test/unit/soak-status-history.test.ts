/** The soak's check that the status events seen account for every change of a record's state. */
import { describe, expect, it } from 'vitest';
import {
  statusHistoryProblems,
  type RecordTimeline,
  type SeenStatusEvent,
} from '../../scripts/soak/status-history.js';
import type { MessageState } from '../../shared/delivery-state.js';

const t = (second: number) => new Date(Date.UTC(2030, 0, 1, 9, 0, second));
const event = (state: MessageState, previousState: MessageState | null, second: number): SeenStatusEvent => ({
  state,
  previousState,
  at: t(second).toISOString(),
});

const read: RecordTimeline = { state: 'READ', sentAt: t(1), deliveredAt: t(2), readAt: t(3) };
const raced: RecordTimeline = {
  state: 'READ',
  sentAt: t(1),
  revokedAt: t(2),
  deliveredAt: t(3),
  readAt: t(4),
};
const refused: RecordTimeline = { state: 'FAILED', failedAt: t(1) };

describe('statusHistoryProblems', () => {
  it.each<[string, RecordTimeline, SeenStatusEvent[], 'PENDING' | 'final', number]>([
    [
      'every step of PENDING → SENT → DELIVERED → READ',
      read,
      [event('SENT', 'PENDING', 1), event('DELIVERED', 'SENT', 2), event('READ', 'DELIVERED', 3)],
      'PENDING',
      0,
    ],
    [
      'READ before DELIVERED: DELIVERED was never a state',
      read,
      [event('SENT', 'PENDING', 1), event('READ', 'SENT', 3)],
      'PENDING',
      0,
    ],
    [
      'in any order of arrival',
      read,
      [event('READ', 'DELIVERED', 3), event('SENT', 'PENDING', 1), event('DELIVERED', 'SENT', 2)],
      'PENDING',
      0,
    ],
    [
      'a revoke race: REVOKED, then READ',
      raced,
      [event('SENT', 'PENDING', 1), event('REVOKED', 'SENT', 2), event('READ', 'REVOKED', 4)],
      'PENDING',
      0,
    ],
    ['a refusal created FAILED', refused, [event('FAILED', null, 1)], 'final', 0],
    ['a record still PENDING and no event', { state: 'PENDING' }, [], 'PENDING', 0],
    [
      'the SENT event missing',
      read,
      [event('DELIVERED', 'SENT', 2), event('READ', 'DELIVERED', 3)],
      'PENDING',
      1,
    ],
    [
      'a middle event missing',
      raced,
      [event('SENT', 'PENDING', 1), event('READ', 'REVOKED', 4)],
      'PENDING',
      1,
    ],
    [
      'the final event missing',
      read,
      [event('SENT', 'PENDING', 1), event('DELIVERED', 'SENT', 2)],
      'PENDING',
      1,
    ],
    ['no event at all', read, [], 'PENDING', 1],
    [
      'an event at another time than the record',
      read,
      [event('SENT', 'PENDING', 9), event('READ', 'SENT', 3)],
      'PENDING',
      1,
    ],
    [
      'an event for a state the record has no time for',
      { state: 'SENT', sentAt: t(1) },
      [event('SENT', 'PENDING', 1), event('REVOKED', 'SENT', 2)],
      'PENDING',
      2,
    ],
    [
      'two states of one rank',
      { state: 'EXPIRED', sentAt: t(1), revokedAt: t(2), expiredAt: t(3) },
      [event('SENT', 'PENDING', 1), event('REVOKED', 'SENT', 2), event('EXPIRED', 'SENT', 3)],
      'PENDING',
      1,
    ],
    ['a refusal whose event claims a previous state', refused, [event('FAILED', 'PENDING', 1)], 'final', 1],
    [
      'events for a record still PENDING',
      { state: 'PENDING', sentAt: t(1) },
      [event('SENT', 'PENDING', 1)],
      'PENDING',
      1,
    ],
  ])('%s', (_name, record, events, createdIn, problems) => {
    expect(statusHistoryProblems(record, events, createdIn)).toHaveLength(problems);
  });
});
