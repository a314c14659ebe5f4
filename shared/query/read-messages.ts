/**
 * The query API's reads: one agent message, pages of agent messages (per phone, or across phones by state or
 * campaign) and of a phone's user messages, and a phone's consent. Every request is checked whole first: an
 * unknown parameter, a bad value or a token of another query is a 400 listing every problem.
 */
import { ApiError, type FieldViolation } from '../errors.js';
import { checkPhoneNumber } from '../outbound/request-checks.js';
import { COLLECTIONS } from '../store/collections.js';
import { isStorableDocumentId } from '../document-ids.js';
import {
  planQuery,
  planScope,
  type ListFilter,
  type MessageQueryStore,
  type StoredDocument,
} from '../store/message-queries.js';
import { decodePageToken, encodePageToken } from './page-token.js';
import {
  checkQueryNames,
  readPageSize,
  readState,
  readText,
  readTimestamp,
  singleValue,
  type QueryValues,
} from './params.js';
import { agentMessageView, userMessageView } from './views.js';

export interface QueryDeps {
  store: MessageQueryStore;
  /** HMAC key of page tokens (page-token.ts). */
  pageTokenKey: Buffer;
}

export type LookupOutcome =
  { kind: 'found'; body: Record<string, unknown> } | { kind: 'notFound'; message: string };

/** A page of a list: `{<items>: [...], nextPageToken?}`. */
export interface PageOutcome {
  kind: 'page';
  body: Record<string, unknown>;
}

const CAMPAIGN_ID_MAX = 64;

function fail(violations: FieldViolation[]): void {
  if (violations.length > 0) throw ApiError.invalidArgument(violations);
}

export async function getAgentMessage(
  request: { phoneNumber: string; messageId: string; query: QueryValues },
  deps: QueryDeps,
): Promise<LookupOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, [], violations);
  checkPhoneNumber(request.phoneNumber, violations);
  fail(violations);
  const notFound: LookupOutcome = {
    kind: 'notFound',
    message: `No agent message ${request.messageId} for this phone number.`,
  };
  if (!isStorableDocumentId(request.messageId)) return notFound;
  const found = await deps.store.readDocument(COLLECTIONS.agentMessages, request.messageId);
  // A record of another phone is not this phone's message: the same 404 as no record at all.
  if (found === undefined || found.data.phoneNumber !== request.phoneNumber) return notFound;
  return { kind: 'found', body: agentMessageView(found.data) };
}

/** `GET /v1/phones/{E.164}/agentMessages`: newest createdAt first, optionally in one state. */
export async function listPhoneAgentMessages(
  request: { phoneNumber: string; query: QueryValues },
  deps: QueryDeps,
): Promise<PageOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, ['state', 'pageSize', 'pageToken'], violations);
  checkPhoneNumber(request.phoneNumber, violations);
  const state = readState(request.query, violations);
  const filter: ListFilter = {
    list: 'phoneMessages',
    phoneNumber: request.phoneNumber,
    ...(state === undefined ? {} : { state }),
  };
  return listPage(filter, request.query, violations, 'agentMessages', agentMessageView, deps);
}

/** `GET /v1/agentMessages`: across phones by state and/or campaign, newest updatedAt first. */
export async function listAgentMessages(
  request: { query: QueryValues },
  deps: QueryDeps,
): Promise<PageOutcome> {
  const { query } = request;
  const violations: FieldViolation[] = [];
  checkQueryNames(query, ['state', 'campaignId', 'updatedAfter', 'pageSize', 'pageToken'], violations);
  const state = readState(query, violations);
  const campaignId = readText(query, 'campaignId', CAMPAIGN_ID_MAX, violations);
  const updatedAfter = readTimestamp(query, 'updatedAfter', violations);
  if (query.state === undefined && query.campaignId === undefined) {
    violations.push({ field: 'state', description: 'state or campaignId is required.' });
  }
  const filter: ListFilter = {
    list: 'messages',
    ...(state === undefined ? {} : { state }),
    ...(campaignId === undefined ? {} : { campaignId }),
    ...(updatedAfter === undefined ? {} : { updatedAfter }),
  };
  return listPage(filter, query, violations, 'agentMessages', agentMessageView, deps);
}

/** `GET /v1/phones/{E.164}/userMessages`: newest sendTime first. */
export async function listUserMessages(
  request: { phoneNumber: string; query: QueryValues },
  deps: QueryDeps,
): Promise<PageOutcome> {
  const violations: FieldViolation[] = [];
  checkQueryNames(request.query, ['pageSize', 'pageToken'], violations);
  checkPhoneNumber(request.phoneNumber, violations);
  const filter: ListFilter = { list: 'userMessages', phoneNumber: request.phoneNumber };
  return listPage(filter, request.query, violations, 'userMessages', userMessageView, deps);
}

async function listPage(
  filter: ListFilter,
  query: QueryValues,
  violations: FieldViolation[],
  itemsKey: string,
  view: (data: Record<string, unknown>) => Record<string, unknown>,
  deps: QueryDeps,
): Promise<PageOutcome> {
  const pageSize = readPageSize(query, violations);
  const token = singleValue(query, 'pageToken', violations);
  fail(violations);
  const plan = planQuery(filter);
  const scope = planScope(plan);
  // An empty token is the first page, as Google's client libraries send it.
  const cursor = token ? decodePageToken(token, scope, deps.pageTokenKey) : undefined;
  if (token && cursor === undefined) {
    fail([
      {
        field: 'pageToken',
        description: 'is not a token of this query: pass the nextPageToken of the same request unchanged.',
      },
    ]);
  }
  const page = await deps.store.readPage(plan, pageSize, cursor);
  return {
    kind: 'page',
    body: {
      [itemsKey]: page.documents.map((document: StoredDocument) => view(document.data)),
      ...(page.next ? { nextPageToken: encodePageToken(page.next, scope, deps.pageTokenKey) } : {}),
    },
  };
}
