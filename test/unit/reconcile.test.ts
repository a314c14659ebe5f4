/**
 * One reconcile pass against in-memory fakes of the store, RBM and the publisher: the timer rules and RBM's
 * answers, unconfirmed events, the batch bound, idempotence and the summary.
 */
import { describe, expect, it } from 'vitest';
import {
  applyFact,
  type AgentMessageRecord,
  type DeliveryFact,
  type MessageState,
} from '../../shared/delivery-state.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import { confirmPublished, withOutbox } from '../../shared/events/outbox.js';
import type { FallbackPolicy } from '../../shared/fallback-decision.js';
import { timerStartAt } from '../../shared/fallback/timers.js';
import { createLogger } from '../../shared/log/logger.js';
import type { RbmOutcome } from '../../shared/rbm/client.js';
import {
  reconcile,
  type ReconcileSettings,
  type ReconcileStore,
  type ReconcileSummary,
} from '../../shared/reconcile/reconcile.js';
import type { MutationResult } from '../../shared/store/optimistic.js';

const T0 = new Date('2026-03-01T12:00:00Z');
const seconds = (s: number) => new Date(T0.getTime() + s * 1000);
const SETTINGS: ReconcileSettings = {
  graceMs: 600_000,
  pendingTimeoutMs: 3_600_000,
  unconfirmedAfterMs: 60_000,
  batchSize: 50,
};
const silent = createLogger({}, () => undefined);

/** The store's queries and writes over a Map, with the same semantics as AgentMessageStore. */
class MemoryStore implements ReconcileStore {
  readonly records = new Map<string, AgentMessageRecord>();
  writes = 0;

  put(record: AgentMessageRecord): void {
    this.records.set(record.messageId, record);
  }

  async withUnconfirmedEvents(queuedBy: Date, limit: number) {
    return this.sorted(
      (r) => (r.outbox?.[0] ? Date.parse(r.outbox[0].queuedAt) : undefined),
      queuedBy,
      limit,
    );
  }

  async withTimerStartedBy(startedBy: Date, limit: number) {
    return this.sorted((r) => timerStartAt(r)?.getTime(), startedBy, limit);
  }

  async pendingCreatedBy(createdBy: Date, limit: number) {
    return this.sorted((r) => (r.state === 'PENDING' ? r.createdAt.getTime() : undefined), createdBy, limit);
  }

  async applyFact(messageId: string, fact: DeliveryFact): Promise<MutationResult<AgentMessageRecord>> {
    const before = this.records.get(messageId);
    const after = before === undefined ? undefined : applyFact(before, fact, this.now());
    if (before === undefined || after === undefined) return { before, after: before, written: false };
    this.put(after);
    this.writes += 1;
    return { before, after, written: true };
  }

  async confirmPublished(_written: unknown, messageId: string, eventKeys: readonly string[]) {
    const current = this.records.get(messageId);
    const next = current === undefined ? undefined : confirmPublished(current, eventKeys);
    if (next !== undefined) this.put(next);
  }

  now: () => Date = () => T0;

  private sorted(
    key: (record: AgentMessageRecord) => number | undefined,
    by: Date,
    limit: number,
  ): AgentMessageRecord[] {
    return [...this.records.values()]
      .map((record) => ({ record, at: key(record) }))
      .filter((entry): entry is { record: AgentMessageRecord; at: number } => entry.at !== undefined)
      .filter((entry) => entry.at <= by.getTime())
      .sort((a, b) => a.at - b.at)
      .slice(0, limit)
      .map((entry) => entry.record);
  }
}

type RbmAnswer = 'revoked' | 'notFound' | 'forbidden' | 'unavailable';

function fakeRbm(answers: Record<string, RbmAnswer>) {
  const deletes: string[] = [];
  return {
    deletes,
    deleteAgentMessage: async (_phone: string, messageId: string): Promise<RbmOutcome> => {
      deletes.push(messageId);
      const error = (code: number, status: string) => ({ code, status, message: status });
      switch (answers[messageId] ?? 'notFound') {
        case 'revoked':
          return { kind: 'ok', status: 200, body: {}, attempts: 1 };
        case 'notFound':
          return { kind: 'rejected', status: 404, error: error(404, 'NOT_FOUND'), attempts: 1 };
        case 'forbidden':
          return { kind: 'rejected', status: 403, error: error(403, 'PERMISSION_DENIED'), attempts: 1 };
        case 'unavailable':
          return { kind: 'unavailable', error: error(503, 'UNAVAILABLE'), attempts: 3 };
      }
    },
  };
}

function harness(answers: Record<string, RbmAnswer> = {}, failPublish = false) {
  const store = new MemoryStore();
  const rbm = fakeRbm(answers);
  const published: Array<{ topic: string; eventKey: string | undefined; data: unknown }> = [];
  const events = new OutcomePublisher({
    publish: async (topic, data, attributes) => {
      if (failPublish) throw new Error('Pub/Sub unavailable');
      published.push({ topic, eventKey: attributes?.eventKey, data: JSON.parse(data.toString()) });
      return String(published.length);
    },
    topics: { status: 'status', fallback: 'fallback' },
    store,
    logger: silent,
  });
  const pass = (now: Date, settings: ReconcileSettings = SETTINGS): Promise<ReconcileSummary> => {
    store.now = () => now;
    return reconcile(settings, { store, rbm, events, logger: silent, now: () => now });
  };
  return { store, rbm, published, pass };
}

function message(
  id: string,
  state: MessageState,
  policy: FallbackPolicy,
  extra: Partial<AgentMessageRecord> = {},
): AgentMessageRecord {
  return {
    messageId: id,
    agentId: 'agent',
    phoneNumber: '+15550000001',
    state,
    createdAt: T0,
    updatedAt: T0,
    attempts: 1,
    fallbackPolicy: policy,
    ...(state === 'SENT' ? { sentAt: T0 } : {}),
    ...extra,
  };
}

const failedRevoke = { revokeFailed: true, revokeFailedAt: T0 } as const;
const withExpiry = { expireTime: seconds(60) } as const;
const AFTER_GRACE = seconds(601);
const AFTER_EXPIRY_AND_GRACE = seconds(661);
const AFTER_PENDING_TIMEOUT = seconds(3600);

describe('reconcile: timer rules and RBM’s answer', () => {
  const rows: Array<{
    name: string;
    record: AgentMessageRecord;
    answer: RbmAnswer;
    now: Date;
    state: MessageState;
    fallback: { reason: string; certainty: string } | undefined;
    published: string[];
    counted: Partial<Record<'revoked' | 'notFound' | 'deferred', number>>;
  }> = [
    {
      name: 'failed revoke, 200 → REVOKED, NOT_DELIVERED',
      record: message('a', 'SENT', 'safe', failedRevoke),
      answer: 'revoked',
      now: AFTER_GRACE,
      state: 'REVOKED',
      fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED' },
      published: ['a/REVOKED', 'a/fallback'],
      counted: { revoked: 1 },
    },
    {
      name: 'failed revoke, 404, critical → REVOKE_UNCONFIRMED',
      record: message('a', 'SENT', 'critical', failedRevoke),
      answer: 'notFound',
      now: AFTER_GRACE,
      state: 'SENT',
      fallback: { reason: 'REVOKE_UNCONFIRMED', certainty: 'UNKNOWN' },
      published: ['a/fallback'],
      counted: { notFound: 1 },
    },
    {
      name: 'failed revoke, 404, safe → no decision',
      record: message('a', 'SENT', 'safe', failedRevoke),
      answer: 'notFound',
      now: AFTER_GRACE,
      state: 'SENT',
      fallback: undefined,
      published: [],
      counted: { notFound: 1 },
    },
    {
      name: 'past expireTime + grace, 200 → REVOKED (policy none: stored, not published as a decision)',
      record: message('a', 'SENT', 'none', withExpiry),
      answer: 'revoked',
      now: AFTER_EXPIRY_AND_GRACE,
      state: 'REVOKED',
      fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED' },
      published: ['a/REVOKED'],
      counted: { revoked: 1 },
    },
    {
      name: 'past expireTime + grace, 404, critical → NO_OUTCOME',
      record: message('a', 'SENT', 'critical', withExpiry),
      answer: 'notFound',
      now: AFTER_EXPIRY_AND_GRACE,
      state: 'SENT',
      fallback: { reason: 'NO_OUTCOME', certainty: 'UNKNOWN' },
      published: ['a/fallback'],
      counted: { notFound: 1 },
    },
    {
      name: 'PENDING past the timeout, 200 → REVOKED',
      record: message('a', 'PENDING', 'safe'),
      answer: 'revoked',
      now: AFTER_PENDING_TIMEOUT,
      state: 'REVOKED',
      fallback: { reason: 'REVOKED', certainty: 'NOT_DELIVERED' },
      published: ['a/REVOKED', 'a/fallback'],
      counted: { revoked: 1 },
    },
    {
      name: 'PENDING past the timeout, 404, critical → FAILED, NOT_SENT',
      record: message('a', 'PENDING', 'critical'),
      answer: 'notFound',
      now: AFTER_PENDING_TIMEOUT,
      state: 'FAILED',
      fallback: { reason: 'NOT_SENT', certainty: 'UNKNOWN' },
      published: ['a/FAILED', 'a/fallback'],
      counted: { notFound: 1 },
    },
    {
      name: 'PENDING past the timeout, 404, safe → FAILED without a decision',
      record: message('a', 'PENDING', 'safe'),
      answer: 'notFound',
      now: AFTER_PENDING_TIMEOUT,
      state: 'FAILED',
      fallback: undefined,
      published: ['a/FAILED'],
      counted: { notFound: 1 },
    },
    {
      name: 'RBM unavailable → deferred, record unchanged',
      record: message('a', 'SENT', 'critical', failedRevoke),
      answer: 'unavailable',
      now: AFTER_GRACE,
      state: 'SENT',
      fallback: undefined,
      published: [],
      counted: { deferred: 1 },
    },
  ];

  it.each(rows)('$name', async (row) => {
    const { store, rbm, published, pass } = harness({ a: row.answer });
    store.put(row.record);
    const summary = await pass(row.now);

    expect(rbm.deletes).toEqual(['a']);
    const after = store.records.get('a');
    expect(after?.state).toBe(row.state);
    if (row.fallback === undefined) expect(after?.fallback).toBeUndefined();
    else expect(after?.fallback).toMatchObject({ ...row.fallback, decidedAt: row.now });
    expect(published.map((event) => event.eventKey)).toEqual(row.published);
    expect(after?.outbox).toBeUndefined();
    const rule = Object.entries(summary.timers).find(([, counts]) => counts.due === 1)?.[0];
    expect(rule).toBeDefined();
    expect(summary.timers[rule as keyof ReconcileSummary['timers']]).toEqual({
      due: 1,
      revoked: 0,
      notFound: 0,
      deferred: 0,
      ...row.counted,
    });
    if (row.state === 'FAILED') {
      expect(after?.error).toMatchObject({
        code: 504,
        status: 'DEADLINE_EXCEEDED',
        reason: 'PENDING_TIMEOUT',
      });
    }
  });

  it('acts on nothing before a timer is due', async () => {
    const { store, rbm, pass } = harness({ a: 'revoked', b: 'revoked', c: 'revoked' });
    store.put(message('a', 'SENT', 'critical', failedRevoke));
    store.put(message('b', 'SENT', 'critical', withExpiry));
    store.put(message('c', 'PENDING', 'critical'));
    const summary = await pass(seconds(599));
    expect(rbm.deletes).toEqual([]);
    expect(Object.values(summary.timers).every((counts) => counts.due === 0)).toBe(true);
  });

  it('leaves messages with an outcome alone: delivered, decided, or already revoked once', async () => {
    const { store, rbm, pass } = harness();
    store.put(message('a', 'DELIVERED', 'critical', failedRevoke));
    store.put(
      message('b', 'SENT', 'critical', {
        ...withExpiry,
        fallback: { reason: 'REJECTED', certainty: 'NOT_DELIVERED', decidedAt: T0 },
      }),
    );
    store.put(
      message('c', 'SENT', 'safe', {
        ...failedRevoke,
        timerRevoke: { rule: 'afterFailedRevoke', answer: 'notFound', at: T0 },
      }),
    );
    await pass(seconds(10_000));
    expect(rbm.deletes).toEqual([]);
  });

  it.each([
    { answer: 'revoked' as const, state: 'REVOKED', statuses: ['a/REVOKED'] },
    { answer: 'notFound' as const, state: 'SENT', statuses: [] },
  ])(
    'a critical TTL revoke failure, decided at once, is revoked once more: RBM $answer → $state, the decision kept',
    async ({ answer, state, statuses }) => {
      const { store, rbm, published, pass } = harness({ a: answer });
      const decided = { reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN', decidedAt: T0 } as const;
      store.put(message('a', 'SENT', 'critical', { ...failedRevoke, fallback: decided }));
      const summary = await pass(AFTER_GRACE);
      expect(rbm.deletes).toEqual(['a']);
      expect(summary.timers.afterFailedRevoke).toMatchObject({ due: 1, [answer]: 1 });
      expect(store.records.get('a')).toMatchObject({ state, fallback: decided });
      // No second decision: only the state change is published.
      expect(published.map((event) => event.eventKey)).toEqual(statuses);
      await pass(seconds(10_000));
      expect(rbm.deletes).toEqual(['a']);
    },
  );

  it('tries a deferred revoke again on the next pass', async () => {
    const answers: Record<string, RbmAnswer> = { a: 'unavailable' };
    const { store, rbm, pass } = harness(answers);
    store.put(message('a', 'SENT', 'safe', failedRevoke));
    await pass(AFTER_GRACE);
    answers.a = 'revoked';
    const summary = await pass(seconds(900));
    expect(rbm.deletes).toEqual(['a', 'a']);
    expect(summary.timers.afterFailedRevoke).toMatchObject({ due: 1, revoked: 1 });
    expect(store.records.get('a')?.state).toBe('REVOKED');
  });
});

describe('reconcile: an open revoke request (its outcome was never written)', () => {
  const requested = { revokeRequestedAt: T0 } as const;

  it.each<{
    answer: RbmAnswer;
    state: MessageState;
    counted: 'revoked' | 'notFound' | 'refused' | 'deferred';
    open: boolean;
    revokeFailed?: boolean;
  }>([
    { answer: 'revoked', state: 'REVOKED', counted: 'revoked', open: false },
    { answer: 'notFound', state: 'SENT', counted: 'notFound', open: false, revokeFailed: true },
    { answer: 'forbidden', state: 'SENT', counted: 'refused', open: false },
    { answer: 'unavailable', state: 'SENT', counted: 'deferred', open: true },
  ])('RBM $answer → $state, request open: $open', async (row) => {
    const { store, rbm, published, pass } = harness({ a: row.answer });
    store.put(message('a', 'SENT', 'safe', requested));
    const summary = await pass(AFTER_GRACE);
    expect(rbm.deletes).toEqual(['a']);
    expect(summary.revokeRequests).toMatchObject({ due: 1, [row.counted]: 1 });
    const after = store.records.get('a');
    expect(after?.state).toBe(row.state);
    expect(after?.revokeRequestedAt !== undefined).toBe(row.open);
    expect(after?.revokeFailed).toBe(row.revokeFailed);
    // A recorded revoke publishes its status event like the revoke itself would have.
    const statuses = published.filter((event) => event.topic === 'status').map((event) => event.data);
    expect(statuses).toEqual(
      row.state === 'REVOKED' ? [expect.objectContaining({ messageId: 'a', state: 'REVOKED' })] : [],
    );
  });

  it('waits for the grace, so a revoke still in flight is not asked twice', async () => {
    const { store, rbm, pass } = harness({ a: 'revoked' });
    store.put(message('a', 'SENT', 'safe', requested));
    const summary = await pass(seconds(599));
    expect(rbm.deletes).toEqual([]);
    expect(summary.revokeRequests.due).toBe(0);
  });

  it('is finished even on a record whose fallback is already decided (no timer rule left)', async () => {
    const { store, pass } = harness({ a: 'revoked' });
    const decided = {
      fallback: { reason: 'NO_OUTCOME', certainty: 'UNKNOWN', decidedAt: T0 },
    } as Partial<AgentMessageRecord>;
    store.put(message('a', 'SENT', 'safe', { ...requested, ...decided }));
    await pass(AFTER_GRACE);
    expect(store.records.get('a')?.state).toBe('REVOKED');
  });

  it('a finished request is not due again', async () => {
    const { store, rbm, pass } = harness({ a: 'revoked' });
    store.put(message('a', 'SENT', 'safe', requested));
    await pass(AFTER_GRACE);
    const second = await pass(seconds(5000));
    expect(rbm.deletes).toEqual(['a']);
    expect(second.revokeRequests.due).toBe(0);
  });
});

describe('reconcile: unconfirmed events', () => {
  /** A record whose SENT event was written at `queuedAt` and never confirmed. */
  function unconfirmed(id: string, queuedAt: Date): AgentMessageRecord {
    const pending = message(id, 'PENDING', 'safe', { createdAt: queuedAt, updatedAt: queuedAt });
    const sent = applyFact(pending, { kind: 'sent', at: queuedAt, attempts: 1 }, queuedAt);
    if (sent === undefined) throw new Error('no transition');
    return sent;
  }

  it('publishes events queued at least unconfirmedAfter ago and confirms them; younger ones wait', async () => {
    const { store, published, pass } = harness();
    store.put(unconfirmed('old', seconds(0)));
    store.put(unconfirmed('young', seconds(100)));
    const summary = await pass(seconds(120));
    expect(summary.unconfirmed).toEqual({ records: 1, published: 1, failed: 0 });
    expect(published).toEqual([
      { topic: 'status', eventKey: 'old/SENT', data: expect.objectContaining({ state: 'SENT' }) },
    ]);
    expect(store.records.get('old')?.outbox).toBeUndefined();
    expect(store.records.get('young')?.outbox).toHaveLength(1);
  });

  it('keeps an event whose publish fails, counts it, and publishes it on a later pass', async () => {
    const failing = harness({}, true);
    failing.store.put(unconfirmed('a', seconds(0)));
    const summary = await failing.pass(seconds(120));
    expect(summary.unconfirmed).toEqual({ records: 1, published: 0, failed: 1 });
    expect(failing.store.records.get('a')?.outbox).toHaveLength(1);
  });

  it('is bounded by the batch size and says when more work waits', async () => {
    const { store, published, pass } = harness();
    for (let i = 0; i < 5; i++) store.put(unconfirmed(`m${i}`, seconds(i)));
    const settings = { ...SETTINGS, batchSize: 2 };
    const first = await pass(seconds(200), settings);
    expect(first.unconfirmed.records).toBe(2);
    expect(first.moreWork).toBe(true);
    // Oldest first.
    expect(published.map((event) => event.eventKey)).toEqual(['m0/SENT', 'm1/SENT']);
    await pass(seconds(200), settings);
    const third = await pass(seconds(200), settings);
    expect(third.unconfirmed.records).toBe(1);
    expect(third.moreWork).toBe(false);
    expect(published).toHaveLength(5);
  });

  it('bounds timer work by the batch size too', async () => {
    const answers = Object.fromEntries(
      Array.from({ length: 3 }, (_, i) => [`p${i}`, 'revoked' as RbmAnswer]),
    );
    const { store, rbm, pass } = harness(answers);
    for (let i = 0; i < 3; i++) store.put(message(`p${i}`, 'PENDING', 'safe', { createdAt: seconds(i) }));
    const first = await pass(seconds(4000), { ...SETTINGS, batchSize: 2 });
    expect(rbm.deletes).toEqual(['p0', 'p1']);
    expect(first.moreWork).toBe(true);
  });
});

describe('reconcile: idempotent', () => {
  it('a second pass finds nothing new: no revoke, no publish, no write', async () => {
    const { store, rbm, published, pass } = harness({ a: 'revoked', b: 'notFound', c: 'revoked' });
    store.put(message('a', 'SENT', 'safe', failedRevoke));
    store.put(message('b', 'SENT', 'critical', withExpiry));
    store.put(
      withOutbox(
        message('c', 'PENDING', 'critical', { createdAt: seconds(-10) }),
        message('c', 'SENT', 'critical', { sentAt: seconds(-10), updatedAt: seconds(-10) }),
      ),
    );
    const first = await pass(seconds(5000));
    const counts = { deletes: rbm.deletes.length, published: published.length, writes: store.writes };
    expect(counts.deletes).toBe(2);
    expect(first.unconfirmed.published).toBe(1);

    const second = await pass(seconds(5060));
    expect(second).toEqual({
      unconfirmed: { records: 0, published: 0, failed: 0 },
      consents: { phones: 0, published: 0, heldByAnother: 0, failed: 0 },
      timers: {
        afterFailedRevoke: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
        afterExpireTime: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
        pendingTimeout: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
      },
      revokeRequests: { due: 0, revoked: 0, notFound: 0, refused: 0, deferred: 0 },
      moreWork: false,
    });
    expect({ deletes: rbm.deletes.length, published: published.length, writes: store.writes }).toEqual(
      counts,
    );
  });
});
