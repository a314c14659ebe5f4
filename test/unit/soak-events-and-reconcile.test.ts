/** The soak's reading of tapped events (de-duplicated on eventKey) and of reconcile's remaining work. */
import { describe, expect, it } from 'vitest';
import type { TappedMessage } from '../../scripts/soak/clients.js';
import { indexFallbackEvents, indexStatusEvents } from '../../scripts/soak/event-index.js';
import { nextDueAt, passDidWork } from '../../scripts/soak/reconcile-drain.js';
import type { AgentMessageRecord } from '../../shared/delivery-state.js';
import type { ReconcileSummary } from '../../shared/reconcile/reconcile.js';

let nextId = 0;
function tapped(data: unknown, attributes: Record<string, string>): TappedMessage {
  return { id: String(++nextId), data: Buffer.from(JSON.stringify(data)), attributes };
}

const status = (id: string, state: string, previousState: string | null, extra: object = {}) =>
  tapped(
    { messageId: id, agentId: 'a', phoneNumber: '+15552000000', state, previousState, at: 'x', ...extra },
    { messageId: id, state, eventKey: `${id}/${state}` },
  );

describe('indexStatusEvents', () => {
  it('keeps one event per eventKey, whatever the key order of a republished copy', () => {
    const republished = tapped(
      {
        previousState: 'PENDING',
        state: 'SENT',
        phoneNumber: '+15552000000',
        at: 'x',
        agentId: 'a',
        messageId: 'm1',
      },
      { messageId: 'm1', state: 'SENT', eventKey: 'm1/SENT' },
    );
    const index = indexStatusEvents([
      status('m1', 'SENT', 'PENDING'),
      republished,
      status('m1', 'READ', 'SENT'),
    ]);
    expect(index).toMatchObject({ received: 3, distinct: 2, problems: [] });
    expect(index.byMessage.get('m1')?.map((event) => event.state)).toEqual(['SENT', 'READ']);
  });

  it.each<[string, TappedMessage]>([
    ['copies that disagree', status('m1', 'SENT', 'FAILED')],
    [
      'an eventKey that is not messageId/state',
      tapped(
        { messageId: 'm1', state: 'SENT', previousState: null },
        { messageId: 'm1', state: 'SENT', eventKey: 'm1/READ' },
      ),
    ],
    [
      'an unknown state',
      tapped({ messageId: 'm1', state: 'GONE', previousState: null }, { eventKey: 'm1/GONE' }),
    ],
    ['data that is not JSON', { id: 'x', data: Buffer.from('{'), attributes: { eventKey: 'm1/SENT' } }],
  ])('reports %s', (_name, bad) => {
    expect(indexStatusEvents([status('m1', 'SENT', 'PENDING'), bad]).problems).toHaveLength(1);
  });
});

describe('indexFallbackEvents', () => {
  const decision = (reason: string, key = 'm1/fallback') =>
    tapped(
      {
        messageId: 'm1',
        agentId: 'a',
        phoneNumber: '+1',
        reason,
        certainty: 'NOT_DELIVERED',
        decidedAt: 'x',
      },
      { messageId: 'm1', reason, certainty: 'NOT_DELIVERED', eventKey: key },
    );

  it('counts a redelivered decision once and reports attributes that disagree with the data', () => {
    expect(indexFallbackEvents([decision('REVOKED'), decision('REVOKED')])).toMatchObject({
      received: 2,
      distinct: 1,
      problems: [],
    });
    expect(indexFallbackEvents([decision('REVOKED', 'm1/REVOKED')]).problems).toHaveLength(1);
    expect(indexFallbackEvents([decision('REVOKED'), decision('EXPIRED')]).problems).toHaveLength(1);
  });
});

const summary = (change: Partial<ReconcileSummary>): ReconcileSummary => ({
  unconfirmed: { records: 0, published: 0, failed: 0 },
  consents: { phones: 0, published: 0, heldByAnother: 0, failed: 0 },
  timers: {
    afterFailedRevoke: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
    afterExpireTime: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
    pendingTimeout: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
  },
  revokeRequests: { due: 0, revoked: 0, notFound: 0, refused: 0, deferred: 0 },
  moreWork: false,
  ...change,
});

describe('passDidWork', () => {
  it.each<[string, ReconcileSummary, boolean]>([
    ['nothing', summary({}), false],
    ['a full batch', summary({ moreWork: true }), true],
    ['republished events', summary({ unconfirmed: { records: 1, published: 1, failed: 0 } }), true],
    [
      'consent changes published',
      summary({ consents: { phones: 1, published: 1, heldByAnother: 0, failed: 0 } }),
      true,
    ],
    [
      'a timer revoke, even one deferred',
      summary({
        timers: {
          ...summary({}).timers,
          afterExpireTime: { due: 1, revoked: 0, notFound: 0, deferred: 1 },
        },
      }),
      true,
    ],
    [
      'an open revoke request, even one deferred',
      summary({ revokeRequests: { due: 1, revoked: 0, notFound: 0, refused: 0, deferred: 1 } }),
      true,
    ],
  ])('%s → %s', (_name, pass, worked) => {
    expect(passDidWork(pass)).toBe(worked);
  });
});

describe('nextDueAt', () => {
  const settings = { graceMs: 1_000, pendingTimeoutMs: 5_000, unconfirmedAfterMs: 1_000 };
  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);
  const record = (change: Partial<AgentMessageRecord>): AgentMessageRecord => ({
    messageId: 'm',
    agentId: 'a',
    phoneNumber: '+15552000000',
    state: 'SENT',
    createdAt: at(0),
    updatedAt: at(0),
    attempts: 1,
    ...change,
  });

  it.each<[string, AgentMessageRecord[], Date | undefined]>([
    ['no work', [record({}), record({ state: 'READ' })], undefined],
    ['a sent message past its expiry, plus grace', [record({ expireTime: at(5_000) })], at(6_000)],
    [
      'a decided message needs no timer',
      [
        record({
          expireTime: at(5_000),
          fallback: { reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN', decidedAt: at(1) },
        }),
      ],
      undefined,
    ],
    ['a PENDING record after the timeout', [record({ state: 'PENDING' })], at(5_000)],
    [
      'the earliest of a failed revoke and a queued event',
      [
        record({ revokeFailed: true, revokeFailedAt: at(9_000) }),
        record({
          state: 'READ',
          outbox: [
            {
              eventKey: 'm/READ',
              topic: 'status',
              data: {},
              attributes: {},
              queuedAt: at(2_000).toISOString(),
            },
          ],
        }),
      ],
      at(3_000),
    ],
  ])('%s', (_name, records, due) => {
    expect(nextDueAt(records, settings)).toEqual(due);
  });
});
