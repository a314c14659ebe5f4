/** The request bodies of events, files and users:batchGet, and the event id rules. */
import { describe, expect, it } from 'vitest';
import { parseAgentEvent } from '../../shared/agent-events/agent-event.js';
import { chooseEventId } from '../../shared/agent-events/send-agent-event.js';
import { MAX_BATCH_USERS, parseBatchGetBody } from '../../shared/capabilities/batch-get-users.js';
import type { FieldViolation } from '../../shared/errors.js';
import { fileKey, isReusableFile, parseFileBody } from '../../shared/files/create-file.js';
import { isUuid, messageIdForIdempotencyKey, readEventIdFor } from '../../shared/ids.js';

function fieldsOf<T>(parse: (violations: FieldViolation[]) => T): { value: T; fields: string[] } {
  const violations: FieldViolation[] = [];
  const value = parse(violations);
  return { value, fields: violations.map((v) => v.field) };
}

describe('AgentEvent bodies', () => {
  it.each([
    [{ eventType: 'READ', messageId: 'MxAbC' }, { eventType: 'READ', messageId: 'MxAbC' }, []],
    [{ eventType: 'IS_TYPING' }, { eventType: 'IS_TYPING' }, []],
    [{ eventType: 'READ' }, undefined, ['messageId']],
    [{ eventType: 'READ', messageId: '' }, undefined, ['messageId']],
    [{ eventType: 'READ', messageId: 'a/b' }, undefined, ['messageId']],
    [{ eventType: 'READ', messageId: '__x__' }, undefined, ['messageId']],
    [{ eventType: 'IS_TYPING', messageId: 'MxAbC' }, undefined, ['messageId']],
    [{ eventType: 'TYPE_UNSPECIFIED' }, undefined, ['eventType']],
    [{}, undefined, ['eventType']],
    [{ eventType: 'READ', messageId: 'm', extra: 1, other: 2 }, undefined, ['extra', 'other']],
    [{ eventType: 'WAVE', extra: 1 }, undefined, ['extra', 'eventType']],
    [['READ'], undefined, ['body']],
  ])('%j', (body, expected, fields) => {
    expect(fieldsOf((v) => parseAgentEvent(body, v))).toEqual({ value: expected, fields });
  });
});

describe('event ids', () => {
  const given = '0b8a3b8e-6f51-4f1e-9a47-2f1e3c1d2b10';
  const read = { eventType: 'READ', messageId: 'MxUser1' } as const;

  it('the caller’s eventId wins, then the Idempotency-Key', () => {
    expect(chooseEventId('agent', read, { eventId: given, idempotencyKey: 'k' })).toBe(given);
    expect(chooseEventId('agent', read, { eventId: undefined, idempotencyKey: 'k' })).toBe(
      messageIdForIdempotencyKey('agent', 'k'),
    );
  });

  it('a READ without either always gets the same id for the same user message', () => {
    const first = chooseEventId('agent', read, { eventId: undefined, idempotencyKey: undefined });
    expect(first).toBe(readEventIdFor('agent', 'MxUser1'));
    expect(chooseEventId('agent', read, { eventId: undefined, idempotencyKey: undefined })).toBe(first);
    expect(isUuid(first)).toBe(true);
    expect(readEventIdFor('agent', 'MxUser2')).not.toBe(first);
    expect(readEventIdFor('other-agent', 'MxUser1')).not.toBe(first);
  });

  it('IS_TYPING without either gets a new id each time', () => {
    const typing = { eventType: 'IS_TYPING' } as const;
    const none = { eventId: undefined, idempotencyKey: undefined };
    expect(chooseEventId('agent', typing, none)).not.toBe(chooseEventId('agent', typing, none));
  });
});

describe('file bodies', () => {
  const https = 'https://example.com/a.png';
  it.each([
    [{ fileUrl: https }, { fileUrl: https }, []],
    [{ fileUrl: https, thumbnailUrl: https }, { fileUrl: https, thumbnailUrl: https }, []],
    [{ fileUrl: https, agentId: 'agent' }, { fileUrl: https }, []],
    [{}, undefined, ['fileUrl']],
    [{ fileUrl: 'http://example.com/a.png' }, undefined, ['fileUrl']],
    [{ fileUrl: 'ftp://example.com/a.png' }, undefined, ['fileUrl']],
    [{ fileUrl: 'not a url' }, undefined, ['fileUrl']],
    [{ fileUrl: `https://example.com/${'a'.repeat(2030)}` }, undefined, ['fileUrl']],
    [{ fileUrl: https, thumbnailUrl: 'http://x.test/t.png' }, undefined, ['thumbnailUrl']],
    [{ fileUrl: https, agentId: 'someone-else' }, undefined, ['agentId']],
    [
      { fileUrl: 7, thumbnailUrl: 8, contentDescription: 'x' },
      undefined,
      ['contentDescription', 'fileUrl', 'thumbnailUrl'],
    ],
  ])('%j', (body, expected, fields) => {
    expect(fieldsOf((v) => parseFileBody(body, 'agent', v))).toEqual({ value: expected, fields });
  });

  it('accepts a URL of exactly 2,048 characters', () => {
    const url = `https://example.com/${'a'.repeat(2048 - 'https://example.com/'.length)}`;
    expect(url).toHaveLength(2048);
    expect(fieldsOf((v) => parseFileBody({ fileUrl: url }, 'agent', v)).fields).toEqual([]);
  });

  it('keys a URL pair by SHA-256, telling an absent thumbnail from another pairing', () => {
    expect(fileKey(https, undefined)).toMatch(/^[0-9a-f]{64}$/);
    expect(fileKey(https, undefined)).toBe(fileKey(https, undefined));
    expect(fileKey(https, undefined)).not.toBe(fileKey(https, https));
    expect(fileKey('https://a.test/x', 'https://b.test/y')).not.toBe(
      fileKey('https://b.test/y', 'https://a.test/x'),
    );
  });

  it('reuses a file for 55 days', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
    expect(isReusableFile(daysAgo(54.9), now)).toBe(true);
    expect(isReusableFile(daysAgo(55), now)).toBe(false);
  });
});

describe('users:batchGet bodies', () => {
  it('dedupes the numbers', () => {
    expect(
      fieldsOf((v) => parseBatchGetBody({ users: ['+15550100001', '+15550100001', '+15550100002'] }, 'a', v)),
    ).toEqual({
      value: ['+15550100001', '+15550100002'],
      fields: [],
    });
  });

  it('lists every bad number, and unknown fields', () => {
    expect(
      fieldsOf((v) => parseBatchGetBody({ users: ['+15550100001', '555', 7], agentId: 'b', x: 1 }, 'a', v))
        .fields,
    ).toEqual(['x', 'agentId', 'users[1]', 'users[2]']);
  });

  it.each([[{}], [{ users: [] }], [{ users: '+15550100001' }]])('refuses %j', (body) => {
    expect(fieldsOf((v) => parseBatchGetBody(body, 'a', v)).fields).toEqual(['users']);
  });

  it('takes 10,000 distinct numbers and refuses 10,001', () => {
    const phones = (n: number) => Array.from({ length: n }, (_, i) => `+1555${String(1_000_000 + i)}`);
    expect(fieldsOf((v) => parseBatchGetBody({ users: phones(MAX_BATCH_USERS) }, 'a', v)).fields).toEqual([]);
    expect(fieldsOf((v) => parseBatchGetBody({ users: phones(MAX_BATCH_USERS + 1) }, 'a', v)).fields).toEqual(
      ['users'],
    );
  });
});
