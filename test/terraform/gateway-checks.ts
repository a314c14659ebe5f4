/**
 * Checks of the API gateway (terraform/gateway.tf, docs/gateway.md): every resource behind enable_gateway, the
 * API config made of the rendered document with each placeholder filled with its function's URL, the key
 * restricted to the gateway's own managed service (enabled), and the gateway routing to exactly the functions
 * docs/openapi.yaml puts on it. Pure functions of the parsed configuration (and the documents), returning the
 * problems found.
 */
import { parse } from 'yaml';
import type { GatewayDocument } from '../../devtools/openapi/gateway-document.js';
import { blockPath, nestedBlock, resourcesOf, stringOf } from './load.js';
import type { HclObject, TerraformConfig } from './load.js';

export const GATEWAY_SWITCH = '${var.enable_gateway ? 1 : 0}';
export const GATEWAY_DOCUMENT_CONTENTS =
  '${base64encode(templatefile("${var.dist_dir}/gateway/openapi2.yaml", local.gateway_backend_urls))}';
export const GATEWAY_BACKEND_URLS =
  '${{ for name, fn in google_cloudfunctions2_function.function : "${name}_url" => fn.service_config[0].uri }}';
const MANAGED_SERVICE = '${google_api_gateway_api.gateway[0].managed_service}';

/** The resources of the gateway, by type and name. */
export const GATEWAY_RESOURCES: ReadonlyArray<readonly [type: string, name: string]> = [
  ['google_api_gateway_api', 'gateway'],
  ['google_api_gateway_api_config', 'gateway'],
  ['google_api_gateway_gateway', 'gateway'],
  ['google_apikeys_key', 'gateway'],
  ['google_service_account', 'gateway'],
  ['google_project_service', 'gateway'],
  ['google_project_service', 'gateway_managed_service'],
  ['google_cloud_run_v2_service_iam_member', 'gateway_invokes'],
];

const BETA_TYPES = ['google_api_gateway_api', 'google_api_gateway_api_config', 'google_api_gateway_gateway'];

function resource(config: TerraformConfig, type: string, name: string): HclObject | undefined {
  return resourcesOf(config, type).find(([candidate]) => candidate === name)?.[1];
}

/** Every gateway resource exists and only with enable_gateway (a count of 0 or 1, or a for_each set switched by it). */
export function checkGatewaySwitch(config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const [type, name] of GATEWAY_RESOURCES) {
    const body = resource(config, type, name);
    if (!body) {
      problems.push(`${type}.${name} is missing`);
      continue;
    }
    const switched =
      body.count === GATEWAY_SWITCH ||
      /^\$\{toset\(var\.enable_gateway \? local\.\w+ : \[\]\)\}$/.test(stringOf(body.for_each) ?? '');
    if (!switched) problems.push(`${type}.${name} does not depend on var.enable_gateway`);
    if (BETA_TYPES.includes(type) && body.provider !== '${google-beta}') {
      problems.push(`${type}.${name} needs provider = google-beta`);
    }
  }
  const variable = config.variable.enable_gateway;
  if (variable?.type !== '${bool}' || variable.default !== true) {
    problems.push('variable enable_gateway must be a bool defaulting to true');
  }
  return problems;
}

/** The API config is the rendered document, filled by templatefile(), served with the gateway's identity. */
export function checkGatewayConfig(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const apiConfig = resource(config, 'google_api_gateway_api_config', 'gateway');
  const document = blockPath(apiConfig, 'openapi_documents', 'document');
  if (document?.contents !== GATEWAY_DOCUMENT_CONTENTS) {
    problems.push(
      `the API config must be ${GATEWAY_DOCUMENT_CONTENTS}, is ${JSON.stringify(document?.contents)}`,
    );
  }
  if (config.locals.gateway_backend_urls !== GATEWAY_BACKEND_URLS) {
    problems.push(
      `local.gateway_backend_urls must map <name>_url to each function's URL, is ${JSON.stringify(config.locals.gateway_backend_urls)}`,
    );
  }
  if (
    blockPath(apiConfig, 'gateway_config', 'backend_config')?.google_service_account !==
    '${google_service_account.gateway[0].email}'
  ) {
    problems.push('the API config must call the functions as the gateway service account');
  }
  if (nestedBlock(apiConfig, 'lifecycle')?.create_before_destroy !== true) {
    problems.push('a changed API config must be created before the old one is destroyed');
  }
  const gateway = resource(config, 'google_api_gateway_gateway', 'gateway');
  if (gateway?.api_config !== '${google_api_gateway_api_config.gateway[0].id}') {
    problems.push('the gateway must serve the API config');
  }
  return problems;
}

/** The key is valid for the gateway's managed service only, and that service is enabled before the key exists. */
export function checkGatewayKey(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const key = resource(config, 'google_apikeys_key', 'gateway');
  const targets = nestedBlock(key, 'restrictions')?.api_targets;
  const services = Array.isArray(targets) ? targets.map((target) => (target as HclObject).service) : [];
  if (services.length !== 1 || services[0] !== MANAGED_SERVICE) {
    problems.push(
      `the API key must be restricted to ${MANAGED_SERVICE} alone, is ${JSON.stringify(services)}`,
    );
  }
  if (resource(config, 'google_project_service', 'gateway_managed_service')?.service !== MANAGED_SERVICE) {
    problems.push('the gateway API’s managed service must be enabled (google_project_service)');
  }
  const dependsOn = Array.isArray(key?.depends_on) ? key.depends_on : [];
  if (!dependsOn.includes('${google_project_service.gateway_managed_service}')) {
    problems.push('the API key must depend on the managed service being enabled');
  }
  for (const [name, output] of Object.entries(config.output)) {
    if (JSON.stringify(output.value ?? '').includes('key_string'))
      problems.push(`output ${name} exposes the key`);
  }
  if (
    !JSON.stringify(config.output.gateway_url?.value ?? '').includes(
      'google_api_gateway_gateway.gateway[0].default_hostname',
    )
  ) {
    problems.push('output gateway_url must be the gateway’s hostname');
  }
  return problems;
}

/** local.gateway_functions: exactly the functions the document routes to. */
export function checkGatewayFunctions(config: TerraformConfig, documented: readonly string[]): string[] {
  const listed = Array.isArray(config.locals.gateway_functions)
    ? config.locals.gateway_functions.map(String)
    : [];
  const missing = documented.filter((name) => !listed.includes(name));
  const extra = listed.filter((name) => !documented.includes(name));
  return [
    ...missing.map((name) => `local.gateway_functions lacks ${name}, which docs/openapi.yaml routes to`),
    ...extra.map((name) => `local.gateway_functions has ${name}, which the gateway does not route to`),
  ];
}

/** The URL Terraform knows a function by, in the expressions of this configuration. */
export const functionUri = (name: string): string =>
  `\${google_cloudfunctions2_function.function["${name}"].service_config[0].uri}`;

/**
 * What templatefile() makes of the rendered document with local.gateway_backend_urls: each `${<name>_url}`
 * becomes function <name>'s URL. A sequence it cannot fill fails, as templatefile() would.
 */
export function fillGatewayTemplate(text: string, functionNames: readonly string[]): GatewayDocument {
  const variables = new Map(functionNames.map((name) => [`${name}_url`, functionUri(name)]));
  const filled = text.replace(/([$%])\{([^}]*)\}/g, (sequence, sigil: string, name: string) => {
    const value = sigil === '$' ? variables.get(name) : undefined;
    if (value === undefined) throw new Error(`templatefile() cannot fill ${sequence}`);
    return value;
  });
  return parse(filled) as GatewayDocument;
}

/** Every operation of the filled document goes to its own function's URL, which is also the token's audience. */
export function checkGatewayBackends(document: GatewayDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) => {
      const expected = functionUri(operation['x-rbm-function']);
      const backend = operation['x-google-backend'];
      const at = `${method.toUpperCase()} ${path}`;
      return [
        ...(backend.address === expected ? [] : [`${at}: backend ${backend.address}, not ${expected}`]),
        ...(backend.jwt_audience === expected
          ? []
          : [`${at}: jwt_audience ${backend.jwt_audience}, not ${expected}`]),
        ...(backend.path_translation === 'APPEND_PATH_TO_ADDRESS'
          ? []
          : [`${at}: path_translation ${backend.path_translation}`]),
      ];
    }),
  );
}
