/**
 * Every list query of the query API, in one place. A query is one of the shapes below (equality filters, an
 * optional "after" bound on the sort field, newest first); each shape has its composite index in
 * terraform/firestore.tf, which test/terraform/indexes.test.ts checks shape by shape. A page reads at most
 * pageSize + 1 documents: the extra one only says whether there is a next page.
 */
import { FieldPath, Timestamp, type Firestore, type Query } from '@google-cloud/firestore';
import type { MessageState } from '../delivery-state.js';
import { COLLECTIONS, type CollectionName } from './collections.js';
import { timestampsToDates } from './firestore.js';

/** Where a page ends: the sort field's value (nanoseconds since the epoch) and the document id. */
export interface PageCursor {
  orderNanos: bigint;
  documentId: string;
}

export interface QueryShape {
  readonly collection: CollectionName;
  /** Fields compared with `==`. */
  readonly equality: readonly string[];
  /** The sort field, newest first (then the document id, also descending). */
  readonly orderBy: string;
  /** Whether the query may also keep only documents whose sort field is after a given time. */
  readonly rangeOnOrderField: boolean;
}

export const QUERY_SHAPES = {
  phoneMessages: {
    collection: COLLECTIONS.agentMessages,
    equality: ['phoneNumber'],
    orderBy: 'createdAt',
    rangeOnOrderField: false,
  },
  phoneMessagesInState: {
    collection: COLLECTIONS.agentMessages,
    equality: ['phoneNumber', 'state'],
    orderBy: 'createdAt',
    rangeOnOrderField: false,
  },
  messagesInState: {
    collection: COLLECTIONS.agentMessages,
    equality: ['state'],
    orderBy: 'updatedAt',
    rangeOnOrderField: true,
  },
  campaignMessages: {
    collection: COLLECTIONS.agentMessages,
    equality: ['campaignId'],
    orderBy: 'updatedAt',
    rangeOnOrderField: true,
  },
  campaignMessagesInState: {
    collection: COLLECTIONS.agentMessages,
    equality: ['campaignId', 'state'],
    orderBy: 'updatedAt',
    rangeOnOrderField: true,
  },
  phoneUserMessages: {
    collection: COLLECTIONS.userMessages,
    equality: ['phoneNumber'],
    orderBy: 'sendTime',
    rangeOnOrderField: false,
  },
} as const satisfies Record<string, QueryShape>;

export type QueryShapeName = keyof typeof QUERY_SHAPES;

/** What a list request asks for, validated. */
export type ListFilter =
  | { list: 'phoneMessages'; phoneNumber: string; state?: MessageState }
  | { list: 'messages'; state?: MessageState; campaignId?: string; updatedAfter?: bigint }
  | { list: 'userMessages'; phoneNumber: string };

export interface QueryPlan {
  shape: QueryShapeName;
  /** Value of each equality field of the shape. */
  equals: Readonly<Record<string, string>>;
  /** Keep only documents whose sort field is after this instant (nanoseconds since the epoch). */
  after?: bigint;
}

/** The query that serves a filter: always one of QUERY_SHAPES. */
export function planQuery(filter: ListFilter): QueryPlan {
  switch (filter.list) {
    case 'phoneMessages':
      return filter.state === undefined
        ? { shape: 'phoneMessages', equals: { phoneNumber: filter.phoneNumber } }
        : {
            shape: 'phoneMessagesInState',
            equals: { phoneNumber: filter.phoneNumber, state: filter.state },
          };
    case 'userMessages':
      return { shape: 'phoneUserMessages', equals: { phoneNumber: filter.phoneNumber } };
    case 'messages': {
      const after = filter.updatedAfter === undefined ? {} : { after: filter.updatedAfter };
      if (filter.campaignId !== undefined) {
        return filter.state === undefined
          ? { shape: 'campaignMessages', equals: { campaignId: filter.campaignId }, ...after }
          : {
              shape: 'campaignMessagesInState',
              equals: { campaignId: filter.campaignId, state: filter.state },
              ...after,
            };
      }
      if (filter.state !== undefined) {
        return { shape: 'messagesInState', equals: { state: filter.state }, ...after };
      }
      throw new Error('a list across phones needs a state or a campaignId');
    }
  }
}

/** The identity of a query, which its page tokens are bound to (the page size may change between pages). */
export function planScope(plan: QueryPlan): string {
  const equals = Object.entries(plan.equals).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([plan.shape, equals, plan.after?.toString() ?? null]);
}

/** A stored document, timestamps as Dates. */
export interface StoredDocument {
  id: string;
  data: Record<string, unknown>;
}

export interface QueryPage {
  documents: StoredDocument[];
  /** Where the next page starts; absent on the last page. */
  next?: PageCursor;
}

const NANOS = 1_000_000_000n;

export function timestampOfNanos(nanos: bigint): Timestamp {
  const seconds = nanos >= 0n ? nanos / NANOS : -((-nanos + NANOS - 1n) / NANOS);
  return new Timestamp(Number(seconds), Number(nanos - seconds * NANOS));
}

function nanosOfTimestamp(value: Timestamp): bigint {
  return BigInt(value.seconds) * NANOS + BigInt(value.nanoseconds);
}

/** Builds the plan's query: nothing but the shape's filters and order, so its index always serves it. */
function queryOf(db: Firestore, plan: QueryPlan): Query {
  const shape: QueryShape = QUERY_SHAPES[plan.shape];
  let query: Query = db.collection(shape.collection);
  for (const field of shape.equality) {
    const value = plan.equals[field];
    if (value === undefined) throw new Error(`query ${plan.shape} needs a value for ${field}`);
    query = query.where(field, '==', value);
  }
  if (plan.after !== undefined) {
    if (!shape.rangeOnOrderField) throw new Error(`query ${plan.shape} takes no time bound`);
    query = query.where(shape.orderBy, '>', timestampOfNanos(plan.after));
  }
  return query.orderBy(shape.orderBy, 'desc').orderBy(FieldPath.documentId(), 'desc');
}

/** One page of the plan's results, starting after `cursor`: at most pageSize + 1 document reads. */
export async function readPage(
  db: Firestore,
  plan: QueryPlan,
  pageSize: number,
  cursor?: PageCursor,
): Promise<QueryPage> {
  let query = queryOf(db, plan);
  if (cursor !== undefined) {
    query = query.startAfter(timestampOfNanos(cursor.orderNanos), cursor.documentId);
  }
  const snapshot = await query.limit(pageSize + 1).get();
  const page = snapshot.docs.slice(0, pageSize);
  const documents = page.map((doc) => ({
    id: doc.id,
    data: timestampsToDates(doc.data()) as Record<string, unknown>,
  }));
  const last = page.at(-1);
  if (snapshot.docs.length <= pageSize || last === undefined) return { documents };
  const orderValue: unknown = last.get(QUERY_SHAPES[plan.shape].orderBy);
  if (!(orderValue instanceof Timestamp)) {
    throw new Error(`${plan.shape}: document ${last.id} has no timestamp to continue from`);
  }
  return { documents, next: { orderNanos: nanosOfTimestamp(orderValue), documentId: last.id } };
}

/** One document by id (one read), timestamps as Dates. */
export async function readDocument(
  db: Firestore,
  collection: CollectionName,
  id: string,
): Promise<StoredDocument | undefined> {
  const snapshot = await db.collection(collection).doc(id).get();
  const data = snapshot.data();
  return data === undefined
    ? undefined
    : { id: snapshot.id, data: timestampsToDates(data) as Record<string, unknown> };
}

/** The query API's reads over one Firestore, as one object, so its caller can bound each call (storage-deadline.ts). */
export function messageQueryStore(db: Firestore) {
  return {
    readPage: (plan: QueryPlan, pageSize: number, cursor?: PageCursor) =>
      readPage(db, plan, pageSize, cursor),
    readDocument: (collection: CollectionName, id: string) => readDocument(db, collection, id),
  };
}

export type MessageQueryStore = ReturnType<typeof messageQueryStore>;
