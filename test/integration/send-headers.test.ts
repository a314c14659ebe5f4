/**
 * send's own headers on the built bundle: Correlation-Id (1–256 printable ASCII, stored as given) and
 * Fallback-Policy (none, safe or critical, in any case); an invalid one is a 400 listing every violation,
 * with nothing recorded and nothing sent.
 */
import { describe, expect, it } from 'vitest';
import { violatedFields } from '../support/function-stack.js';
import { useOutboundStack } from '../support/outbound-stack.js';
import { sendTo, storedRecord } from '../support/outcome-stack.js';
import { testPhone } from '../support/phones.js';

const outbound = useOutboundStack();
const send = (headers: Record<string, string>) => sendTo(outbound().send.url, testPhone(), { headers });

describe('Correlation-Id', () => {
  const longest = 'x'.repeat(256);
  const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i))
    .join('')
    .trim();

  it.each([
    ['one character', 'a'],
    ['256 characters', longest],
    ['every printable ASCII character', printable],
  ])('accepts %s and stores it as given', async (_name, value) => {
    const { id, answer } = await send({ 'Correlation-Id': value });
    expect(answer.status).toBe(200);
    expect(await storedRecord(id)).toMatchObject({ correlationId: value });
  });

  it.each([
    ['empty', ''],
    ['257 characters', `${longest}x`],
    ['a tab inside', 'a\tb'],
    ['a non-ASCII character', 'caf\u00e9'],
  ])('refuses %s: 400 naming the header, nothing recorded or sent', async (_name, value) => {
    const { id, answer } = await send({ 'Correlation-Id': value });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    expect(violatedFields(answer.json)).toEqual(['Correlation-Id']);
    expect(await storedRecord(id)).toBeUndefined();
    expect(outbound().rbm.creates()).toHaveLength(0);
  });
});

describe('Fallback-Policy', () => {
  it.each([
    ['none', 'none'],
    ['safe', 'safe'],
    ['CRITICAL', 'critical'],
    ['Safe', 'safe'],
  ])('%s is stored as %s', async (header, stored) => {
    const { id, answer } = await send({ 'Fallback-Policy': header });
    expect(answer.status).toBe(200);
    expect(await storedRecord(id)).toMatchObject({ fallbackPolicy: stored });
  });

  it('defaults to none', async () => {
    const { id } = await send({});
    expect(await storedRecord(id)).toMatchObject({ fallbackPolicy: 'none' });
  });

  it('an unknown policy is a 400, and every invalid header is listed', async () => {
    const { id, answer } = await send({ 'Fallback-Policy': 'urgent', 'Correlation-Id': 'x'.repeat(300) });
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(['Correlation-Id', 'Fallback-Policy']);
    expect(await storedRecord(id)).toBeUndefined();
    expect(outbound().rbm.creates()).toHaveLength(0);
  });
});
