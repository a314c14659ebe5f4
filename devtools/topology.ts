/**
 * The Pub/Sub topology (docs/topics.md), read from the Terraform configuration (terraform/pubsub.tf) so that the
 * local stack and the tests create exactly what Terraform deploys. Nothing here is a second, hand-written list.
 *
 * Resolution is deliberately small and explicit: `${var.name_prefix}` in names, references to
 * `google_pubsub_topic.<x>.id|name`, the inbound function's URI as push endpoint, durations like "600s",
 * literal numbers, and `count = var.flag ? 1 : 0`. Anything else throws, so drift between pubsub.tf and this
 * file is loud instead of silent.
 */
import { parse } from '@cdktf/hcl2json';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { FUNCTION_NAMES, type FunctionName } from '../functions/catalog.js';
import { fileURLToPath } from 'node:url';

// ------------------------------------------------------------------------------------------------------------
// Parsed Terraform configuration (shape of @cdktf/hcl2json, narrowed)

export type HclValue = string | number | boolean | null | HclValue[] | HclObject;
export interface HclObject {
  [key: string]: HclValue;
}

/** Blocks by type then name, e.g. `resource.google_pubsub_topic.inbound` is the body of that resource. */
export type BlocksByTypeAndName = Record<string, Record<string, HclObject>>;

/** Every `*.tf` file of one directory, merged. Expressions are strings such as `"${var.project_id}"`. */
export interface TerraformConfig {
  resource: BlocksByTypeAndName;
  data: BlocksByTypeAndName;
  variable: Record<string, HclObject>;
  output: Record<string, HclObject>;
  locals: HclObject;
  terraform: HclObject[];
  provider: Record<string, HclObject[]>;
}

export const defaultTerraformDir = fileURLToPath(new URL('../terraform', import.meta.url));

export function isHclObject(value: unknown): value is HclObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toHclValue(value: unknown, where: string): HclValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => toHclValue(item, `${where}[${i}]`));
  if (isHclObject(value)) {
    const result: HclObject = {};
    for (const [key, item] of Object.entries(value)) result[key] = toHclValue(item, `${where}.${key}`);
    return result;
  }
  throw new Error(`Unexpected value of type ${typeof value} at ${where}`);
}

function asObject(value: HclValue | undefined, where: string): HclObject {
  if (!isHclObject(value)) throw new Error(`Expected a block at ${where}`);
  return value;
}

/** `{ name: [body] }` → `{ name: body }`; a block declared twice is an error, as it is for Terraform. */
function singleBlocks(value: HclValue | undefined, where: string): Record<string, HclObject> {
  if (value === undefined) return {};
  const result: Record<string, HclObject> = {};
  for (const [name, bodies] of Object.entries(asObject(value, where))) {
    if (!Array.isArray(bodies) || bodies.length !== 1) {
      throw new Error(`Expected exactly one block ${where}.${name}`);
    }
    result[name] = asObject(bodies[0], `${where}.${name}`);
  }
  return result;
}

function mergeUnique<T>(target: Record<string, T>, source: Record<string, T>, where: string): void {
  for (const [name, value] of Object.entries(source)) {
    if (name in target) throw new Error(`Duplicate ${where}.${name}`);
    target[name] = value;
  }
}

function emptyConfig(): TerraformConfig {
  return { resource: {}, data: {}, variable: {}, output: {}, locals: {}, terraform: [], provider: {} };
}

function mergeFile(config: TerraformConfig, file: HclObject, fileName: string): void {
  for (const kind of ['resource', 'data'] as const) {
    const byType = file[kind];
    if (byType === undefined) continue;
    for (const [type, blocks] of Object.entries(asObject(byType, `${fileName}: ${kind}`))) {
      config[kind][type] ??= {};
      mergeUnique(config[kind][type], singleBlocks(blocks, `${kind}.${type}`), `${kind}.${type}`);
    }
  }
  mergeUnique(config.variable, singleBlocks(file.variable, 'variable'), 'variable');
  mergeUnique(config.output, singleBlocks(file.output, 'output'), 'output');
  for (const block of arrayOf(file.locals)) mergeUnique(config.locals, asObject(block, 'locals'), 'local');
  for (const block of arrayOf(file.terraform)) config.terraform.push(asObject(block, 'terraform'));
  if (file.provider !== undefined) {
    for (const [name, blocks] of Object.entries(asObject(file.provider, 'provider'))) {
      config.provider[name] = [
        ...(config.provider[name] ?? []),
        ...arrayOf(blocks).map((b) => asObject(b, `provider.${name}`)),
      ];
    }
  }
}

function arrayOf(value: HclValue | undefined): HclValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Parses one HCL text (a `.tf` file's contents); `fileName` only appears in error messages. */
export async function parseTerraformFile(fileName: string, contents: string): Promise<HclObject> {
  const parsed: unknown = await parse(fileName, contents);
  return asObject(toHclValue(parsed, fileName), fileName);
}

/** Parses and merges every `*.tf` file of `dir` (not recursive). */
export async function readTerraformConfig(dir: string = defaultTerraformDir): Promise<TerraformConfig> {
  const fileNames = (await readdir(dir)).filter((name) => name.endsWith('.tf')).sort();
  if (fileNames.length === 0) throw new Error(`No .tf files in ${dir}`);
  const config = emptyConfig();
  for (const fileName of fileNames) {
    const contents = await readFile(path.join(dir, fileName), 'utf8');
    mergeFile(config, await parseTerraformFile(fileName, contents), fileName);
  }
  return config;
}

// ------------------------------------------------------------------------------------------------------------
// Topology

export type { FunctionName };

export interface SubscriptionTopology {
  name: string;
  topic: string;
  /** Push subscriptions deliver to a function; its URL depends on where it runs, so only its name is kept. */
  push?: { functionName: FunctionName };
  ackDeadlineSeconds?: number;
  retryPolicy?: { minimumBackoffSeconds: number; maximumBackoffSeconds: number };
  deadLetter?: { topic: string; maxDeliveryAttempts: number };
  messageRetentionSeconds?: number;
}

export interface PubSubTopology {
  topics: string[];
  subscriptions: SubscriptionTopology[];
}

/** Same rule as the name_prefix validation in variables.tf. */
const namePrefixPattern = /^([a-z][a-z0-9-]{0,12}-)?$/;

/** Pub/Sub's own defaults, used when a block leaves the value out. */
const pubSubDefaults = { minimumBackoffSeconds: 10, maximumBackoffSeconds: 600, maxDeliveryAttempts: 5 };

interface ResolveContext {
  config: TerraformConfig;
  prefix: string;
  variables: Record<string, HclValue>;
}

function fail(where: string, what: string, value: unknown): never {
  throw new Error(
    `topology: cannot resolve ${what} at ${where}: ${JSON.stringify(value)}. ` +
      'Keep terraform/pubsub.tf within what devtools/topology.ts understands, or extend it.',
  );
}

function resolveName(value: HclValue | undefined, ctx: ResolveContext, where: string): string {
  if (typeof value !== 'string') return fail(where, 'name', value);
  const name = value.replaceAll('${var.name_prefix}', ctx.prefix);
  if (name.includes('${')) return fail(where, 'name', value);
  return name;
}

function resolveNumber(value: HclValue | undefined, where: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return fail(where, 'number', value);
}

/** "600s" → 600. */
export function parseDurationSeconds(value: HclValue | undefined, where = 'duration'): number {
  const match = typeof value === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(value) : null;
  if (!match?.[1]) return fail(where, 'duration', value);
  return Number(match[1]);
}

function variableValue(name: string, ctx: ResolveContext, where: string): HclValue {
  if (name in ctx.variables) return ctx.variables[name] ?? null;
  const declared = ctx.config.variable[name];
  if (declared === undefined) return fail(where, `undeclared variable ${name}`, name);
  if (!('default' in declared)) return fail(where, `variable ${name} without default`, name);
  return declared.default ?? null;
}

/** How many instances a block has: no count → 1; a literal; or `var.flag ? 1 : 0`. for_each is refused. */
function instanceCount(body: HclObject, ctx: ResolveContext, where: string): number {
  if ('for_each' in body)
    return fail(where, 'for_each (not supported for topics and subscriptions)', body.for_each);
  const count = body.count;
  if (count === undefined) return 1;
  if (typeof count === 'number') return count;
  const flag = typeof count === 'string' ? /^\$\{var\.(\w+) \? 1 : 0\}$/.exec(count) : null;
  if (!flag?.[1]) return fail(where, 'count', count);
  const value = variableValue(flag[1], ctx, where);
  if (typeof value !== 'boolean') return fail(where, `boolean variable ${flag[1]}`, value);
  return value ? 1 : 0;
}

function topicBlocks(ctx: ResolveContext): Record<string, HclObject> {
  return ctx.config.resource.google_pubsub_topic ?? {};
}

/** `${google_pubsub_topic.inbound.id}` (or `.name`) → the topic's resolved name. */
function resolveTopicReference(value: HclValue | undefined, ctx: ResolveContext, where: string): string {
  const match =
    typeof value === 'string' ? /^\$\{google_pubsub_topic\.(\w+)\.(?:id|name)\}$/.exec(value) : null;
  const topic = match?.[1] ? topicBlocks(ctx)[match[1]] : undefined;
  if (!match?.[1] || topic === undefined) return fail(where, 'topic reference', value);
  return resolveName(topic.name, ctx, `google_pubsub_topic.${match[1]}.name`);
}

/**
 * `${google_cloudfunctions2_function.<r>["inbound"].service_config[0].uri}` (or `.url`), optionally followed by
 * `/projects/${var.project_id}/topics/${google_pubsub_topic.<t>.name}` → "inbound".
 */
function resolvePushTarget(value: HclValue | undefined, ctx: ResolveContext, where: string): FunctionName {
  const match =
    typeof value === 'string'
      ? /^\$\{google_cloudfunctions2_function\.(\w+)\["(\w+)"\]\.(?:service_config\[0\]\.uri|url)\}(?:\/projects\/\$\{var\.project_id\}\/topics\/\$\{google_pubsub_topic\.\w+\.name\})?$/.exec(
          value,
        )
      : null;
  const resourceName = match?.[1];
  const functionName = match?.[2];
  if (!resourceName || !functionName || !isFunctionName(functionName))
    return fail(where, 'push endpoint', value);
  if (ctx.config.resource.google_cloudfunctions2_function?.[resourceName] === undefined) {
    return fail(where, 'push endpoint (no such function resource)', value);
  }
  return functionName;
}

function isFunctionName(name: string): name is FunctionName {
  return (FUNCTION_NAMES as readonly string[]).includes(name);
}

function firstBlock(body: HclObject, key: string, where: string): HclObject | undefined {
  const blocks = body[key];
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length !== 1) return fail(where, `single ${key} block`, blocks);
  return asObject(blocks[0], `${where}.${key}`);
}

function readSubscription(resourceName: string, body: HclObject, ctx: ResolveContext): SubscriptionTopology {
  const where = `google_pubsub_subscription.${resourceName}`;
  const subscription: SubscriptionTopology = {
    name: resolveName(body.name, ctx, `${where}.name`),
    topic: resolveTopicReference(body.topic, ctx, `${where}.topic`),
  };
  const push = firstBlock(body, 'push_config', where);
  if (push)
    subscription.push = { functionName: resolvePushTarget(push.push_endpoint, ctx, `${where}.push_config`) };
  if (body.ack_deadline_seconds !== undefined) {
    subscription.ackDeadlineSeconds = resolveNumber(
      body.ack_deadline_seconds,
      `${where}.ack_deadline_seconds`,
    );
  }
  const retry = firstBlock(body, 'retry_policy', where);
  if (retry) {
    subscription.retryPolicy = {
      minimumBackoffSeconds:
        retry.minimum_backoff === undefined
          ? pubSubDefaults.minimumBackoffSeconds
          : parseDurationSeconds(retry.minimum_backoff, `${where}.retry_policy.minimum_backoff`),
      maximumBackoffSeconds:
        retry.maximum_backoff === undefined
          ? pubSubDefaults.maximumBackoffSeconds
          : parseDurationSeconds(retry.maximum_backoff, `${where}.retry_policy.maximum_backoff`),
    };
  }
  const deadLetter = firstBlock(body, 'dead_letter_policy', where);
  if (deadLetter) {
    subscription.deadLetter = {
      topic: resolveTopicReference(deadLetter.dead_letter_topic, ctx, `${where}.dead_letter_policy`),
      maxDeliveryAttempts:
        deadLetter.max_delivery_attempts === undefined
          ? pubSubDefaults.maxDeliveryAttempts
          : resolveNumber(
              deadLetter.max_delivery_attempts,
              `${where}.dead_letter_policy.max_delivery_attempts`,
            ),
    };
  }
  if (body.message_retention_duration !== undefined) {
    subscription.messageRetentionSeconds = parseDurationSeconds(
      body.message_retention_duration,
      `${where}.message_retention_duration`,
    );
  }
  return subscription;
}

/** Resolves the topology from an already parsed configuration. */
export function pubSubTopologyOf(
  config: TerraformConfig,
  prefix = '',
  variables: Record<string, HclValue> = {},
): PubSubTopology {
  if (!namePrefixPattern.test(prefix)) {
    throw new Error(`topology: invalid name prefix ${JSON.stringify(prefix)} (empty, or like "staging-")`);
  }
  const ctx: ResolveContext = { config, prefix, variables };
  const topics = Object.entries(topicBlocks(ctx))
    .filter(([name, body]) => instanceCount(body, ctx, `google_pubsub_topic.${name}`) > 0)
    .map(([name, body]) => resolveName(body.name, ctx, `google_pubsub_topic.${name}.name`))
    .sort();
  const subscriptions = Object.entries(config.resource.google_pubsub_subscription ?? {})
    .filter(([name, body]) => instanceCount(body, ctx, `google_pubsub_subscription.${name}`) > 0)
    .map(([name, body]) => readSubscription(name, body, ctx))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const subscription of subscriptions) {
    for (const topic of [subscription.topic, subscription.deadLetter?.topic]) {
      if (topic !== undefined && !topics.includes(topic)) {
        throw new Error(
          `topology: subscription ${subscription.name} refers to topic ${topic}, which is not created`,
        );
      }
    }
  }
  return { topics, subscriptions };
}

/**
 * Topics and subscriptions that Terraform creates with `name_prefix = prefix` (default: the names of
 * docs/topics.md). `variables` overrides variable defaults, e.g. `{ create_user_messages_subscription: true }`.
 */
export async function loadPubSubTopology(
  terraformDir: string = defaultTerraformDir,
  prefix = '',
  variables: Record<string, HclValue> = {},
): Promise<PubSubTopology> {
  return pubSubTopologyOf(await readTerraformConfig(terraformDir), prefix, variables);
}
