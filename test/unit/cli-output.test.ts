/** The rbm CLI's event lines (masked phone numbers, every field that matters) and its argument parsing. */
import { describe, expect, it } from 'vitest';
import {
  consentLine,
  decisionText,
  fallbackLine,
  maskPhonesIn,
  recordLine,
  statusLine,
  userMessageLine,
} from '../../devtools/clients/event-lines.js';
import { parseArgs, UsageError } from '../../scripts/rbm/cli.js';

const PHONE = '+15550100123';
const MASKED = '+*******0123';
const ID = '0b5c6d3e-1f2a-4b3c-8d4e-5f6a7b8c9d0e';

describe('event lines', () => {
  const cases: ReadonlyArray<{ name: string; line: () => string; expected: string }> = [
    {
      name: 'a status change',
      line: () =>
        statusLine({
          messageId: ID,
          phoneNumber: PHONE,
          state: 'DELIVERED',
          previousState: 'SENT',
          at: '2026-01-01T10:00:02.000Z',
          correlationId: 'order-42',
        }),
      expected: `2026-01-01T10:00:02.000Z  ${ID}  SENT → DELIVERED  to ${MASKED}  correlation order-42`,
    },
    {
      name: 'a record created directly as FAILED, with the refusal reason',
      line: () =>
        statusLine({
          messageId: ID,
          phoneNumber: PHONE,
          state: 'FAILED',
          previousState: null,
          at: '2026-01-01T10:00:00.000Z',
          error: { code: 400, status: 'FAILED_PRECONDITION', reason: 'RECIPIENT_UNSUBSCRIBED' },
        }),
      expected: `2026-01-01T10:00:00.000Z  ${ID}  ∅ → FAILED  to ${MASKED}  error RECIPIENT_UNSUBSCRIBED`,
    },
    {
      name: 'a late delivery after a decision',
      line: () =>
        statusLine({
          messageId: ID,
          phoneNumber: PHONE,
          state: 'DELIVERED',
          previousState: 'SENT',
          at: '2026-01-01T10:00:09.000Z',
          revokeFailed: true,
          fallback: { reason: 'EXPIRY_UNCONFIRMED', certainty: 'UNKNOWN', deliveredAfter: true },
        }),
      expected: `2026-01-01T10:00:09.000Z  ${ID}  SENT → DELIVERED  to ${MASKED}  fallback EXPIRY_UNCONFIRMED/UNKNOWN (delivered after)  revoke failed`,
    },
    {
      name: 'a fallback decision',
      line: () =>
        fallbackLine({
          messageId: ID,
          phoneNumber: PHONE,
          reason: 'EXPIRED',
          certainty: 'NOT_DELIVERED',
          decidedAt: '2026-01-01T10:05:00.000Z',
          trafficType: 'AUTHENTICATION',
        }),
      expected: `2026-01-01T10:05:00.000Z  ${ID}  EXPIRED (NOT_DELIVERED)  to ${MASKED}  traffic AUTHENTICATION`,
    },
    {
      name: 'a consent change',
      line: () =>
        consentLine({
          phoneNumber: PHONE,
          subscribed: false,
          changedAt: '2026-01-01T10:00:00.000Z',
          source: 'EVENT',
        }),
      expected: `2026-01-01T10:00:00.000Z  ${MASKED}  unsubscribed  (EVENT)`,
    },
    {
      name: 'a user message',
      line: () =>
        userMessageLine({
          messageId: 'u-1',
          phoneNumber: PHONE,
          kind: 'text',
          text: 'hello',
          sendTime: '2026-01-01T10:00:00.000Z',
        }),
      expected: `2026-01-01T10:00:00.000Z  from ${MASKED}  text  "hello"  (id u-1)`,
    },
    {
      name: 'a record in a list',
      line: () =>
        recordLine({
          messageId: ID,
          phoneNumber: PHONE,
          state: 'EXPIRED',
          createdAt: '2026-01-01T10:00:00.000Z',
          trafficType: 'AUTHENTICATION',
          fallbackPolicy: 'critical',
          fallback: { reason: 'EXPIRED', certainty: 'NOT_DELIVERED' },
        }),
      expected: `2026-01-01T10:00:00.000Z  ${ID}  EXPIRED  traffic AUTHENTICATION  policy critical  fallback EXPIRED/NOT_DELIVERED`,
    },
    { name: 'not an object', line: () => statusLine('garbage'), expected: '?  ?  ∅ → ?  to ?' },
  ];
  it.each(cases)('$name', ({ line, expected }) => {
    const text = line();
    expect(text).toBe(expected);
    expect(text).not.toContain(PHONE);
  });

  it('names no decision for a record without one', () => {
    expect(decisionText(undefined)).toBeUndefined();
  });
});

describe('maskPhonesIn', () => {
  it.each([
    [`{"name": "phones/${PHONE}/agentEvents/e1"}`, `{"name": "phones/${MASKED}/agentEvents/e1"}`],
    [`not found: /v1/phones/%2B15550100123/capabilities`, `not found: /v1/phones/${MASKED}/capabilities`],
    ['order +12 and 2026-01-01T10:00:00Z stay', 'order +12 and 2026-01-01T10:00:00Z stay'],
  ])('%s', (input, output) => {
    expect(maskPhonesIn(input)).toBe(output);
  });
});

describe('parseArgs', () => {
  it('takes values inline or as the next argument, and --fresh alone', () => {
    const args = parseArgs(['capabilities', PHONE, '--fresh', '--state=READ', '--page-size', '10']);
    expect(args.positional).toEqual(['capabilities', PHONE]);
    expect(args.switches).toEqual(new Set(['fresh']));
    expect(Object.fromEntries(args.flags)).toEqual({ state: 'READ', 'page-size': '10' });
  });

  it('refuses a flag without its value', () => {
    expect(() => parseArgs(['list', PHONE, '--state'])).toThrow(UsageError);
  });
});
