/**
 * Opaque page tokens: where the next page starts (the last document's sort value and id), signed with HMAC
 * over the query it belongs to. A token that was altered, made up, or issued for another query (another
 * phone, state, campaign or time filter) fails the check and is refused. Key choice: docs/query-api.md.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { PageCursor } from '../store/message-queries.js';

/** Longer than any token this module issues (document ids are at most 1,500 bytes). */
const MAX_TOKEN_LENGTH = 4096;
const VERSION = 'p1';

/**
 * The signing key: `RBM_PAGE_TOKEN_KEY` when configured (a secret: tokens cannot be forged), else one derived
 * from the project and agent ids (alterations and foreign tokens are still caught; see docs/query-api.md).
 */
export function pageTokenKey(configured: string | undefined, projectId: string, agentId: string): Buffer {
  const material = configured ?? `derived:${projectId}/${agentId}`;
  return createHash('sha256').update(`rbm-functions page token key\n${material}`).digest();
}

function signature(key: Buffer, scope: string, payload: string): Buffer {
  return createHmac('sha256', key).update(`${VERSION}\n${scope}\n${payload}`).digest();
}

export function encodePageToken(cursor: PageCursor, scope: string, key: Buffer): string {
  const payload = Buffer.from(
    JSON.stringify({ o: cursor.orderNanos.toString(), d: cursor.documentId }),
  ).toString('base64url');
  return `${payload}.${signature(key, scope, payload).toString('base64url')}`;
}

/** The cursor of a token issued for `scope` with `key`; undefined for anything else. */
export function decodePageToken(token: string, scope: string, key: Buffer): PageCursor | undefined {
  if (token.length > MAX_TOKEN_LENGTH) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (payload === undefined || mac === undefined || extra !== undefined) return undefined;
  // Compared as text: base64 ignores some bits of the last character, and an altered token is refused whole.
  const given = Buffer.from(mac);
  const expected = Buffer.from(signature(key, scope, payload).toString('base64url'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    const { o, d } = (value ?? {}) as { o?: unknown; d?: unknown };
    if (typeof o !== 'string' || !/^-?\d{1,30}$/.test(o) || typeof d !== 'string' || d === '') {
      return undefined;
    }
    return { orderNanos: BigInt(o), documentId: d };
  } catch {
    return undefined;
  }
}
