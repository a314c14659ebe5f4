/** processInbound against in-memory storage, claims and a recording publisher. */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  deliveredEvent,
  isTypingEvent,
  readEvent,
  ttlRevokedEvent,
  ttlRevokeFailedEvent,
  unsubscribeEvent,
  userText,
} from '../../../sandbox/fake-rbm/payloads.js';
import type { Consent } from '../../../shared/consent/consent-rules.js';
import { processInbound } from '../../../shared/inbound/process-inbound.js';
import { createLogger } from '../../../shared/log/logger.js';
import type { Reject } from '../../../shared/store/inbound-rejects.js';
import { InMemoryAgentMessages } from '../../support/in-memory-agent-messages.js';
import { MemoryClaims } from '../../support/in-memory-user-messages.js';
import { inboundDeps, INBOUND_TEST_AGENT } from '../../support/inbound-deps.js';
import { recordingPublisher } from '../../support/recording-publisher.js';

const AGENT = INBOUND_TEST_AGENT;
const PHONE = '+15550107777';

function push(payload: unknown) {
  return {
    message: {
      data: Buffer.from(JSON.stringify(payload)).toString('base64'),
      messageId: randomUUID(),
      attributes: {},
    },
  };
}

function harness() {
  const agentMessages = new InMemoryAgentMessages();
  const claims = new MemoryClaims();
  const rejects: Reject[] = [];
  const consents: Consent[] = [];
  const consentClaimHolders: Array<string | undefined> = [];
  const seen: string[] = [];
  const recorder = recordingPublisher();
  const deps = inboundDeps(
    {
      storage: {
        applyEvent: (event) => agentMessages.applyEvent(event),
        userMessages: claims,
        recordReject: async (reject) => {
          rejects.push(reject);
          return `reject-${rejects.length}`;
        },
        recordLaunchEvent: async () => true,
      },
      agentMessages,
      publish: recorder.publish,
    },
    {
      recordConsent: async (change, pubsubMessageId) => {
        consents.push(change);
        consentClaimHolders.push(pubsubMessageId);
        return true;
      },
      onNewUserMessage: async ({ messageId }) => {
        seen.push(messageId);
      },
    },
  );
  const handle = (payload: unknown) => processInbound(push(payload), randomUUID(), deps);
  const handleRaw = (data: string) =>
    processInbound(
      { message: { data: Buffer.from(data).toString('base64'), messageId: randomUUID() } },
      undefined,
      deps,
    );
  return {
    handleRaw,
    agentMessages,
    claims,
    rejects,
    consents,
    consentClaimHolders,
    deps,
    seen,
    published: recorder.published,
    failNext: recorder.failNext,
    handle,
  };
}

describe('processInbound', () => {
  it('a DELIVERED for an unknown id creates the record and publishes its status event with previousState null', async () => {
    const h = harness();
    const id = randomUUID();
    expect(await h.handle(deliveredEvent({ phone: PHONE, agentId: AGENT, messageId: id }))).toBe(
      'deliveryEventApplied',
    );
    expect(h.agentMessages.records.get(id)?.state).toBe('DELIVERED');
    expect(h.published).toEqual([
      expect.objectContaining({
        topic: 'status',
        json: expect.objectContaining({ state: 'DELIVERED', previousState: null }),
      }),
    ]);
  });

  it('the same event twice changes nothing the second time', async () => {
    const h = harness();
    const event = readEvent({ phone: PHONE, agentId: AGENT, messageId: randomUUID() });
    await h.handle(event);
    expect(await h.handle(event)).toBe('duplicate');
    expect(h.published.filter((p) => p.topic === 'status')).toHaveLength(1);
  });

  it('a status publish that fails is thrown for redelivery, and stays queued on the record', async () => {
    const h = harness();
    const id = randomUUID();
    h.failNext(1);
    await expect(h.handle(deliveredEvent({ phone: PHONE, agentId: AGENT, messageId: id }))).rejects.toThrow(
      /redelivery/,
    );
    expect(h.agentMessages.records.get(id)?.outbox).toHaveLength(1);
  });

  it.each([
    { event: 'DELIVERED', build: deliveredEvent, field: 'deliveredAt', stamped: 'the event’s sendTime' },
    { event: 'READ', build: readEvent, field: 'readAt', stamped: 'the event’s sendTime' },
    { event: 'TTL_EXPIRATION_REVOKED', build: ttlRevokedEvent, field: 'expiredAt', stamped: 'when learnt' },
    {
      event: 'TTL_EXPIRATION_REVOKE_FAILED',
      build: ttlRevokeFailedEvent,
      field: 'revokeFailedAt',
      stamped: 'when learnt',
    },
  ] as const)('$event sets $field to $stamped', async ({ build, field, stamped }) => {
    const h = harness();
    const id = randomUUID();
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const before = Date.now();
    await h.handle(build({ phone: PHONE, agentId: AGENT, messageId: id, sendTime: anHourAgo.toISOString() }));
    const value = h.agentMessages.records.get(id)?.[field];
    expect(value).toBeInstanceOf(Date);
    if (stamped === 'when learnt') expect(value?.getTime()).toBeGreaterThanOrEqual(before);
    else expect(value?.getTime()).toBe(anHourAgo.getTime());
  });

  it('a TTL revoke failure marks revokeFailed with when it was learnt', async () => {
    const h = harness();
    const id = randomUUID();
    await h.handle(ttlRevokeFailedEvent({ phone: PHONE, agentId: AGENT, messageId: id }));
    const record = h.agentMessages.records.get(id);
    expect(record?.revokeFailed).toBe(true);
    expect(record?.revokeFailedAt).toBeInstanceOf(Date);
  });

  it('a user text is stored and published once, and the hook sees every copy', async () => {
    const h = harness();
    const message = userText({ phone: PHONE, agentId: AGENT, text: 'When do you open?' });
    expect(await h.handle(message)).toBe('userMessagePublished');
    expect(await h.handle(message)).toBe('duplicate');
    expect(h.published.filter((p) => p.topic === 'user-messages')).toHaveLength(1);
    expect(h.seen).toEqual([message.messageId, message.messageId]);
    expect(h.consents).toEqual([]);
  });

  it.each([
    ['stop', false],
    [' Arrêt ', false],
    ['START', true],
  ])(
    'the keyword %j changes consent (subscribed: %s) and the message is still stored',
    async (text, subscribed) => {
      const h = harness();
      const message = userText({ phone: PHONE, agentId: AGENT, text });
      expect(await h.handle(message)).toBe('userMessagePublished');
      expect(h.consents).toEqual([
        expect.objectContaining({ phoneNumber: PHONE, subscribed, source: 'KEYWORD' }),
      ]);
    },
  );

  it.each([
    ['IS_TYPING', isTypingEvent({ phone: PHONE, agentId: AGENT }), 'typing', 'ignored'],
    ['UNSUBSCRIBE', unsubscribeEvent({ phone: PHONE, agentId: AGENT }), 'consent', 'consentRecorded'],
  ] as const)(
    'the processed line of %s names its event id, so one event can be followed',
    async (_type, event, kind, outcome) => {
      const lines: string[] = [];
      const h = harness();
      const deps = { ...h.deps, logger: createLogger({}, (line) => lines.push(line)) };
      await processInbound(push(event), randomUUID(), deps);
      const processed = lines
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => entry.message === 'Inbound processed');
      expect(processed).toEqual([expect.objectContaining({ kind, outcome, eventId: event.eventId })]);
    },
  );

  it('UNSUBSCRIBE is a consent change from the event', async () => {
    const h = harness();
    expect(await h.handle(unsubscribeEvent({ phone: PHONE, agentId: AGENT }))).toBe('consentRecorded');
    expect(h.consents).toEqual([expect.objectContaining({ subscribed: false, source: 'EVENT' })]);
  });

  it('a consent change is published under its Pub/Sub message id, so its redelivery resumes its claim', async () => {
    const h = harness();
    const event = push(unsubscribeEvent({ phone: PHONE, agentId: AGENT }));
    const keyword = push(userText({ phone: PHONE, agentId: AGENT, text: 'STOP' }));
    await processInbound(event, event.message.messageId, h.deps);
    await processInbound(keyword, keyword.message.messageId, h.deps);
    expect(h.consentClaimHolders).toEqual([event.message.messageId, keyword.message.messageId]);
  });

  it.each([
    ['not JSON', 'this is not json', /not JSON/],
    [
      'for another agent',
      JSON.stringify(userText({ phone: PHONE, agentId: 'someone-else', text: 'hi' })),
      /another agent/,
    ],
    [
      'with an id Firestore reserves',
      JSON.stringify({ ...userText({ phone: PHONE, agentId: AGENT, text: 'hi' }), messageId: '__x__' }),
      /./,
    ],
  ])('a payload %s is kept as a reject and acknowledged', async (_what, data, reason) => {
    const h = harness();
    expect(await h.handleRaw(data)).toBe('rejected');
    expect(h.rejects).toEqual([
      expect.objectContaining({
        reason: expect.stringMatching(reason),
        data: Buffer.from(data).toString('base64'),
      }),
    ]);
    expect(h.published).toEqual([]);
  });
});
