/**
 * Provider schemas in the shape `terraform providers schema -json` prints (the subset the checks read), and the
 * committed copy for the resources this project uses: test/terraform/provider-schema.json. See README.md here
 * for how that file is made.
 */
import { readFile } from 'node:fs/promises';

/** A cty type as Terraform writes it: "string", ["list", "string"], ["object", {...}], "dynamic". */
export type CtyType = string | [string, CtyType] | [string, Record<string, CtyType>];

export interface SchemaAttribute {
  type: CtyType;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
}

export interface SchemaBlockType {
  nesting_mode: 'single' | 'list' | 'set';
  block: SchemaBlock;
  min_items?: number;
  max_items?: number;
}

export interface SchemaBlock {
  attributes?: Record<string, SchemaAttribute>;
  block_types?: Record<string, SchemaBlockType>;
}

export interface ResourceSchema {
  block: SchemaBlock;
}

export interface ProviderSchema {
  resource_schemas: Record<string, ResourceSchema>;
  data_source_schemas: Record<string, ResourceSchema>;
}

export interface ProviderSchemas {
  format_version: string;
  /** Keyed by provider source address, e.g. "registry.terraform.io/hashicorp/google". */
  provider_schemas: Record<string, ProviderSchema>;
  /** Not in Terraform's output: where this copy came from and how to make it again. */
  generated?: { from: Record<string, string>; command: string };
}

export const providerSchemaFile = new URL('./provider-schema.json', import.meta.url);

/** "hashicorp/google" → "registry.terraform.io/hashicorp/google" (sources already fully qualified pass through). */
export function providerAddress(source: string): string {
  return source.split('/').length === 2 ? `registry.terraform.io/${source}` : source;
}

/** An attribute the configuration may not set: the provider computes it. */
export function isComputedOnly(attribute: SchemaAttribute): boolean {
  return attribute.computed === true && attribute.required !== true && attribute.optional !== true;
}

// ------------------------------------------------------------------------------------------------------------
// Reading the JSON with its shape checked, so a hand-edited or truncated file fails here and not deep in a check

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, what: string): never {
  throw new Error(`provider schema: ${where}: ${what}`);
}

function recordAt(value: unknown, where: string): Record<string, unknown> {
  if (!isRecord(value)) fail(where, 'expected an object');
  return value;
}

function optionalRecordAt(value: unknown, where: string): Record<string, unknown> {
  return value === undefined ? {} : recordAt(value, where);
}

function isCtyType(value: unknown): value is CtyType {
  if (typeof value === 'string') return true;
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string') return false;
  const element: unknown = value[1];
  return isCtyType(element) || (isRecord(element) && Object.values(element).every(isCtyType));
}

function attributeAt(value: unknown, where: string): SchemaAttribute {
  const raw = recordAt(value, where);
  if (!isCtyType(raw.type)) fail(where, 'type is not a cty type');
  const attribute: SchemaAttribute = { type: raw.type };
  for (const flag of ['required', 'optional', 'computed'] as const) {
    const flagValue = raw[flag];
    if (flagValue === undefined) continue;
    if (typeof flagValue !== 'boolean') fail(where, `${flag} is not a boolean`);
    attribute[flag] = flagValue;
  }
  return attribute;
}

function blockTypeAt(value: unknown, where: string): SchemaBlockType {
  const raw = recordAt(value, where);
  const mode = raw.nesting_mode;
  if (mode !== 'single' && mode !== 'list' && mode !== 'set')
    fail(where, `unknown nesting_mode ${String(mode)}`);
  const blockType: SchemaBlockType = { nesting_mode: mode, block: blockAt(raw.block, `${where}.block`) };
  for (const bound of ['min_items', 'max_items'] as const) {
    const boundValue = raw[bound];
    if (boundValue === undefined) continue;
    if (typeof boundValue !== 'number') fail(where, `${bound} is not a number`);
    blockType[bound] = boundValue;
  }
  return blockType;
}

function blockAt(value: unknown, where: string): SchemaBlock {
  const raw = recordAt(value, where);
  const attributes = Object.fromEntries(
    Object.entries(optionalRecordAt(raw.attributes, `${where}.attributes`)).map(([name, attribute]) => [
      name,
      attributeAt(attribute, `${where}.${name}`),
    ]),
  );
  const blockTypes = Object.fromEntries(
    Object.entries(optionalRecordAt(raw.block_types, `${where}.block_types`)).map(([name, blockType]) => [
      name,
      blockTypeAt(blockType, `${where}.${name}`),
    ]),
  );
  return { attributes, block_types: blockTypes };
}

function schemasOfKind(value: unknown, where: string): Record<string, ResourceSchema> {
  return Object.fromEntries(
    Object.entries(optionalRecordAt(value, where)).map(([type, schema]) => [
      type,
      { block: blockAt(recordAt(schema, `${where}.${type}`).block, `${where}.${type}`) },
    ]),
  );
}

/** Checks the shape of parsed `providers schema -json` output (or the committed subset of it). */
export function asProviderSchemas(value: unknown): ProviderSchemas {
  const raw = recordAt(value, 'root');
  if (typeof raw.format_version !== 'string') fail('root', 'format_version is missing');
  const providers = recordAt(raw.provider_schemas, 'provider_schemas');
  const providerSchemas = Object.fromEntries(
    Object.entries(providers).map(([address, provider]) => {
      const schema = recordAt(provider, address);
      return [
        address,
        {
          resource_schemas: schemasOfKind(schema.resource_schemas, `${address}.resource_schemas`),
          data_source_schemas: schemasOfKind(schema.data_source_schemas, `${address}.data_source_schemas`),
        },
      ];
    }),
  );
  const generated = isRecord(raw.generated) ? raw.generated : undefined;
  const from = generated && isRecord(generated.from) ? generated.from : undefined;
  return {
    format_version: raw.format_version,
    provider_schemas: providerSchemas,
    ...(from && typeof generated?.command === 'string'
      ? {
          generated: {
            from: Object.fromEntries(Object.entries(from).map(([k, v]) => [k, String(v)])),
            command: generated.command,
          },
        }
      : {}),
  };
}

export async function loadProviderSchemas(file: URL = providerSchemaFile): Promise<ProviderSchemas> {
  return asProviderSchemas(JSON.parse(await readFile(file, 'utf8')));
}
