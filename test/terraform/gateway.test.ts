/**
 * The API gateway in terraform/gateway.tf, on the repository's Terraform and mutations of it: every resource
 * behind enable_gateway, the API config made of the build's rendered document with each backend filled with
 * its function's URL, the key restricted to the gateway's managed service, and the gateway's identity as the
 * only invoker it adds.
 */
import { describe, expect, it } from 'vitest';
import { gatewayFunctions, loadOpenApiDocument } from '../../devtools/openapi/document.js';
import {
  BACKEND_DEADLINE_SECONDS,
  gatewayDocumentText,
  renderGatewayDocument,
  terraformPlaceholder,
} from '../../devtools/openapi/gateway-document.js';
import {
  checkGatewayBackends,
  checkGatewayConfig,
  checkGatewayFunctions,
  checkGatewayKey,
  checkGatewaySwitch,
  fillGatewayTemplate,
  functionUri,
} from './gateway-checks.js';
import { checkIam, collectGrants } from './iam-checks.js';
import { freshConfig, loadRepoTerraform, nestedBlock } from './load.js';
import type { HclObject, TerraformConfig } from './load.js';

const openapi = await loadOpenApiDocument();
const routed = gatewayFunctions(openapi);
/** dist/gateway/openapi2.yaml as `npm run build` writes it (scripts/render-gateway-openapi.ts). */
const renderedText = gatewayDocumentText(
  renderGatewayDocument(openapi, terraformPlaceholder),
  routed.map(terraformPlaceholder),
);
const terraformFunctions = (config: TerraformConfig) => Object.keys(config.locals.functions as HclObject);

const checks: Array<[string, (config: TerraformConfig) => string[]]> = [
  [
    'every gateway resource exists only with enable_gateway (default true), API Gateway on google-beta',
    checkGatewaySwitch,
  ],
  [
    'the API config is the rendered document through templatefile(), served as the gateway account',
    checkGatewayConfig,
  ],
  ['the API key is for the gateway’s managed service only, and that service is enabled', checkGatewayKey],
  [
    'local.gateway_functions is what docs/openapi.yaml routes to',
    (config) => checkGatewayFunctions(config, routed),
  ],
];

function resource(config: TerraformConfig, type: string, name: string): HclObject {
  const body = config.resource[type]?.[name];
  if (!body) throw new Error(`no ${type}.${name}`);
  return body;
}

describe('terraform: the API gateway', () => {
  it.each(checks)('%s', async (_name, check) => {
    expect(check(await loadRepoTerraform())).toEqual([]);
  });

  it('fills every backend of the rendered document with its own function’s URL (address and audience)', async () => {
    const filled = fillGatewayTemplate(renderedText, terraformFunctions(await loadRepoTerraform()));
    expect(checkGatewayBackends(filled)).toEqual([]);
    const backends = Object.values(filled.paths).flatMap((item) => Object.values(item));
    expect(new Set(backends.map((op) => op['x-google-backend'].address))).toEqual(
      new Set(routed.map(functionUri)),
    );
  });

  it('adds the gateway’s identity as the one extra invoker of each function it routes to', async () => {
    const { grants } = collectGrants(await loadRepoTerraform());
    const invokers = (fn: string) =>
      grants.filter((g) => g.role === 'roles/run.invoker' && g.scope === `run:${fn}`).map((g) => g.principal);
    for (const fn of routed) {
      const added = invokers(fn).filter(
        (principal) => !['var.invoker_members', 'serviceAccount:rbm-task-invoker'].includes(principal),
      );
      expect(added, fn).toEqual(['serviceAccount:rbm-gateway']);
    }
    expect(
      grants
        .filter((g) => g.principal === 'serviceAccount:rbm-gateway')
        .map((g) => g.scope)
        .sort(),
    ).toEqual(routed.map((fn) => `run:${fn}`).sort());
  });

  it('waits for a function at least as long as the function may run', async () => {
    const functions = (await loadRepoTerraform()).locals.functions as Record<
      string,
      { timeout_seconds: number }
    >;
    for (const fn of routed)
      expect(functions[fn]?.timeout_seconds, fn).toBeLessThanOrEqual(BACKEND_DEADLINE_SECONDS);
  });
});

describe('terraform: the API gateway checks catch', () => {
  it('a key that may call any API', async () => {
    const config = await freshConfig();
    delete resource(config, 'google_apikeys_key', 'gateway').restrictions;
    expect(checkGatewayKey(config)).toEqual([expect.stringContaining('restricted')]);
  });

  it('a key created before the managed service is enabled, or an output with the key string', async () => {
    const config = await freshConfig();
    resource(config, 'google_apikeys_key', 'gateway').depends_on = [];
    config.output.leak = { description: 'x', value: '${google_apikeys_key.gateway[0].key_string}' };
    expect(checkGatewayKey(config)).toHaveLength(2);
  });

  it('a resource that stays when the gateway is off, or an API Gateway resource on the GA provider', async () => {
    const config = await freshConfig();
    delete resource(config, 'google_service_account', 'gateway').count;
    delete resource(config, 'google_api_gateway_gateway', 'gateway').provider;
    expect(checkGatewaySwitch(config)).toHaveLength(2);
  });

  it('an API config that is not the templated document', async () => {
    const config = await freshConfig();
    const document = nestedBlock(
      nestedBlock(resource(config, 'google_api_gateway_api_config', 'gateway'), 'openapi_documents'),
      'document',
    );
    if (!document) throw new Error('no document block');
    document.contents = '${filebase64("../docs/openapi.yaml")}';
    expect(checkGatewayConfig(config)).toEqual([expect.stringContaining('API config')]);
  });

  it('a function the document routes to but Terraform does not let the gateway invoke', async () => {
    const config = await freshConfig();
    config.locals.gateway_functions = routed.filter((fn) => fn !== 'events');
    expect(checkGatewayFunctions(config, routed)).toEqual([expect.stringContaining('lacks events')]);
    expect(checkIam(config)).toContainEqual(expect.stringContaining('lacks roles/run.invoker @ run:events'));
  });

  it('a backend placeholder of another function, or one Terraform cannot fill', async () => {
    const names = terraformFunctions(await loadRepoTerraform());
    const swapped = fillGatewayTemplate(renderedText.replaceAll('${revoke_url}', '${send_url}'), names);
    expect(checkGatewayBackends(swapped)).toContainEqual(expect.stringContaining('DELETE'));
    expect(() => fillGatewayTemplate(renderedText.replace('${files_url}', '${uploads_url}'), names)).toThrow(
      /cannot fill/,
    );
  });
});
