import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { isValidIdempotencyKey, messageIdForIdempotencyKey, newMessageId } from '../../shared/ids.js';
import { parseAgentMessagePath } from '../../shared/outbound/request-checks.js';
import { isE164 } from '../../shared/phone.js';

describe('E.164', () => {
  it.each([
    ['+1234567', true],
    ['+123456789012345', true],
    ['+123456', false],
    ['+1234567890123456', false],
    ['+0123456789', false],
    ['15551234567', false],
    ['+1555-123-4567', false],
    ['+1555 1234567', false],
  ])('%s → %s', (phone, valid) => {
    expect(isE164(phone)).toBe(valid);
  });
});

describe('message ids', () => {
  it('a fresh id is a UUID v4', () => {
    const id = newMessageId();
    expect(validate(id) && version(id)).toBe(4);
  });

  it('an Idempotency-Key gives a stable UUID v5 per agent', () => {
    const a = messageIdForIdempotencyKey('agent-a', 'order-42');
    expect(version(a)).toBe(5);
    expect(messageIdForIdempotencyKey('agent-a', 'order-42')).toBe(a);
    expect(messageIdForIdempotencyKey('agent-b', 'order-42')).not.toBe(a);
    expect(messageIdForIdempotencyKey('agent-a', 'order-43')).not.toBe(a);
  });

  it.each([
    ['k', true],
    ['x'.repeat(256), true],
    ['', false],
    ['x'.repeat(257), false],
    ['tab\there', false],
    ['naïve', true],
    ['x'.repeat(255) + 'é', true],
    ['line\nbreak', false],
  ])('Idempotency-Key %j valid: %s', (key, valid) => {
    expect(isValidIdempotencyKey(key)).toBe(valid);
  });
});

describe('agent message paths', () => {
  it.each([
    ['/v1/phones/+15551234567/agentMessages', { phoneNumber: '+15551234567', messageId: undefined }],
    ['/v1/phones/%2B15551234567/agentMessages', { phoneNumber: '+15551234567', messageId: undefined }],
    ['/v1/phones/+15551234567/agentMessages/abc', { phoneNumber: '+15551234567', messageId: 'abc' }],
    ['/v1/phones/+15551234567/agentMessages/', { phoneNumber: '+15551234567', messageId: undefined }],
    ['/v1/phones/+1/agents', undefined],
    ['/', undefined],
    ['/v1/phones/%E0%A4%A/agentMessages', undefined],
  ])('%s', (path, expected) => {
    expect(parseAgentMessagePath(path)).toEqual(expected);
  });
});
