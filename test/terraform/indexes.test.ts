/**
 * Every list query the query API makes (shared/store/message-queries.ts) must be served by a composite index
 * that terraform/firestore.tf declares: Firestore refuses an unindexed query in production, while the emulator
 * runs it anyway, so only this check catches a missing index before a deployment does.
 */
import { describe, expect, it } from 'vitest';
import { isHclObject } from '../../devtools/topology.js';
import {
  QUERY_SHAPES,
  planQuery,
  type ListFilter,
  type QueryShape,
  type QueryShapeName,
} from '../../shared/store/message-queries.js';
import {
  freshConfig,
  loadRepoTerraform,
  resourcesOf,
  removeResourceBlock,
  configWithEditedFile,
} from './load.js';
import type { TerraformConfig } from './load.js';

interface DeclaredIndex {
  name: string;
  collection: string;
  scope: string;
  fields: Array<{ path: string; order: string }>;
}

function declaredIndexes(config: TerraformConfig): DeclaredIndex[] {
  return resourcesOf(config, 'google_firestore_index').map(([name, body]) => ({
    name,
    collection: String(body.collection),
    scope: String(body.query_scope ?? 'COLLECTION'),
    fields: (Array.isArray(body.fields) ? body.fields : [])
      .filter(isHclObject)
      .map((field) => ({ path: String(field.field_path), order: String(field.order) })),
  }));
}

/** Whether the index serves the shape: its equality fields (any order, ascending), then the sort field descending. */
function serves(index: DeclaredIndex, shape: QueryShape): boolean {
  if (index.collection !== shape.collection || index.scope !== 'COLLECTION') return false;
  if (index.fields.length !== shape.equality.length + 1) return false;
  const last = index.fields.at(-1);
  const leading = index.fields.slice(0, -1);
  return (
    last?.path === shape.orderBy &&
    last.order === 'DESCENDING' &&
    leading.every((field) => field.order === 'ASCENDING') &&
    [...leading.map((field) => field.path)].sort().join() === [...shape.equality].sort().join()
  );
}

function unindexedShapes(config: TerraformConfig): QueryShapeName[] {
  const indexes = declaredIndexes(config);
  return (Object.entries(QUERY_SHAPES) as Array<[QueryShapeName, QueryShape]>)
    .filter(([, shape]) => !indexes.some((index) => serves(index, shape)))
    .map(([name]) => name);
}

/** Every kind of list request the API takes, with and without each optional filter. */
const everyFilter: ListFilter[] = [
  { list: 'phoneMessages', phoneNumber: '+15550100001' },
  { list: 'phoneMessages', phoneNumber: '+15550100001', state: 'SENT' },
  { list: 'messages', state: 'FAILED' },
  { list: 'messages', state: 'FAILED', updatedAfter: 1n },
  { list: 'messages', campaignId: 'spring' },
  { list: 'messages', campaignId: 'spring', updatedAfter: 1n },
  { list: 'messages', campaignId: 'spring', state: 'READ' },
  { list: 'messages', campaignId: 'spring', state: 'READ', updatedAfter: 1n },
  { list: 'userMessages', phoneNumber: '+15550100001' },
];

describe('Firestore indexes for the query API', () => {
  it('every query shape has its composite index in terraform/firestore.tf', async () => {
    expect(unindexedShapes(await loadRepoTerraform())).toEqual([]);
  });

  const labelled = everyFilter.map(
    (filter) =>
      [JSON.stringify(filter, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)), filter] as const,
  );
  it.each(labelled)('the request %s is planned as a declared shape', (_label, filter) => {
    const plan = planQuery(filter);
    expect(Object.keys(QUERY_SHAPES)).toContain(plan.shape);
    expect(Object.keys(plan.equals).sort()).toEqual([...QUERY_SHAPES[plan.shape].equality].sort());
    if (plan.after !== undefined) expect(QUERY_SHAPES[plan.shape].rangeOnOrderField).toBe(true);
  });

  it('every shape is used by some request (no index kept for a query nobody makes)', () => {
    const used = new Set(everyFilter.map((filter) => planQuery(filter).shape));
    expect([...used].sort()).toEqual(Object.keys(QUERY_SHAPES).sort());
  });

  it('catches a removed index', async () => {
    const config = await configWithEditedFile('firestore.tf', (text) =>
      removeResourceBlock(text, 'google_firestore_index', 'user_messages_by_phone_newest_send_time'),
    );
    expect(unindexedShapes(config)).toEqual(['phoneUserMessages']);
  });

  it('catches an index whose sort order is ascending', async () => {
    const config = await freshConfig();
    const index = config.resource.google_firestore_index?.agent_messages_by_state_newest_update;
    const fields = index?.fields;
    if (!Array.isArray(fields) || !isHclObject(fields[1])) throw new Error('index not found');
    fields[1].order = 'ASCENDING';
    expect(unindexedShapes(config)).toEqual(['messagesInState']);
  });
});
