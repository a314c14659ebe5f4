/**
 * Just enough of Terraform's semantics to reason about the parsed configuration offline: expanding `for_each`
 * into instances, substituting `each.key` / `each.value`, and following references between resources.
 * Anything it does not understand stays an unresolved string, which the checks then report.
 */
import { isHclObject } from '../../devtools/topology.js';
import { stringOf, withoutPrefix } from './load.js';
import type { HclObject, HclValue, TerraformConfig } from './load.js';

export interface Instance {
  type: string;
  name: string;
  /** `each.key`; for `toset(var.x)` the symbolic key "var.x" (one instance stands for all of them). */
  key?: string;
  eachValue?: HclValue;
  body: HclObject;
}

export function addressOf(instance: Pick<Instance, 'type' | 'name' | 'key'>): string {
  return instance.key === undefined
    ? `${instance.type}.${instance.name}`
    : `${instance.type}.${instance.name}["${instance.key}"]`;
}

function localValue(config: TerraformConfig, name: string): HclValue | undefined {
  return config.locals[name];
}

/**
 * The instances `for_each` creates: over `local.<object>`, `toset(local.<list>)` or `toset(var.<list>)`; a set
 * switched by a flag, `toset(var.<flag> ? local.<list> : [])`, stands for the configuration with the flag on.
 */
export function instancesOf(
  config: TerraformConfig,
  type: string,
  name: string,
  body: HclObject,
): Instance[] {
  const forEach = stringOf(body.for_each);
  if (body.for_each === undefined) return [{ type, name, body }];
  const overLocal = forEach ? /^\$\{local\.(\w+)\}$/.exec(forEach) : null;
  const overLocalSet = forEach
    ? (/^\$\{toset\(local\.(\w+)\)\}$/.exec(forEach) ??
      /^\$\{toset\(var\.\w+ \? local\.(\w+) : \[\]\)\}$/.exec(forEach))
    : null;
  const overVarSet = forEach ? /^\$\{toset\(var\.(\w+)\)\}$/.exec(forEach) : null;
  if (overLocal?.[1]) {
    const value = localValue(config, overLocal[1]);
    if (isHclObject(value)) {
      return Object.entries(value).map(([key, eachValue]) => ({ type, name, key, eachValue, body }));
    }
  }
  if (overLocalSet?.[1]) {
    const value = localValue(config, overLocalSet[1]);
    if (Array.isArray(value)) {
      return value.map((item) => ({ type, name, key: String(item), eachValue: item, body }));
    }
  }
  if (overVarSet?.[1]) {
    const symbol = `var.${overVarSet[1]}`;
    return [{ type, name, key: symbol, eachValue: symbol, body }];
  }
  return [{ type, name, key: `unresolved for_each ${JSON.stringify(body.for_each)}`, body }];
}

export function allInstancesOf(config: TerraformConfig, type: string): Instance[] {
  return Object.entries(config.resource[type] ?? {}).flatMap(([name, body]) =>
    instancesOf(config, type, name, body),
  );
}

function walk(value: HclValue | undefined, path: string[]): HclValue | undefined {
  return path.reduce<HclValue | undefined>(
    (current, key) => (isHclObject(current) ? current[key] : undefined),
    value,
  );
}

/**
 * Substitutes `each.key` and `each.value[.path]` of an instance into a value: an expression that is only
 * `${each.value.x}` becomes that value; `${each.key}` and `[each.key]` inside strings become the key.
 */
export function resolveEach(instance: Instance, value: HclValue | undefined): HclValue | undefined {
  if (typeof value !== 'string' || instance.key === undefined) return value;
  const whole = /^\$\{each\.value((?:\.\w+)*)\}$/.exec(value);
  if (whole) return walk(instance.eachValue, (whole[1] ?? '').split('.').filter(Boolean));
  if (value === '${each.key}') return instance.key;
  return value.replaceAll('${each.key}', instance.key).replaceAll('[each.key]', `["${instance.key}"]`);
}

export interface Reference {
  type: string;
  name: string;
  key?: string;
  attribute: string;
}

/**
 * `${google_service_account.runtime["send"].email}` → { type, name: 'runtime', key: 'send', attribute }. A
 * `count` index (`gateway[0]`) has no key: such a resource is read as its one instance.
 */
export function parseReference(value: HclValue | undefined): Reference | undefined {
  const match =
    typeof value === 'string'
      ? /^\$\{(google_\w+|data\.\w+)\.(\w+)(?:\["([^"\]]+)"\]|\[\d+\])?\.(\w+)\}$/.exec(value)
      : null;
  if (!match?.[1] || !match[2] || !match[4]) return undefined;
  return { type: match[1], name: match[2], key: match[3], attribute: match[4] };
}

/** The instance a reference points at, if the configuration has it. */
export function findInstance(config: TerraformConfig, reference: Reference): Instance | undefined {
  const body = config.resource[reference.type]?.[reference.name];
  if (!body) return undefined;
  return instancesOf(config, reference.type, reference.name, body).find((i) => i.key === reference.key);
}

/** A string attribute of an instance, with each.* substituted and the name prefix removed. */
export function nameAttribute(instance: Instance, attribute: string): string | undefined {
  const value = stringOf(resolveEach(instance, instance.body[attribute]));
  return value === undefined ? undefined : withoutPrefix(value);
}

/** The (prefix-free) name of what a reference points at, via the attribute that names that kind of resource. */
export function referencedName(config: TerraformConfig, value: HclValue | undefined): string | undefined {
  const reference = parseReference(value);
  if (!reference) return undefined;
  const instance = findInstance(config, reference);
  if (!instance) return undefined;
  const namingAttribute: Record<string, string> = {
    google_service_account: 'account_id',
    google_secret_manager_secret: 'secret_id',
  };
  return nameAttribute(instance, namingAttribute[reference.type] ?? 'name');
}
