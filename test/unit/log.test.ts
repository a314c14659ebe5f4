import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/logger.js';
import { maskPhone } from '../../shared/phone.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ function: 'test' }, (line) =>
    lines.push(JSON.parse(line) as Record<string, unknown>),
  );
  return { logger, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}

describe('logger', () => {
  it('writes Cloud Logging JSON with severity, message and fields', () => {
    const { logger, lines } = capture();
    logger.warn('retrying', { messageId: 'abc', attempt: 2 });
    expect(lines[0]).toMatchObject({
      severity: 'WARNING',
      message: 'retrying',
      function: 'test',
      messageId: 'abc',
      attempt: 2,
    });
  });

  it('masks phone numbers in fields, free text and URL-encoded paths', () => {
    const { logger, text } = capture();
    logger.info('POST /v1/phones/+15551234567/agentMessages and %2B447700900123', {
      phoneNumber: '+15551234567',
      nested: { senderPhoneNumber: '+447700900123', note: 'call +33612345678' },
    });
    const out = text();
    for (const full of ['15551234567', '447700900123', '33612345678']) expect(out).not.toContain(full);
    expect(out).toContain('4567');
  });

  it('masks a phone number glued to a word character', () => {
    const { logger, text } = capture();
    logger.info('id +15551234567_x', { ref: 'msg-%2B15551234567abc' });
    const out = text();
    expect(out).not.toContain('5551234567');
    expect(out).toContain('+*******4567_x');
    expect(out).toContain('msg-+*******4567abc');
  });

  it('drops secrets and message text', () => {
    const { logger, text } = capture();
    logger.info('x', {
      clientToken: 'tok-123',
      secret: 's3cr3t',
      authorization: 'Bearer abc',
      text: 'your code is 123456',
      key: 'AIzaKey1',
      request: { headers: { 'x-api-key': 'AIzaKey2' }, card: { title: 'Hi Ann', postbackData: 'pb-9' } },
    });
    const out = text();
    for (const secret of [
      'tok-123',
      's3cr3t',
      'Bearer abc',
      '123456',
      'AIzaKey1',
      'AIzaKey2',
      'Hi Ann',
      'pb-9',
    ]) {
      expect(out).not.toContain(secret);
    }
  });

  it('keeps message ids intact even when they are digit-heavy', () => {
    const { logger, lines } = capture();
    logger.info('x', { messageId: '12345678-1234-4234-8234-123456789012' });
    expect(lines[0]?.messageId).toBe('12345678-1234-4234-8234-123456789012');
  });

  it('logs errors by name and message', () => {
    const { logger, lines } = capture();
    logger.error('boom', { err: new TypeError('bad thing') });
    expect(lines[0]).toMatchObject({ severity: 'ERROR', error: { name: 'TypeError', message: 'bad thing' } });
  });
});

describe('maskPhone', () => {
  it.each([
    ['+15551234567', '+*******4567'],
    ['+4915123456789', '+*********6789'],
    ['123', '***'],
  ])('%s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});
