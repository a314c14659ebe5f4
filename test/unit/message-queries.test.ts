/** The query API's Firestore queries, recorded: exactly the shape's filters and order, at most pageSize + 1 reads. */
import { FieldPath, Timestamp, type Firestore } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import {
  QUERY_SHAPES,
  planQuery,
  planScope,
  readPage,
  timestampOfNanos,
} from '../../shared/store/message-queries.js';

interface Recorded {
  collection: string;
  calls: string[];
}

/** A Firestore stand-in whose query answers `count` documents with descending createdAt, and records the calls. */
function recordingFirestore(count: number, recorded: Recorded): Firestore {
  const query = {
    where(field: string, op: string, value: unknown) {
      recorded.calls.push(
        `where ${field} ${op} ${value instanceof Timestamp ? value.toDate().toISOString() : String(value)}`,
      );
      return query;
    },
    orderBy(field: string | FieldPath, direction: string) {
      recorded.calls.push(`orderBy ${field instanceof FieldPath ? '__name__' : field} ${direction}`);
      return query;
    },
    startAfter(...values: unknown[]) {
      recorded.calls.push(
        `startAfter ${values.map((v) => (v instanceof Timestamp ? v.toMillis() : String(v))).join(' ')}`,
      );
      return query;
    },
    limit(n: number) {
      recorded.calls.push(`limit ${n}`);
      return {
        get: async () => {
          const docs = Array.from({ length: Math.min(n, count) }, (_, i) => {
            const createdAt = Timestamp.fromMillis(1_000_000 - i * 1000);
            const data = { messageId: `m${i}`, createdAt };
            return {
              id: `m${i}`,
              data: () => data,
              get: (field: string) => (data as Record<string, unknown>)[field],
            };
          });
          return { docs };
        },
      };
    },
  };
  return {
    collection(name: string) {
      recorded.collection = name;
      return query;
    },
  } as unknown as Firestore;
}

describe('readPage', () => {
  const plan = planQuery({ list: 'phoneMessages', phoneNumber: '+15550100001', state: 'SENT' });

  it('asks for the shape’s filters and order, and one document more than the page', async () => {
    const recorded: Recorded = { collection: '', calls: [] };
    const page = await readPage(recordingFirestore(10, recorded), plan, 3);
    expect(plan.shape).toBe('phoneMessagesInState');
    expect(recorded.collection).toBe(QUERY_SHAPES.phoneMessagesInState.collection);
    expect(recorded.calls).toEqual([
      'where phoneNumber == +15550100001',
      'where state == SENT',
      'orderBy createdAt desc',
      'orderBy __name__ desc',
      'limit 4',
    ]);
    expect(page.documents.map((d) => d.id)).toEqual(['m0', 'm1', 'm2']);
    expect(page.documents[0]?.data.createdAt).toBeInstanceOf(Date);
    expect(page.next).toEqual({ orderNanos: 998_000_000_000n, documentId: 'm2' });
  });

  it('continues after the cursor, and the last page has no next cursor', async () => {
    const recorded: Recorded = { collection: '', calls: [] };
    const page = await readPage(recordingFirestore(2, recorded), plan, 3, {
      orderNanos: 998_000_000_000n,
      documentId: 'm2',
    });
    expect(recorded.calls).toContain('startAfter 998000 m2');
    expect(page.next).toBeUndefined();
  });

  it('bounds a list across phones by updatedAfter on the sort field', async () => {
    const recorded: Recorded = { collection: '', calls: [] };
    const across = planQuery({
      list: 'messages',
      campaignId: 'spring',
      updatedAfter: 1_767_225_600_000_000_000n,
    });
    await readPage(recordingFirestore(0, recorded), across, 50);
    expect(recorded.calls).toEqual([
      'where campaignId == spring',
      'where updatedAt > 2026-01-01T00:00:00.000Z',
      'orderBy updatedAt desc',
      'orderBy __name__ desc',
      'limit 51',
    ]);
  });

  it('keeps nanoseconds in cursors and scopes', () => {
    const t = timestampOfNanos(1_767_225_600_123_456_789n);
    expect([t.seconds, t.nanoseconds]).toEqual([1_767_225_600, 123_456_789]);
    const before = timestampOfNanos(-1n);
    expect([before.seconds, before.nanoseconds]).toEqual([-1, 999_999_999]);
    expect(planScope(planQuery({ list: 'messages', state: 'SENT', updatedAfter: 1n }))).not.toBe(
      planScope(planQuery({ list: 'messages', state: 'SENT', updatedAfter: 2n })),
    );
  });

  it('refuses a list across phones with neither state nor campaign', () => {
    expect(() => planQuery({ list: 'messages' })).toThrow(/state or a campaignId/);
  });
});
