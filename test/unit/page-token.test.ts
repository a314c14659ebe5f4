import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken, pageTokenKey } from '../../shared/query/page-token.js';
import { planQuery, planScope } from '../../shared/store/message-queries.js';

const key = pageTokenKey(undefined, 'project', 'agent');
const scope = planScope(planQuery({ list: 'phoneMessages', phoneNumber: '+15550100001' }));
const cursor = { orderNanos: 1_767_225_600_123_456_789n, documentId: 'a1b2' };
const token = encodePageToken(cursor, scope, key);

/** The token with one character of its payload or signature changed. */
function flip(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe('page tokens', () => {
  it('round-trip the cursor for the query they were issued for', () => {
    expect(decodePageToken(token, scope, key)).toEqual(cursor);
  });

  it('are opaque: the phone number and the query are not readable in them', () => {
    const decoded = Buffer.from(token.split('.')[0] ?? '', 'base64url').toString();
    expect(decoded).not.toContain('+1555');
    expect(token).not.toContain('phoneNumber');
  });

  it.each([
    ['another phone', { list: 'phoneMessages', phoneNumber: '+15550100002' }],
    ['the same phone with a state', { list: 'phoneMessages', phoneNumber: '+15550100001', state: 'SENT' }],
    ['the user messages of the phone', { list: 'userMessages', phoneNumber: '+15550100001' }],
  ] as const)('are refused for %s (a foreign token)', (_label, filter) => {
    expect(decodePageToken(token, planScope(planQuery(filter)), key)).toBeUndefined();
  });

  it('are refused across time filters of the same list', () => {
    const first = planScope(planQuery({ list: 'messages', state: 'FAILED', updatedAfter: 1n }));
    const second = planScope(planQuery({ list: 'messages', state: 'FAILED', updatedAfter: 2n }));
    expect(decodePageToken(encodePageToken(cursor, first, key), second, key)).toBeUndefined();
  });

  it('are refused when any character was altered', () => {
    for (let i = 0; i < token.length; i++) {
      if (token[i] === '.') continue;
      expect(decodePageToken(flip(token, i), scope, key)).toBeUndefined();
    }
  });

  it('are refused when the last signature character differs only in bits base64 ignores', () => {
    // Of the 43 characters of a 32-byte signature, the last carries 2 unused bits: A..D decode alike.
    for (const cursorId of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) {
      const issued = encodePageToken({ ...cursor, documentId: cursorId }, scope, key);
      const last = issued.at(-1) ?? 'A';
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
      expect(decodePageToken(`${issued.slice(0, -1)}${sibling}`, scope, key)).toBeUndefined();
    }
  });

  it('are refused when forged: a payload made up by hand, re-signed with another key, or unsigned', () => {
    const payload = Buffer.from(JSON.stringify({ o: '0', d: 'x' })).toString('base64url');
    const signature = token.split('.')[1] ?? '';
    expect(decodePageToken(`${payload}.${signature}`, scope, key)).toBeUndefined();
    const otherKey = pageTokenKey('another secret', 'project', 'agent');
    expect(decodePageToken(encodePageToken(cursor, scope, otherKey), scope, key)).toBeUndefined();
    expect(decodePageToken(payload, scope, key)).toBeUndefined();
  });

  it.each(['', '.', 'a.b.c', 'not-base64!.x', 'x'.repeat(5000)])('refuse garbage %j', (garbage) => {
    expect(decodePageToken(garbage, scope, key)).toBeUndefined();
  });

  it('depend on the configured secret, and without one on the project and agent', () => {
    const keys = [
      pageTokenKey(undefined, 'project', 'agent'),
      pageTokenKey(undefined, 'project', 'other-agent'),
      pageTokenKey(undefined, 'other-project', 'agent'),
      pageTokenKey('secret', 'project', 'agent'),
    ].map((k) => k.toString('hex'));
    expect(new Set(keys).size).toBe(4);
    expect(pageTokenKey('secret', 'a', 'b')).toEqual(pageTokenKey('secret', 'c', 'd'));
  });
});
