/** sendMessage against in-memory storage, a scripted RBM and a recording publisher. */
import { describe, expect, it } from 'vitest';
import { OutcomePublisher } from '../../../shared/publishing/outcome-publisher.js';
import { createLogger } from '../../../shared/log/logger.js';
import { sendMessage, type SendDeps, type SendRequest } from '../../../shared/outbound/send-message.js';
import type { Consent } from '../../../shared/consent/consent-rules.js';
import { InMemoryAgentMessages } from '../../support/in-memory-agent-messages.js';
import { ScriptedRbm, rejected, unavailable } from '../../support/fake-rbm-port.js';
import { recordingPublisher } from '../../support/recording-publisher.js';

const PHONE = '+15550101234';
const ID = '6f1c3b0e-9d2a-4c1e-8b7a-2f3d4e5f6a7b';
const TEXT = { contentMessage: { text: 'Your parcel ships today' } };
const silent = createLogger({}, () => undefined);

function harness(options: { consent?: Consent; mode?: 'promotional' | 'strict' | 'off' } = {}) {
  const store = new InMemoryAgentMessages();
  const rbm = new ScriptedRbm();
  const { publish, published, failNext } = recordingPublisher();
  const events = new OutcomePublisher({
    publish,
    topics: { status: 'status', fallback: 'fallback' },
    store,
    logger: silent,
  });
  const deps: SendDeps = {
    agentId: 'agent',
    store,
    rbm,
    logger: silent,
    events,
    consent: { mode: options.mode ?? 'promotional', get: async () => options.consent },
  };
  const send = (request: Partial<SendRequest> = {}) =>
    sendMessage(
      {
        phoneNumber: PHONE,
        messageId: ID,
        agentId: undefined,
        idempotencyKey: undefined,
        body: TEXT,
        ...request,
      },
      deps,
    );
  return { store, rbm, published, failNext, send, deps };
}

describe('sendMessage', () => {
  it('records SENT, answers RBM body and publishes one SENT status event', async () => {
    const h = harness();
    const outcome = await h.send({ correlationId: 'order-42' });
    expect(outcome).toMatchObject({ kind: 'sent', messageId: ID, replayed: false });
    expect(h.store.records.get(ID)).toMatchObject({ state: 'SENT', attempts: 1, correlationId: 'order-42' });
    expect(h.store.records.get(ID)?.outbox).toBeUndefined();
    expect(h.published).toHaveLength(1);
    expect(h.published[0]).toMatchObject({
      topic: 'status',
      json: { messageId: ID, state: 'SENT', previousState: 'PENDING', correlationId: 'order-42' },
      attributes: { eventKey: `${ID}/SENT`, state: 'SENT' },
    });
  });

  it('replays a settled message without calling RBM again', async () => {
    const h = harness();
    await h.send();
    const again = await h.send();
    expect(again).toMatchObject({ kind: 'sent', replayed: true });
    expect(h.rbm.creates).toHaveLength(1);
  });

  it('refuses an id reused for another body, whatever the state', async () => {
    const h = harness();
    await h.send();
    expect(await h.send({ body: { contentMessage: { text: 'other' } } })).toEqual({
      kind: 'idConflict',
      messageId: ID,
    });
  });

  it.each([
    [404, 'NOT_REACHABLE'],
    [400, 'REJECTED'],
  ])('RBM %s: FAILED with a %s decision, published under policy safe', async (status, reason) => {
    const h = harness();
    h.rbm.answerCreates(rejected(status));
    const outcome = await h.send({ fallbackPolicy: 'safe' });
    expect(outcome).toMatchObject({ kind: 'rejected', status });
    expect(h.store.records.get(ID)).toMatchObject({
      state: 'FAILED',
      fallback: { reason, certainty: 'NOT_DELIVERED' },
    });
    expect(h.published.map((p) => p.topic).sort()).toEqual(['fallback', 'status']);
  });

  it.each([
    { answer: 'RBM 404', script: () => rejected(404), told: [PHONE] },
    { answer: 'RBM 400', script: () => rejected(400), told: [] },
    { answer: 'RBM unavailable', script: () => unavailable(), told: [] },
    { answer: 'RBM 200', script: undefined, told: [] },
  ])('$answer: the capability cache is told the phone is not reachable: $told', async ({ script, told }) => {
    const h = harness();
    const notReachable: string[] = [];
    if (script) h.rbm.answerCreates(script());
    await sendMessage(
      { phoneNumber: PHONE, messageId: ID, agentId: undefined, idempotencyKey: undefined, body: TEXT },
      { ...h.deps, onNotReachable: async (phone) => void notReachable.push(phone) },
    );
    expect(notReachable).toEqual(told);
  });

  it('a capability cache that cannot be written does not change the answer', async () => {
    const h = harness();
    h.rbm.answerCreates(rejected(404));
    const outcome = await sendMessage(
      { phoneNumber: PHONE, messageId: ID, agentId: undefined, idempotencyKey: undefined, body: TEXT },
      { ...h.deps, onNotReachable: () => Promise.reject(new Error('storage deadline')) },
    );
    expect(outcome).toMatchObject({ kind: 'rejected', status: 404 });
    expect(h.store.records.get(ID)?.state).toBe('FAILED');
  });

  it('policy none stores the decision but publishes no fallback event', async () => {
    const h = harness();
    h.rbm.answerCreates(rejected(404));
    await h.send();
    expect(h.store.records.get(ID)?.fallback?.reason).toBe('NOT_REACHABLE');
    expect(h.published.map((p) => p.topic)).toEqual(['status']);
  });

  it('RBM 409 means RBM already has the id: SENT and replayed', async () => {
    const h = harness();
    h.rbm.answerCreates(rejected(409, 'ALREADY_EXISTS'));
    expect(await h.send()).toMatchObject({ kind: 'sent', replayed: true });
    expect(h.store.records.get(ID)?.state).toBe('SENT');
  });

  it('RBM unavailable keeps PENDING; the same id later completes it', async () => {
    const h = harness();
    h.rbm.answerCreates(unavailable());
    expect(await h.send()).toMatchObject({ kind: 'rbmUnavailable', messageId: ID });
    expect(h.store.records.get(ID)).toMatchObject({ state: 'PENDING', attempts: 3 });
    expect(await h.send()).toMatchObject({ kind: 'sent', replayed: false });
    expect(h.rbm.creates).toHaveLength(2);
  });

  it('a storage failure after RBM accepted still answers with the chosen id', async () => {
    const h = harness();
    const original = h.rbm.createAgentMessage.bind(h.rbm);
    h.rbm.createAgentMessage = async (...args) => {
      const answer = await original(...args);
      h.store.failNext = 1;
      return answer;
    };
    expect(await h.send({ messageId: undefined, idempotencyKey: 'k-1' })).toMatchObject({
      kind: 'storageUnavailable',
    });
  });

  it('an unsubscribed phone: PROMOTION refused, FAILED with attempts 0, no RBM call, no decision', async () => {
    const consent: Consent = {
      phoneNumber: PHONE,
      agentId: 'agent',
      subscribed: false,
      changedAt: new Date(),
      source: 'KEYWORD',
    };
    const h = harness({ consent });
    const outcome = await h.send({
      body: { ...TEXT, messageTrafficType: 'PROMOTION' },
      fallbackPolicy: 'critical',
    });
    expect(outcome).toEqual({ kind: 'unsubscribed', messageId: ID, replayed: false });
    expect(h.rbm.creates).toHaveLength(0);
    const record = h.store.records.get(ID);
    expect(record).toMatchObject({
      state: 'FAILED',
      attempts: 0,
      error: { reason: 'RECIPIENT_UNSUBSCRIBED' },
    });
    expect(record?.fallback).toBeUndefined();
    expect(h.published).toHaveLength(1);
    expect(h.published[0]?.json).toMatchObject({ state: 'FAILED', previousState: null });
  });

  it.each([
    { failure: 'transient (UNAVAILABLE)', code: 14, kind: 'storageUnavailable' },
    { failure: 'permanent (FAILED_PRECONDITION)', code: 9, kind: 'internalError' },
    { failure: 'a bug (no gRPC code)', code: undefined, kind: 'internalError' },
  ])(
    'a $failure storage failure after RBM accepted still answers with the chosen id',
    async ({ code, kind }) => {
      const h = harness();
      h.store.applyFactToCreated = () => Promise.reject(Object.assign(new Error('write failed'), { code }));
      expect(await h.send({ messageId: undefined, idempotencyKey: 'k-2' })).toEqual({
        kind,
        messageId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(h.rbm.creates).toHaveLength(1);
    },
  );

  it('a PENDING message re-sent after the phone unsubscribed: refused, not replayed as sent, left to reconcile', async () => {
    const h = harness();
    const promotion = { ...TEXT, messageTrafficType: 'PROMOTION' };
    h.rbm.answerCreates(unavailable());
    expect(await h.send({ body: promotion })).toMatchObject({ kind: 'rbmUnavailable' });
    const creates = h.rbm.creates.length;
    const unsubscribed: Consent = {
      phoneNumber: PHONE,
      agentId: 'agent',
      subscribed: false,
      changedAt: new Date(),
      source: 'EVENT',
    };
    h.deps.consent = { mode: 'promotional', get: async () => unsubscribed };
    expect(await h.send({ body: promotion })).toEqual({
      kind: 'unsubscribed',
      messageId: ID,
      replayed: false,
    });
    expect(h.rbm.creates).toHaveLength(creates);
    // Still PENDING: reconcile's pending timeout revokes whatever an earlier attempt left at RBM.
    expect(h.store.records.get(ID)?.state).toBe('PENDING');
  });

  it('an unsubscribed phone still gets an AUTHENTICATION message in promotional mode', async () => {
    const consent: Consent = {
      phoneNumber: PHONE,
      agentId: 'agent',
      subscribed: false,
      changedAt: new Date(),
      source: 'API',
    };
    const h = harness({ consent });
    expect(await h.send({ body: { ...TEXT, messageTrafficType: 'AUTHENTICATION' } })).toMatchObject({
      kind: 'sent',
    });
  });

  it('a failed event publish leaves the event queued on the record for reconcile', async () => {
    const h = harness();
    h.failNext(1);
    expect(await h.send()).toMatchObject({ kind: 'sent' });
    expect(h.store.records.get(ID)?.outbox?.map((entry) => entry.eventKey)).toEqual([`${ID}/SENT`]);
  });

  it('invalid headers are reported with the body violations', async () => {
    const h = harness();
    await expect(h.send({ fallbackPolicy: 'sometimes', correlationId: '' })).rejects.toMatchObject({
      code: 400,
      details: [
        { fieldViolations: expect.arrayContaining([expect.objectContaining({ field: 'Fallback-Policy' })]) },
      ],
    });
    expect(h.store.records.size).toBe(0);
  });

  it('failInvalidAs records an invalid body FAILED, but never a bad phone (nothing to record: 400)', async () => {
    const h = harness();
    const failInvalidAs = () => ({
      code: 400,
      status: 'FAILED_PRECONDITION',
      message: 'late',
      reason: 'LATE',
    });
    const expired = { ...TEXT, expireTime: '2020-01-01T00:00:00Z' };
    await expect(h.send({ body: expired, phoneNumber: 'not-a-phone', failInvalidAs })).rejects.toMatchObject({
      code: 400,
    });
    expect(h.store.records.size).toBe(0);
    expect(await h.send({ body: expired, failInvalidAs })).toMatchObject({
      kind: 'rejected',
      status: 400,
      error: { reason: 'LATE' },
      replayed: false,
    });
    expect(h.store.records.get(ID)).toMatchObject({
      state: 'FAILED',
      attempts: 0,
      error: { reason: 'LATE' },
    });
    expect(h.rbm.creates).toHaveLength(0);
  });
});
