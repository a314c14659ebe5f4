import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  agentLaunchEvent,
  deliveredEvent,
  isTypingEvent,
  readEvent,
  signedCallback,
  subscribeEvent,
  suggestionActionTap,
  suggestionReply,
  ttlRevokedEvent,
  ttlRevokeFailedEvent,
  unsubscribeEvent,
  userEvent,
  userFileMessage,
  userLocation,
  userText,
  webhookEnvelope,
} from '../../sandbox/fake-rbm/payloads.js';
import { sign } from '../../sandbox/fake-rbm/signature.js';

const agentId = 'test-agent';
const phone = '+15550001234';
const messageId = '6f1c2b1e-2d2f-4b8e-9c3a-0a1b2c3d4e5f';

/** Computed independently of signature.ts, from the documented recipe. */
function expectedSignature(data: Buffer, token: string): string {
  return createHmac('sha512', Buffer.from(token, 'utf8')).update(data).digest().toString('base64');
}

describe('sign', () => {
  it('is base64 HMAC-SHA512 of the bytes, keyed by the client token', () => {
    const data = Buffer.from('{"text":"héllo"}', 'utf8');
    const signature = sign(data, 'client-token');
    expect(signature).toBe(expectedSignature(data, 'client-token'));
    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
  });

  it('changes with the token and with the data', () => {
    const data = Buffer.from('payload');
    expect(sign(data, 'a')).not.toBe(sign(data, 'b'));
    expect(sign(data, 'a')).not.toBe(sign(Buffer.from('payloaD'), 'a'));
  });
});

describe('webhook envelope', () => {
  it('carries base64 JSON of the payload, the attributes, ids and the subscription', () => {
    const payload = userText({ agentId, phone, text: 'hi', messageId: 'user-msg-1' });
    const { envelope, data } = webhookEnvelope(payload, {
      attributes: { a: 'b' },
      envelopeMessageId: '123',
      publishTime: '2026-01-01T00:00:00.000Z',
    });
    expect(JSON.parse(Buffer.from(envelope.message.data, 'base64').toString('utf8'))).toEqual(payload);
    expect(Buffer.from(envelope.message.data, 'base64').equals(data)).toBe(true);
    expect(envelope.message).toMatchObject({
      attributes: { a: 'b' },
      messageId: '123',
      message_id: '123',
      publishTime: '2026-01-01T00:00:00.000Z',
      publish_time: '2026-01-01T00:00:00.000Z',
    });
    expect(envelope.subscription).toBe('projects/rbm-partner/subscriptions/rbm-sub');
  });

  it('has no attributes field when there are none', () => {
    expect(webhookEnvelope(isTypingEvent({ agentId, phone })).envelope.message).not.toHaveProperty(
      'attributes',
    );
  });

  it('signs the decoded data bytes, not the HTTP body', () => {
    const callback = signedCallback(readEvent({ agentId, phone, messageId }), 'secret-token');
    const body = JSON.parse(callback.body) as { message: { data: string } };
    const decoded = Buffer.from(body.message.data, 'base64');
    expect(callback.headers['X-Goog-Signature']).toBe(expectedSignature(decoded, 'secret-token'));
    expect(callback.headers['X-Goog-Signature']).not.toBe(
      expectedSignature(Buffer.from(callback.body), 'secret-token'),
    );
  });
});

describe('payload builders', () => {
  it('builds the four user message kinds with the agent id suffixed', () => {
    const base = { agentId, phone };
    const kinds = [
      userText({ ...base, text: 'hello' }),
      userFileMessage(base),
      userLocation(base),
      suggestionReply({ ...base, postbackData: 'yes' }),
    ];
    expect(kinds.map((payload) => Object.keys(payload).find((key) => key in KIND_KEYS))).toEqual([
      'text',
      'userFile',
      'location',
      'suggestionResponse',
    ]);
    for (const payload of kinds) {
      expect(payload).toMatchObject({ senderPhoneNumber: phone, agentId: 'test-agent@rbm.goog' });
      expect(payload.messageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(new Date(payload.sendTime).toISOString()).toBe(payload.sendTime);
      expect(payload).not.toHaveProperty('eventType');
    }
  });

  it('builds the suggested-action tap with an eventId and no messageId', () => {
    const tap = suggestionActionTap({ agentId, phone, postbackData: 'open_url', eventId: 'evt-1' });
    expect(tap).toEqual({
      senderPhoneNumber: phone,
      eventId: 'evt-1',
      sendTime: tap.sendTime,
      agentId: 'test-agent@rbm.goog',
      suggestionResponse: { postbackData: 'open_url' },
    });
  });

  it('builds user events, with messageId only on DELIVERED and READ', () => {
    expect(deliveredEvent({ agentId, phone, messageId })).toMatchObject({
      senderPhoneNumber: phone,
      eventType: 'DELIVERED',
      messageId,
      agentId: 'test-agent@rbm.goog',
    });
    expect(readEvent({ agentId, phone, messageId }).eventType).toBe('READ');
    for (const event of [
      isTypingEvent({ agentId, phone }),
      subscribeEvent({ agentId, phone }),
      unsubscribeEvent({ agentId, phone }),
    ]) {
      expect(event).not.toHaveProperty('messageId');
      expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(() => userEvent({ agentId, phone, eventType: 'READ' })).toThrow(/message id/);
  });

  it('builds server events with phoneNumber, not senderPhoneNumber', () => {
    const revoked = ttlRevokedEvent({ agentId, phone, messageId, eventId: 'e' });
    expect(revoked).toEqual({
      phoneNumber: phone,
      agentId: 'test-agent@rbm.goog',
      messageId,
      eventType: 'TTL_EXPIRATION_REVOKED',
      eventId: 'e',
      sendTime: revoked.sendTime,
    });
    expect(ttlRevokeFailedEvent({ agentId, phone, messageId })).not.toHaveProperty('senderPhoneNumber');
  });

  it('marks the agent launch event in the envelope attributes', () => {
    const launch = agentLaunchEvent({ agentId: 'test-agent@rbm.goog' });
    expect(launch.attributes.type).toBe('agent_launch_event');
    expect(launch.payload.agentId).toBe('test-agent@rbm.goog');
    expect(launch.payload.newLaunchState).toBe('LAUNCHED');
    const { envelope } = webhookEnvelope(launch.payload, { attributes: launch.attributes });
    expect(envelope.message.attributes).toMatchObject({ type: 'agent_launch_event', product: 'RBM' });
  });
});

const KIND_KEYS = { text: true, userFile: true, location: true, suggestionResponse: true };
