/**
 * terraform/ checked against the real provider schemas (google 6.x, google-beta, archive), as
 * `terraform validate` would check it if the provider binaries could be downloaded here. Then mutations: each
 * typical mistake (misspelt argument, wrong nesting, missing required argument, unknown type, ...) applied to
 * the text of a copy must be reported.
 */
import { parse } from '@cdktf/hcl2json';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { HclBody } from './hcl-structure.js';
import { asProviderSchemas, loadProviderSchemas, providerAddress } from './provider-schema.js';
import { parseHclTexts, resourceBlocksOf } from './resource-blocks.js';
import { checkResourceBlocks } from './schema-checks.js';

const terraformDir = fileURLToPath(new URL('../../terraform', import.meta.url));
const schemas = await loadProviderSchemas();

async function readTexts(): Promise<Map<string, string>> {
  const names = (await readdir(terraformDir)).filter((name) => name.endsWith('.tf')).sort();
  return new Map(
    await Promise.all(
      names.map(async (name): Promise<[string, string]> => [
        name,
        await readFile(path.join(terraformDir, name), 'utf8'),
      ]),
    ),
  );
}

const repoTexts = await readTexts();
const repoBlocks = resourceBlocksOf(parseHclTexts(repoTexts));

function problemsOf(texts: ReadonlyMap<string, string>): string[] {
  return checkResourceBlocks(resourceBlocksOf(parseHclTexts(texts)), schemas);
}

/** The repository's texts with one file edited; throws if the edit changed nothing (a stale mutation). */
function edited(fileName: string, edit: (text: string) => string): Map<string, string> {
  const before = repoTexts.get(fileName);
  if (before === undefined) throw new Error(`no terraform/${fileName}`);
  const after = edit(before);
  if (after === before) throw new Error(`edit of ${fileName} changed nothing`);
  return new Map(repoTexts).set(fileName, after);
}

function replaceOnce(search: string, replacement: string): (text: string) => string {
  return (text) => {
    const at = text.indexOf(search);
    if (at < 0) throw new Error(`${JSON.stringify(search)} not found`);
    if (text.indexOf(search, at + 1) >= 0) throw new Error(`${JSON.stringify(search)} is not unique`);
    return text.slice(0, at) + replacement + text.slice(at + search.length);
  };
}

/** Applies `edit` to the text of one `resource "<type>" "<name>" { ... }` only. */
function inResource(type: string, name: string, edit: (text: string) => string): (text: string) => string {
  return (text) => {
    const start = text.indexOf(`resource "${type}" "${name}" {`);
    if (start < 0) throw new Error(`no resource ${type}.${name}`);
    const end = closingBrace(text, text.indexOf('{', start)) + 1;
    return text.slice(0, start) + edit(text.slice(start, end)) + text.slice(end);
  };
}

/** The offset of the `}` that closes the `{` at `open` (the .tf files have no braces inside strings' text). */
function closingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`the { at ${open} is not closed`);
}

/** Removes the header line `<header> {` and its closing brace, so the block's contents move up one level. */
function unwrapBlock(header: string): (text: string) => string {
  return (text) => {
    const start = text.indexOf(`${header} {`);
    if (start < 0) throw new Error(`no ${header} block`);
    const close = closingBrace(text, text.indexOf('{', start));
    const headerEnd = text.indexOf('\n', start) + 1;
    return text.slice(0, start) + text.slice(headerEnd, close) + text.slice(close + 1);
  };
}

function appendText(addition: string): (text: string) => string {
  return (text) => `${text}\n${addition}\n`;
}

/** Names of a body as hcl2json sees them (blocks and arguments alike), recursively through nested blocks. */
function namesFromHcl2Json(body: Record<string, unknown>): string[] {
  return Object.entries(body).flatMap(([name, value]) => {
    const nested = Array.isArray(value)
      ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
      : [];
    const isBlock = nested.length > 0 && name !== 'dynamic';
    return [
      name,
      ...(isBlock ? nested.flatMap((item) => namesFromHcl2Json(item).map((n) => `${name}.${n}`)) : []),
    ];
  });
}

function unique(names: string[]): string[] {
  return [...new Set(names)].sort();
}

function namesFromStructure(body: HclBody): string[] {
  return body.flatMap((item) => {
    if (item.kind === 'attribute') return [item.name];
    if (item.type === 'dynamic') return ['dynamic'];
    return [item.type, ...namesFromStructure(item.body).map((n) => `${item.type}.${n}`)];
  });
}

describe('terraform/ against the provider schemas', () => {
  it('reads every resource and data block', () => {
    expect(repoBlocks.length).toBeGreaterThanOrEqual(30);
    expect(repoBlocks.filter((block) => block.kind === 'data').map((block) => block.type)).toEqual(
      expect.arrayContaining(['google_project', 'archive_file']),
    );
  });

  it('reads the same arguments and blocks as @cdktf/hcl2json (the parser the other checks use)', async () => {
    for (const [fileName, text] of repoTexts) {
      const json = (await parse(fileName, text)) as Record<string, Record<string, Record<string, unknown[]>>>;
      for (const block of repoBlocks.filter((b) => b.fileName === fileName)) {
        const body = json[block.kind]?.[block.type]?.[block.name]?.[0] as Record<string, unknown> | undefined;
        expect(body, `${block.type}.${block.name}`).toBeDefined();
        expect(unique(namesFromStructure(block.body)), `${block.type}.${block.name}`).toEqual(
          unique(namesFromHcl2Json(body ?? {})),
        );
      }
    }
  });

  it('the committed schema has every type terraform/ uses (else: npx tsx scripts/terraform-schema/extract.ts)', () => {
    const missing = repoBlocks.filter((block) => {
      const provider = schemas.provider_schemas[providerAddress(block.providerSource)];
      const byType = block.kind === 'resource' ? provider?.resource_schemas : provider?.data_source_schemas;
      return !byType?.[block.type];
    });
    expect(missing.map((block) => `${block.kind} ${block.type} (${block.providerSource})`)).toEqual([]);
  });

  it('the committed schema comes from google 6.x, the major version versions.tf pins', () => {
    expect(Object.values(schemas.generated?.from ?? {})).toEqual(
      expect.arrayContaining([expect.stringMatching(/^hashicorp\/google 6\.\d+\.\d+$/)]),
    );
    expect(repoTexts.get('versions.tf')).toMatch(
      /source\s*=\s*"hashicorp\/google"\s*\n\s*version\s*=\s*"~> 6\./,
    );
  });

  it('every resource and data block matches its provider schema', () => {
    expect(checkResourceBlocks(repoBlocks, schemas)).toEqual([]);
  });
});

describe('each mistake fails the provider-schema check', () => {
  const subscription = (edit: (text: string) => string) =>
    inResource('google_pubsub_subscription', 'inbound_push', edit);
  const inboundTopic = (edit: (text: string) => string) => inResource('google_pubsub_topic', 'inbound', edit);
  const rbmKeySecret = (edit: (text: string) => string) =>
    inResource('google_secret_manager_secret', 'rbm_service_account_key', edit);
  const retryPolicy = '  retry_policy {\n    minimum_backoff = "10s"\n    maximum_backoff = "600s"\n  }\n';

  const mutations: Array<[string, string, (text: string) => string, RegExp]> = [
    [
      'a misspelt argument',
      'pubsub.tf',
      subscription(replaceOnce('ack_deadline_seconds =', 'ack_deadline_second =')),
      /inbound_push: ack_deadline_second: unsupported argument \(did you mean "ack_deadline_seconds"\?\)/,
    ],
    [
      'a misspelt argument in a nested block',
      'functions.tf',
      replaceOnce('service_account_email          =', 'service_acount_email          ='),
      /service_config\.service_acount_email: unsupported argument \(did you mean "service_account_email"\?\)/,
    ],
    [
      'a misspelt block type',
      'pubsub.tf',
      subscription(replaceOnce('  dead_letter_policy {', '  dead_letter_polcy {')),
      /dead_letter_polcy: unsupported block type \(did you mean "dead_letter_policy"\?\)/,
    ],
    [
      'wrong nesting: storage_source directly in build_config (not in source)',
      'functions.tf',
      unwrapBlock('    source'),
      /build_config\.storage_source: unsupported block type/,
    ],
    [
      'wrong nesting: push_config contents at the subscription top level',
      'pubsub.tf',
      subscription(unwrapBlock('  push_config')),
      /inbound_push: oidc_token: unsupported block type/,
    ],
    [
      'wrong nesting: an argument of retry_policy in dead_letter_policy',
      'pubsub.tf',
      subscription(
        replaceOnce('  dead_letter_policy {\n', '  dead_letter_policy {\n    maximum_backoff = "600s"\n'),
      ),
      /dead_letter_policy\.maximum_backoff: unsupported argument/,
    ],
    [
      'a missing required argument',
      'iam.tf',
      inResource(
        'google_project_iam_member',
        'send_datastore_user',
        replaceOnce('  role    = "roles/datastore.user"\n', ''),
      ),
      /google_project_iam_member\.send_datastore_user: role: missing required argument/,
    ],
    [
      'a missing required argument of a nested block',
      'functions.tf',
      replaceOnce('        secret     = secret_environment_variables.value\n', ''),
      /secret_environment_variables\.secret: missing required argument/,
    ],
    [
      'a missing required block',
      'secrets.tf',
      rbmKeySecret(replaceOnce('  replication {\n    auto {}\n  }\n', '')),
      /rbm_service_account_key: replication: missing required block/,
    ],
    [
      'an unknown resource type',
      'pubsub.tf',
      replaceOnce(
        'resource "google_pubsub_topic" "inbound" {',
        'resource "google_pubsub_topics" "inbound" {',
      ),
      /google_pubsub_topics\.inbound: unknown resource type in hashicorp\/google \(did you mean "google_pubsub_topic"\?\)/,
    ],
    [
      'an unknown data source',
      'apis.tf',
      replaceOnce('data "google_project" "this"', 'data "google_projects" "this"'),
      /data\.google_projects\.this: unknown data source in hashicorp\/google/,
    ],
    [
      'a google-beta-only type without provider = google-beta',
      'apis.tf',
      appendText('resource "google_api_gateway_api" "rbm" {\n  api_id = "rbm"\n}'),
      /google_api_gateway_api\.rbm: unknown resource type in hashicorp\/google \(it exists in google-beta: set provider = google-beta\)/,
    ],
    [
      'a block written as an argument (object)',
      'secrets.tf',
      rbmKeySecret(
        replaceOnce('  replication {\n    auto {}\n  }\n', '  replication = {\n    auto = {}\n  }\n'),
      ),
      /rbm_service_account_key: replication: is a block, not an argument/,
    ],
    [
      'a block written as an argument (list of objects, which hcl2json cannot tell from a block)',
      'pubsub.tf',
      subscription(
        replaceOnce(
          retryPolicy,
          '  retry_policy = [{\n    minimum_backoff = "10s"\n    maximum_backoff = "600s"\n  }]\n',
        ),
      ),
      /inbound_push: retry_policy: is a block, not an argument/,
    ],
    [
      'an argument written as a block',
      'pubsub.tf',
      inboundTopic(replaceOnce('  labels  = var.labels\n', '  labels {\n    app = "rbm"\n  }\n')),
      /google_pubsub_topic\.inbound: labels: is an argument, not a block/,
    ],
    [
      'a computed-only attribute set',
      'functions.tf',
      replaceOnce(
        '    available_memory               = "256Mi"\n',
        '    available_memory = "256Mi"\n    uri = "https://example.test"\n',
      ),
      /service_config\.uri: is computed by the provider and cannot be set/,
    ],
    [
      'a dynamic block for an argument',
      'functions.tf',
      replaceOnce('dynamic "secret_environment_variables"', 'dynamic "environment_variables"'),
      /service_config\.environment_variables: is an argument, and dynamic blocks only generate blocks/,
    ],
    [
      'two blocks where at most one is allowed',
      'pubsub.tf',
      subscription(replaceOnce(retryPolicy, `${retryPolicy}${retryPolicy}`)),
      /inbound_push: retry_policy: at most 1 block\(s\) allowed, found 2/,
    ],
    [
      'a list literal for a map argument',
      'pubsub.tf',
      inboundTopic(replaceOnce('  labels  = var.labels\n', '  labels  = ["rbm"]\n')),
      /google_pubsub_topic\.inbound: labels: expects map\(string\), got a tuple literal/,
    ],
    [
      'count and for_each together',
      'iam.tf',
      inResource(
        'google_project_iam_member',
        'build',
        replaceOnce('  for_each =', '  count    = 1\n  for_each ='),
      ),
      /google_project_iam_member\.build: count and for_each cannot both be set/,
    ],
    [
      'an unknown lifecycle argument',
      'iam.tf',
      replaceOnce('    replace_triggered_by =', '    replace_triggered_on ='),
      /lifecycle\.replace_triggered_on: unsupported argument in a resource lifecycle block/,
    ],
  ];

  it.each(mutations)('%s (%s)', (_label, fileName, edit, expected) => {
    expect(problemsOf(edited(fileName, edit))).toEqual(
      expect.arrayContaining([expect.stringMatching(expected)]),
    );
  });

  it('reports the file and line of the mistake', () => {
    const problems = problemsOf(
      edited('functions.tf', replaceOnce('runtime     = "nodejs22"', 'runtim      = "nodejs22"')),
    );
    const line =
      (repoTexts.get('functions.tf') ?? '').split('\n').findIndex((l) => l.includes('"nodejs22"')) + 1;
    expect(problems).toEqual([
      expect.stringMatching(new RegExp(`^functions\\.tf:${line}: .*build_config\\.runtim:`)),
    ]);
  });
});

describe('what the check accepts', () => {
  const accepted: Array<[string, string, (text: string) => string]> = [
    [
      'a google-beta type with provider = google-beta and its required arguments',
      'apis.tf',
      appendText(
        'resource "google_api_gateway_api" "rbm" {\n  provider = google-beta\n  api_id   = "rbm"\n}',
      ),
    ],
    [
      'a dynamic block for a nested block, with an iterator',
      'pubsub.tf',
      inResource(
        'google_pubsub_subscription',
        'inbound_push',
        replaceOnce(
          '  retry_policy {\n    minimum_backoff = "10s"\n    maximum_backoff = "600s"\n  }\n',
          '  dynamic "retry_policy" {\n    for_each = [1]\n    iterator = policy\n    content {\n      minimum_backoff = "${policy.value}0s"\n    }\n  }\n',
        ),
      ),
    ],
    [
      'a timeouts block (nesting mode single)',
      'secrets.tf',
      inResource(
        'google_secret_manager_secret',
        'rbm_service_account_key',
        replaceOnce('  replication {', '  timeouts {\n    create = "5m"\n  }\n\n  replication {'),
      ),
    ],
    [
      'a data source lifecycle precondition',
      'apis.tf',
      replaceOnce(
        '  depends_on = [google_project_service.required]\n}',
        '  depends_on = [google_project_service.required]\n\n  lifecycle {\n    precondition {\n      condition     = true\n      error_message = "never"\n    }\n  }\n}',
      ),
    ],
  ];

  it.each(accepted)('%s', (_label, fileName, edit) => {
    expect(problemsOf(edited(fileName, edit))).toEqual([]);
  });
});

describe('the schema file reader', () => {
  it.each([
    ['no format_version', { provider_schemas: {} }, /format_version/],
    ['a block type with an unknown nesting mode', blockTypeWithNesting('map'), /nesting_mode/],
    ['an attribute without a type', attributeWithoutType(), /cty type/],
  ])('rejects %s', (_label, value, expected) => {
    expect(() => asProviderSchemas(value)).toThrow(expected);
  });
});

function blockTypeWithNesting(mode: string): unknown {
  return {
    format_version: '1.0',
    provider_schemas: {
      p: { resource_schemas: { r: { block: { block_types: { b: { nesting_mode: mode, block: {} } } } } } },
    },
  };
}

function attributeWithoutType(): unknown {
  return {
    format_version: '1.0',
    provider_schemas: {
      p: { resource_schemas: { r: { block: { attributes: { a: { optional: true } } } } } },
    },
  };
}
