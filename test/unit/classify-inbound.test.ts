import { describe, expect, it } from 'vitest';
import { classifyInbound } from '../../shared/inbound/classify.js';

const phone = '+15551234567';
const agentId = 'my-agent@rbm.goog';
const sendTime = '2026-01-01T00:00:00.123456Z';

describe('classifyInbound', () => {
  it.each([
    ['text', 'hello'],
    ['location', { latitude: 1, longitude: 2 }],
    [
      'userFile',
      { payload: { mimeType: 'image/png', fileUri: 'https://x/y', fileSizeBytes: 3, fileName: 'a.png' } },
    ],
    ['suggestionResponse', { postbackData: 'yes', text: 'Yes', type: 'REPLY' }],
  ])('user message with %s', (content, payload) => {
    expect(
      classifyInbound(
        { senderPhoneNumber: phone, messageId: 'u1', sendTime, agentId, [content]: payload },
        {},
      ),
    ).toEqual({
      kind: 'userMessage',
      id: 'u1',
      phoneNumber: phone,
      agentId: 'my-agent',
      sendTime: new Date(sendTime),
      content,
      payload,
    });
  });

  it('a suggested-action tap with eventId and no messageId is keyed by its eventId', () => {
    const payload = classifyInbound(
      { senderPhoneNumber: phone, eventId: 'ev-7', agentId, suggestionResponse: { postbackData: 'p' } },
      {},
    );
    expect(payload).toMatchObject({ kind: 'userMessage', id: 'ev-7', content: 'suggestionResponse' });
  });

  it.each([
    ['DELIVERED', 'senderPhoneNumber'],
    ['READ', 'senderPhoneNumber'],
    ['TTL_EXPIRATION_REVOKED', 'phoneNumber'],
    ['TTL_EXPIRATION_REVOKE_FAILED', 'phoneNumber'],
  ])('%s event reads the phone from %s', (eventType, phoneField) => {
    expect(
      classifyInbound(
        { [phoneField]: phone, eventType, eventId: 'e1', messageId: 'm1', sendTime, agentId },
        {},
      ),
    ).toEqual({
      kind: 'deliveryEvent',
      eventType,
      eventId: 'e1',
      messageId: 'm1',
      phoneNumber: phone,
      agentId: 'my-agent',
      sendTime: new Date(sendTime),
    });
  });

  it.each([
    ['SUBSCRIBE', true],
    ['UNSUBSCRIBE', false],
  ])('%s is a consent change', (eventType, subscribed) => {
    expect(
      classifyInbound({ senderPhoneNumber: phone, eventType, eventId: 'e2', sendTime, agentId }, {}),
    ).toMatchObject({
      kind: 'consent',
      subscribed,
      phoneNumber: phone,
    });
  });

  it.each([
    ['SUBSCRIBE', true],
    ['UNSUBSCRIBE', false],
  ])(
    '%s without an eventId is still a consent change (nothing de-duplicates on it)',
    (eventType, subscribed) => {
      expect(classifyInbound({ senderPhoneNumber: phone, eventType, sendTime, agentId }, {})).toMatchObject({
        kind: 'consent',
        subscribed,
        phoneNumber: phone,
      });
    },
  );

  it('IS_TYPING is recognised and changes nothing', () => {
    expect(
      classifyInbound({ senderPhoneNumber: phone, eventType: 'IS_TYPING', eventId: 'e3', agentId }, {}),
    ).toMatchObject({
      kind: 'typing',
    });
  });

  it('an agent launch event is recognised by the envelope attribute', () => {
    const data = { eventId: 'l1', agentId, newLaunchState: 'LAUNCHED', sendTime };
    expect(classifyInbound(data, { type: 'agent_launch_event' })).toMatchObject({
      kind: 'launchEvent',
      eventId: 'l1',
      fields: data,
    });
  });

  it.each([
    ['a JSON array', [1, 2]],
    ['a string', 'hello'],
    ['an unknown shape', { hello: 'world' }],
    [
      'an unknown event type',
      { senderPhoneNumber: phone, eventType: 'EVENT_TYPE_UNSPECIFIED', eventId: 'e' },
    ],
    ['DELIVERED without messageId', { senderPhoneNumber: phone, eventType: 'DELIVERED', eventId: 'e' }],
    [
      'DELIVERED with a bad phone',
      { senderPhoneNumber: '555', eventType: 'DELIVERED', eventId: 'e', messageId: 'm' },
    ],
    ['a user message without id', { senderPhoneNumber: phone, text: 'x' }],
    [
      'a user message with two contents',
      { senderPhoneNumber: phone, messageId: 'm', text: 'x', location: {} },
    ],
    ['a text that is not a string', { senderPhoneNumber: phone, messageId: 'm', text: 5 }],
  ])('%s is unprocessable', (_name, data) => {
    expect(classifyInbound(data, {})).toMatchObject({ kind: 'unprocessable' });
  });
});
