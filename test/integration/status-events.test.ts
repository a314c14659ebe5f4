/**
 * Status events on rbm-message-status, end to end on the emulators with the built bundles: their shape and
 * attributes, one per state change, and the publish that failed after the state was written made later by the
 * inbound redelivery or by reconcile.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FunctionServer } from '../../devtools/function-server.js';
import { deliveredEvent, readEvent, ttlRevokedEvent } from '../../sandbox/fake-rbm/index.js';
import { REDELIVERY_PUBLISH_AFTER_MS } from '../../shared/inbound/process-inbound.js';
import { FAULT_SHARE_VARIABLE } from '../../shared/pubsub/fault-injection.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { emulatorContext } from '../support/emulator-context.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { deliver } from '../support/inbound-delivery.js';
import {
  eventsOf,
  sendTo,
  settledCount,
  storedRecord,
  useOutcomeStack,
  waitForEvents,
  waitForRecord,
} from '../support/outcome-stack.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

const stack = useOutcomeStack({ autoDeliver: false });
const agentId = TEST_AGENT_ID;
const iso = (value: unknown) => (value as Date).toISOString();

describe('status events', () => {
  it('send → DELIVERED → READ: one event per change, none for PENDING, with the documented shape', async () => {
    const phone = testPhone();
    const { id, answer } = await sendTo(stack().local.functions.send.url, phone, {
      headers: { 'Correlation-Id': 'order-42/line 7', 'Fallback-Policy': 'safe' },
    });
    expect(answer.status).toBe(200);
    await waitForEvents(stack().status, id, [`${id}/SENT`]);
    await stack().local.rbm.deliver(id);
    await waitForEvents(stack().status, id, [`${id}/DELIVERED`]);
    await stack().local.rbm.read(id);
    const [sent, delivered, read] = await waitForEvents(stack().status, id, [
      `${id}/SENT`,
      `${id}/DELIVERED`,
      `${id}/READ`,
    ]);
    const record = await waitForRecord(id, (r) => r.outbox === undefined, 'outbox confirmed');

    expect(sent?.attributes).toEqual({ messageId: id, state: 'SENT', eventKey: `${id}/SENT` });
    expect(sent?.json).toEqual({
      messageId: id,
      agentId,
      phoneNumber: phone,
      state: 'SENT',
      previousState: 'PENDING',
      at: iso(record.sentAt),
      correlationId: 'order-42/line 7',
    });
    expect(delivered?.attributes).toEqual({
      messageId: id,
      state: 'DELIVERED',
      eventKey: `${id}/DELIVERED`,
    });
    expect(delivered?.json).toMatchObject({
      state: 'DELIVERED',
      previousState: 'SENT',
      at: iso(record.deliveredAt),
      correlationId: 'order-42/line 7',
    });
    expect(read?.json).toMatchObject({
      state: 'READ',
      previousState: 'DELIVERED',
      at: iso(record.readAt),
      correlationId: 'order-42/line 7',
    });
    expect(new Date((read?.json as { at: string }).at).toISOString()).toBe((read?.json as { at: string }).at);

    // A repeated DELIVERED changes no state: no event.
    await stack().local.rbm.callback(deliveredEvent({ phone, agentId, messageId: id }));
    expect(await settledCount(stack().status, id)).toBe(3);
    expect(eventsOf(stack().status, id).map((event) => event.attributes.state)).not.toContain('PENDING');
  });

  it('an event for an unknown message id creates the record with previousState null', async () => {
    const phone = testPhone();
    const id = randomUUID();
    await stack().local.rbm.callback(deliveredEvent({ phone, agentId, messageId: id }));
    const [event] = await waitForEvents(stack().status, id, [`${id}/DELIVERED`]);
    expect(event?.json).toMatchObject({
      messageId: id,
      phoneNumber: phone,
      state: 'DELIVERED',
      previousState: null,
    });
    expect(event?.json).not.toHaveProperty('correlationId');
    expect(await settledCount(stack().status, id)).toBe(1);
  });

  it('echoes the correlationId and campaignId of the record in every event', async () => {
    const phone = testPhone();
    const id = randomUUID();
    const now = new Date();
    // What campaign dispatch writes: a record that belongs to a campaign.
    await new AgentMessageStore(firestoreAdmin()).createPending({
      messageId: id,
      agentId,
      phoneNumber: phone,
      state: 'SENT',
      createdAt: now,
      updatedAt: now,
      sentAt: now,
      attempts: 1,
      correlationId: 'crm-7',
      campaignId: 'spring-sale',
      fallbackPolicy: 'safe',
    });
    await stack().local.rbm.callback(deliveredEvent({ phone, agentId, messageId: id }));
    const [event] = await waitForEvents(stack().status, id, [`${id}/DELIVERED`]);
    expect(event?.json).toMatchObject({
      state: 'DELIVERED',
      previousState: 'SENT',
      correlationId: 'crm-7',
      campaignId: 'spring-sale',
    });
  });

  it('events duplicated and reordered many times still publish each state change once', async () => {
    const phone = testPhone();
    const sendUrl = stack().local.functions.send.url;
    const ids = await Promise.all(Array.from({ length: 5 }, async () => (await sendTo(sendUrl, phone)).id));
    await Promise.all(ids.map((id) => waitForEvents(stack().status, id, [`${id}/SENT`])));
    const events = ids.flatMap((messageId) => [
      deliveredEvent({ phone, agentId, messageId, eventId: `d-${messageId}` }),
      readEvent({ phone, agentId, messageId, eventId: `r-${messageId}` }),
    ]);
    const all = [...events, ...events, ...events];
    for (let i = all.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [all[i], all[j]] = [all[j]!, all[i]!];
    }
    const answers = await Promise.all(all.map((event) => stack().local.rbm.callback(event)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);

    for (const id of ids) {
      await waitForRecord(id, (r) => r.state === 'READ' && r.outbox === undefined);
      await waitForEvents(stack().status, id, [`${id}/READ`]);
    }
    for (const id of ids) {
      await settledCount(stack().status, id, 300);
      const keys = eventsOf(stack().status, id).map((event) => event.attributes.eventKey);
      expect(new Set(keys).size).toBe(keys.length);
      // A READ that overtook its DELIVERED leaves no DELIVERED change to publish.
      expect([...keys].sort()).toEqual(expect.arrayContaining([`${id}/READ`, `${id}/SENT`]));
      expect(keys.length).toBeLessThanOrEqual(3);
    }
  });

  describe('a publish that fails after the state was written', () => {
    let faultySend: FunctionServer | undefined;
    let faultyInbound: FunctionServer | undefined;
    const withFaults = { [FAULT_SHARE_VARIABLE]: '1' };

    it('is published by reconcile, once, and confirmed on the record', async () => {
      faultySend ??= await stack().extra('send', withFaults);
      const phone = testPhone();
      const { id, answer } = await sendTo(faultySend.url, phone);
      expect(answer.status).toBe(200);
      const queued = await storedRecord(id);
      expect(queued).toMatchObject({ state: 'SENT', outbox: [{ eventKey: `${id}/SENT`, topic: 'status' }] });
      expect(faultySend.logs().join('\n')).toContain('Event publish failed');
      expect(eventsOf(stack().status, id)).toHaveLength(0);

      // Reconcile takes events queued at least RBM_RECONCILE_UNCONFIRMED_AFTER_S ago.
      const summary = await pollUntil(
        async () => {
          const pass = await stack().reconcile();
          return pass.unconfirmed.published > 0 ? pass : undefined;
        },
        { description: 'reconcile publishing the queued event', timeoutMs: 10_000, intervalMs: 250 },
      );
      expect(summary.unconfirmed).toEqual({ records: 1, published: 1, failed: 0 });
      const [event] = await waitForEvents(stack().status, id, [`${id}/SENT`]);
      expect(event?.json).toMatchObject({ state: 'SENT', previousState: 'PENDING' });
      expect(await storedRecord(id)).not.toHaveProperty('outbox');
      expect(await stack().reconcile()).toMatchObject({ unconfirmed: { records: 0, published: 0 } });
      expect(await settledCount(stack().status, id)).toBe(1);
    });

    it('is published by the redelivery of the inbound event that caused it (status and fallback)', async () => {
      faultyInbound ??= await stack().extra('inbound', withFaults);
      const phone = testPhone();
      const { id } = await sendTo(stack().local.functions.send.url, phone, {
        headers: { 'Fallback-Policy': 'safe' },
      });
      await waitForEvents(stack().status, id, [`${id}/SENT`]);
      const input = {
        data: ttlRevokedEvent({ phone, agentId, messageId: id }),
        messageId: `pub-${randomUUID()}`,
      };
      const { projectId } = emulatorContext();
      const first = await deliver(faultyInbound.url, projectId, input);
      expect(first.status).toBe(500); // Pub/Sub redelivers
      expect(await storedRecord(id)).toMatchObject({
        state: 'EXPIRED',
        fallback: { reason: 'EXPIRED', certainty: 'NOT_DELIVERED' },
        outbox: [{ eventKey: `${id}/EXPIRED` }, { eventKey: `${id}/fallback` }],
      });

      // Pub/Sub redelivers after the subscription's minimum backoff (10 s in Terraform); a redelivery that
      // comes sooner may meet the first attempt still publishing, and leaves young entries to it or reconcile.
      const outbox = (await storedRecord(id))?.outbox as Array<{ queuedAt: string }>;
      const queuedAt = Date.parse(outbox[0]?.queuedAt ?? '');
      await pollUntil(() => (Date.now() >= queuedAt + REDELIVERY_PUBLISH_AFTER_MS ? true : undefined), {
        description: 'the redelivery backoff',
        timeoutMs: REDELIVERY_PUBLISH_AFTER_MS + 5_000,
        intervalMs: 100,
      });
      expect((await deliver(faultyInbound.url, projectId, input)).status).toBe(204);
      await waitForEvents(stack().status, id, [`${id}/EXPIRED`]);
      const [decision] = await waitForEvents(stack().fallback, id, [`${id}/fallback`]);
      expect(decision?.json).toMatchObject({ reason: 'EXPIRED', certainty: 'NOT_DELIVERED' });
      expect(await storedRecord(id)).not.toHaveProperty('outbox');
      expect(await settledCount(stack().status, id)).toBe(2); // SENT, EXPIRED
      expect(eventsOf(stack().fallback, id)).toHaveLength(1);
    });
  });
});
