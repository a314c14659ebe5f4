/**
 * Regenerates test/terraform/provider-schema.json: the schemas of the resources and data sources terraform/
 * uses (plus a few about to be added), in the shape of `terraform providers schema -json`, taken from cdktf's
 * prebuilt provider packages. Those packages weigh hundreds of MB, so they are only packed into a temporary
 * directory while this runs, never installed.
 *
 *   npx tsx scripts/terraform-schema/extract.ts [--out <file>] [--terraform-dir <dir>]
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { schemaFromCdktfSource } from './cdktf-schema.js';
import { typeScriptSourceFor, withUnpackedPackage } from './cdktf-package.js';
import { providerAddress } from '../../test/terraform/provider-schema.js';
import type { ProviderSchema, ProviderSchemas } from '../../test/terraform/provider-schema.js';
import { readHclFiles, resourceBlocksOf } from '../../test/terraform/resource-blocks.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Provider source → the cdktf package generated from its newest release of the major version terraform/ pins. */
const packages: Record<string, string> = {
  'hashicorp/google': '@cdktf/provider-google@16.12.1',
  'hashicorp/google-beta': '@cdktf/provider-google-beta@16.12.1',
  'hashicorp/archive': '@cdktf/provider-archive@11.0.1',
};

interface Wanted {
  resource: Set<string>;
  data: Set<string>;
}

/** Types about to be added to terraform/: extracted ahead, so the check covers them from their first commit. */
const upcoming: Record<string, string[]> = {
  'hashicorp/google': [
    'google_apikeys_key',
    'google_cloud_run_service_iam_member',
    'google_cloud_run_v2_service_iam_member',
    'google_cloud_scheduler_job',
    'google_cloud_tasks_queue',
    'google_cloud_tasks_queue_iam_member',
    'google_cloudfunctions2_function_iam_member',
    'google_firestore_field',
    'google_firestore_index',
    'google_logging_project_exclusion',
    'google_monitoring_alert_policy',
    'google_project_service',
    'google_service_account_iam_member',
  ],
  'hashicorp/google-beta': [
    'google_api_gateway_api',
    'google_api_gateway_api_config',
    'google_api_gateway_gateway',
  ],
};

async function wantedTypes(terraformDir: string): Promise<Map<string, Wanted>> {
  const wanted = new Map<string, Wanted>();
  const entry = (source: string): Wanted => {
    const existing = wanted.get(source);
    if (existing) return existing;
    const created: Wanted = { resource: new Set(), data: new Set() };
    wanted.set(source, created);
    return created;
  };
  for (const block of resourceBlocksOf(await readHclFiles(terraformDir))) {
    entry(block.providerSource)[block.kind].add(block.type);
  }
  for (const [source, types] of Object.entries(upcoming))
    for (const type of types) entry(source).resource.add(type);
  return wanted;
}

async function providerSchemaFor(
  spec: string,
  wanted: Wanted,
): Promise<{ schema: ProviderSchema; version: string }> {
  return withUnpackedPackage(spec, async (pkg) => {
    const schema: ProviderSchema = { resource_schemas: {}, data_source_schemas: {} };
    for (const kind of ['resource', 'data'] as const) {
      for (const type of [...wanted[kind]].sort()) {
        const extracted = schemaFromCdktfSource(await typeScriptSourceFor(pkg, kind, type));
        const target = kind === 'resource' ? schema.resource_schemas : schema.data_source_schemas;
        target[type] = { block: extracted.block };
      }
    }
    return { schema, version: pkg.providerVersion };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: path.join(repoRoot, 'test/terraform/provider-schema.json') },
      'terraform-dir': { type: 'string', default: path.join(repoRoot, 'terraform') },
    },
  });
  const wanted = await wantedTypes(values['terraform-dir']);
  const result: ProviderSchemas = {
    format_version: '1.0',
    provider_schemas: {},
    generated: { from: {}, command: 'npx tsx scripts/terraform-schema/extract.ts' },
  };
  for (const [source, types] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const spec = packages[source];
    if (!spec)
      throw new Error(
        `no cdktf package known for provider ${source}: add it to packages in ${import.meta.url}`,
      );
    console.log(`${spec}: ${types.resource.size} resources, ${types.data.size} data sources`);
    const { schema, version } = await providerSchemaFor(spec, types);
    result.provider_schemas[providerAddress(source)] = schema;
    if (result.generated) result.generated.from[spec] = `${source} ${version}`;
  }
  // Formatted as `prettier --check` (npm run lint) expects it.
  const json = await format(JSON.stringify(result), { ...(await resolveConfig(values.out)), parser: 'json' });
  await writeFile(values.out, json);
  console.log(`wrote ${values.out} (${Math.round(json.length / 1024)} KiB)`);
}

await main();
