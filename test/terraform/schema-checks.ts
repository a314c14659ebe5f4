/**
 * The checks `terraform validate` makes against a provider's schema, done offline: every resource and data
 * source type exists, every argument and nested block exists and is used as what it is (argument vs block),
 * nesting is right, required arguments and blocks are set, no computed-only attribute is set, block counts
 * respect max_items, and literal values have the right shape. Meta-arguments and `dynamic` blocks are
 * handled as Terraform handles them. Each check returns readable problems; [] means none.
 */
import type { HclAttribute, HclBlock, HclBody, HclItem, ValueShape } from './hcl-structure.js';
import { isComputedOnly, providerAddress } from './provider-schema.js';
import type { CtyType, ProviderSchemas, SchemaBlock, SchemaBlockType } from './provider-schema.js';
import type { ResourceBlock } from './resource-blocks.js';

/** Where a body sits, for messages: `<file>:<line>: <address>: <path>.<name>: <problem>`. */
export interface CheckContext {
  fileName: string;
  address: string;
  /** Nested block names from the resource down to the body being checked. */
  path: string[];
  /** Line of the block that holds the body: where a missing argument or block is reported. */
  line: number;
}

function problem(context: CheckContext, line: number, name: string, message: string): string {
  const where = [...context.path, name].join('.');
  return `${context.fileName}:${line}: ${context.address}: ${where}: ${message}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean "x"?)` for the closest known name, if one is close enough to be a typo. */
export function suggestion(name: string, known: Iterable<string>): string {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3))
    ? ` (did you mean "${best.candidate}"?)`
    : '';
}

function describeType(type: CtyType): string {
  return typeof type === 'string' ? type : `${type[0]}(${typeof type[1] === 'string' ? type[1] : '...'})`;
}

/** Whether a literal of `shape` can never convert to `type` (expressions and null always might). */
export function literalMismatch(type: CtyType, shape: ValueShape): boolean {
  if (shape === 'expression' || shape === 'null') return false;
  const kind = typeof type === 'string' ? type : type[0];
  if (kind === 'string' || kind === 'number' || kind === 'bool')
    return shape === 'tuple' || shape === 'object';
  if (kind === 'list' || kind === 'set' || kind === 'tuple') return shape !== 'tuple';
  if (kind === 'map' || kind === 'object') return shape !== 'object';
  return false;
}

const lifecycleArguments: Record<'resource' | 'data', { attributes: string[]; blocks: string[] }> = {
  resource: {
    attributes: ['create_before_destroy', 'prevent_destroy', 'ignore_changes', 'replace_triggered_by'],
    blocks: ['precondition', 'postcondition'],
  },
  data: { attributes: [], blocks: ['precondition', 'postcondition'] },
};

const metaArguments = {
  resource: {
    attributes: ['count', 'for_each', 'depends_on', 'provider'],
    blocks: ['lifecycle', 'provisioner', 'connection'],
  },
  data: { attributes: ['count', 'for_each', 'depends_on', 'provider'], blocks: ['lifecycle'] },
};

function checkLifecycle(block: HclBlock, kind: 'resource' | 'data', context: CheckContext): string[] {
  const allowed = lifecycleArguments[kind];
  return block.body.flatMap((item) => {
    const name = item.kind === 'attribute' ? item.name : item.type;
    const list = item.kind === 'attribute' ? allowed.attributes : allowed.blocks;
    if (list.includes(name)) return [];
    const what = item.kind === 'attribute' ? 'argument' : 'block';
    return [
      problem(context, item.line, `lifecycle.${name}`, `unsupported ${what} in a ${kind} lifecycle block`),
    ];
  });
}

/** A `dynamic "x" { for_each, iterator, labels, content { ... } }` block, checked as the blocks it makes. */
function checkDynamic(item: HclBlock, schema: SchemaBlock, context: CheckContext): string[] {
  const [label] = item.labels;
  if (item.labels.length !== 1 || label === undefined) {
    return [problem(context, item.line, 'dynamic', 'a dynamic block takes exactly one label')];
  }
  const blockType = schema.block_types?.[label];
  if (!blockType) {
    const message = schema.attributes?.[label]
      ? 'is an argument, and dynamic blocks only generate blocks'
      : `unsupported block type${suggestion(label, Object.keys(schema.block_types ?? {}))}`;
    return [problem(context, item.line, label, message)];
  }
  const problems: string[] = [];
  const contents = item.body.filter(
    (inner): inner is HclBlock => inner.kind === 'block' && inner.type === 'content',
  );
  if (contents.length !== 1)
    problems.push(problem(context, item.line, label, 'a dynamic block needs exactly one content block'));
  if (!item.body.some((inner) => inner.kind === 'attribute' && inner.name === 'for_each')) {
    problems.push(problem(context, item.line, label, 'a dynamic block needs for_each'));
  }
  for (const inner of item.body) {
    const known =
      inner.kind === 'attribute'
        ? ['for_each', 'iterator', 'labels'].includes(inner.name)
        : inner.type === 'content';
    if (!known) {
      const name = inner.kind === 'attribute' ? inner.name : inner.type;
      problems.push(problem(context, inner.line, `${label}.${name}`, 'unsupported in a dynamic block'));
    }
  }
  for (const content of contents) {
    problems.push(
      ...checkBody(content.body, blockType.block, {
        ...context,
        path: [...context.path, label],
        line: content.line,
      }),
    );
  }
  return problems;
}

function checkNestedBlocks(
  name: string,
  blockType: SchemaBlockType,
  blocks: HclBlock[],
  dynamicCount: number,
  context: CheckContext,
): string[] {
  const problems: string[] = [];
  const line = blocks[0]?.line ?? 0;
  if (dynamicCount === 0) {
    const max = blockType.nesting_mode === 'single' ? 1 : blockType.max_items;
    if (max !== undefined && blocks.length > max) {
      problems.push(
        problem(
          context,
          blocks[max]?.line ?? line,
          name,
          `at most ${max} block(s) allowed, found ${blocks.length}`,
        ),
      );
    }
  }
  for (const block of blocks) {
    if (block.labels.length > 0) {
      problems.push(problem(context, block.line, name, 'nested blocks take no labels'));
    }
    problems.push(
      ...checkBody(block.body, blockType.block, {
        ...context,
        path: [...context.path, name],
        line: block.line,
      }),
    );
  }
  return problems;
}

function checkAttributeItem(item: HclAttribute, schema: SchemaBlock, context: CheckContext): string[] {
  const attribute = schema.attributes?.[item.name];
  if (!attribute) {
    if (schema.block_types?.[item.name]) {
      return [
        problem(context, item.line, item.name, `is a block, not an argument: write ${item.name} { ... }`),
      ];
    }
    const known = [...Object.keys(schema.attributes ?? {}), ...Object.keys(schema.block_types ?? {})];
    return [problem(context, item.line, item.name, `unsupported argument${suggestion(item.name, known)}`)];
  }
  if (isComputedOnly(attribute)) {
    return [problem(context, item.line, item.name, 'is computed by the provider and cannot be set')];
  }
  if (literalMismatch(attribute.type, item.shape)) {
    return [
      problem(
        context,
        item.line,
        item.name,
        `expects ${describeType(attribute.type)}, got a ${item.shape} literal`,
      ),
    ];
  }
  return [];
}

/**
 * Checks one body (a resource's or a nested block's) against its schema block. Meta-arguments are not
 * known here: {@link checkResourceBlock} removes them first.
 */
export function checkBody(body: HclBody, schema: SchemaBlock, context: CheckContext): string[] {
  const problems: string[] = [];
  const seenAttributes = new Set<string>();
  const staticBlocks = new Map<string, HclBlock[]>();
  const dynamicCounts = new Map<string, number>();
  for (const item of body) {
    if (item.kind === 'attribute') {
      if (seenAttributes.has(item.name))
        problems.push(problem(context, item.line, item.name, 'argument set twice'));
      seenAttributes.add(item.name);
      problems.push(...checkAttributeItem(item, schema, context));
      continue;
    }
    if (item.type === 'dynamic') {
      const label = item.labels[0] ?? '';
      dynamicCounts.set(label, (dynamicCounts.get(label) ?? 0) + 1);
      problems.push(...checkDynamic(item, schema, context));
      continue;
    }
    if (!schema.block_types?.[item.type]) {
      const known = [...Object.keys(schema.block_types ?? {}), ...Object.keys(schema.attributes ?? {})];
      const message = schema.attributes?.[item.type]
        ? `is an argument, not a block: write ${item.type} = ...`
        : `unsupported block type${suggestion(item.type, known)}`;
      problems.push(problem(context, item.line, item.type, message));
      continue;
    }
    staticBlocks.set(item.type, [...(staticBlocks.get(item.type) ?? []), item]);
  }
  for (const [name, blocks] of staticBlocks) {
    const blockType = schema.block_types?.[name];
    if (blockType)
      problems.push(...checkNestedBlocks(name, blockType, blocks, dynamicCounts.get(name) ?? 0, context));
  }
  for (const [name, attribute] of Object.entries(schema.attributes ?? {})) {
    if (attribute.required && !seenAttributes.has(name)) {
      problems.push(problem(context, context.line, name, 'missing required argument'));
    }
  }
  for (const [name, blockType] of Object.entries(schema.block_types ?? {})) {
    const present = (staticBlocks.get(name)?.length ?? 0) + (dynamicCounts.get(name) ?? 0);
    if ((blockType.min_items ?? 0) > 0 && present === 0) {
      problems.push(problem(context, context.line, name, 'missing required block'));
    } else if (dynamicCounts.get(name) === undefined && present > 0 && present < (blockType.min_items ?? 0)) {
      problems.push(
        problem(
          context,
          context.line,
          name,
          `at least ${blockType.min_items} block(s) required, found ${present}`,
        ),
      );
    }
  }
  return problems;
}

function isMetaArgument(item: HclItem, kind: 'resource' | 'data'): boolean {
  const meta = metaArguments[kind];
  return item.kind === 'attribute' ? meta.attributes.includes(item.name) : meta.blocks.includes(item.type);
}

/** Where else a type exists, for the message when it is missing from its provider. */
function otherProvidersWith(schemas: ProviderSchemas, block: ResourceBlock, except: string): string[] {
  return Object.entries(schemas.provider_schemas)
    .filter(([address, provider]) => {
      const byType = block.kind === 'resource' ? provider.resource_schemas : provider.data_source_schemas;
      return address !== except && block.type in byType;
    })
    .map(([address]) => address.split('/').pop() ?? address);
}

export function checkResourceBlock(block: ResourceBlock, schemas: ProviderSchemas): string[] {
  const address = `${block.kind === 'data' ? 'data.' : ''}${block.type}.${block.name}`;
  const context: CheckContext = { fileName: block.fileName, address, path: [], line: block.line };
  const providerKey = providerAddress(block.providerSource);
  const provider = schemas.provider_schemas[providerKey];
  const what = block.kind === 'resource' ? 'resource type' : 'data source';
  if (!provider) {
    return [`${block.fileName}:${block.line}: ${address}: no schema for provider ${block.providerSource}`];
  }
  const byType = block.kind === 'resource' ? provider.resource_schemas : provider.data_source_schemas;
  const schema = byType[block.type];
  if (!schema) {
    const elsewhere = otherProvidersWith(schemas, block, providerKey);
    const hint =
      elsewhere.length > 0
        ? ` (it exists in ${elsewhere.join(', ')}: set provider = ${elsewhere[0]})`
        : suggestion(block.type, Object.keys(byType));
    return [`${block.fileName}:${block.line}: ${address}: unknown ${what} in ${block.providerSource}${hint}`];
  }
  const problems: string[] = [];
  const meta = block.body.filter((item) => isMetaArgument(item, block.kind));
  const names = meta.map((item) => (item.kind === 'attribute' ? item.name : item.type));
  if (names.includes('count') && names.includes('for_each')) {
    problems.push(`${block.fileName}:${block.line}: ${address}: count and for_each cannot both be set`);
  }
  for (const item of meta) {
    if (item.kind === 'block' && item.type === 'lifecycle')
      problems.push(...checkLifecycle(item, block.kind, context));
  }
  const own = block.body.filter((item) => !isMetaArgument(item, block.kind));
  return [...problems, ...checkBody(own, schema.block, context)];
}

/** Every resource and data block of a configuration, checked against the provider schemas. */
export function checkResourceBlocks(blocks: ResourceBlock[], schemas: ProviderSchemas): string[] {
  return blocks.flatMap((block) => checkResourceBlock(block, schemas));
}
