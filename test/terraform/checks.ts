/**
 * Structural checks of terraform/ other than IAM (see iam-checks.ts). Each is a pure function of the parsed
 * configuration returning the problems found, so the mutation tests can show that each one catches what it
 * is meant to catch.
 */
import { isHclObject, pubSubTopologyOf } from '../../devtools/topology.js';
import { allStrings, blockPath, nestedBlock, resourcesOf, stringOf } from './load.js';
import type { HclObject, HclValue, TerraformConfig } from './load.js';
import { functionNames } from './iam-checks.js';
import { FUNCTION_SPECS } from '../../functions/catalog.js';
import type { FunctionName } from './iam-checks.js';
import {
  allInstancesOf,
  findInstance,
  instancesOf,
  parseReference,
  referencedName,
  resolveEach,
} from './model.js';
import type { Instance } from './model.js';

// ------------------------------------------------------------------------------------------------------------
// Functions

/**
 * How Terraform must fill each variable a function may declare: the expression, or "topic:<name>" for a
 * topic reference. A function's expected environment is this, restricted to what its spec declares, so the
 * declaration in functions/catalog.ts and terraform/functions.tf are checked against each other.
 */
export const terraformWiring: Readonly<Record<string, string>> = {
  GOOGLE_CLOUD_PROJECT: '${var.project_id}',
  RBM_AGENT_ID: '${var.rbm_agent_id}',
  RBM_API_ENDPOINT: '${var.rbm_api_endpoint}',
  RBM_INBOUND_TOPIC: 'topic:rbm-inbound',
  RBM_USER_MESSAGES_TOPIC: 'topic:rbm-user-messages',
  RBM_AGENT_MESSAGE_RETENTION_DAYS: '${tostring(var.agent_message_retention_days)}',
  RBM_USER_MESSAGE_RETENTION_DAYS: '${tostring(var.user_message_retention_days)}',
  RBM_CONSENT_TOPIC: 'topic:rbm-consent-changes',
  RBM_STATUS_TOPIC: 'topic:rbm-message-status',
  RBM_FALLBACK_TOPIC: 'topic:rbm-fallback',
  RBM_CONSENT_MODE: '${var.consent_mode}',
  RBM_AUTO_READ: '${var.auto_read ? "true" : "false"}',
  RBM_FALLBACK_GRACE_S: '${tostring(var.fallback_grace_seconds)}',
  RBM_PENDING_TIMEOUT_S: '${tostring(var.pending_timeout_seconds)}',
  CLOUD_TASKS_QUEUE: '${google_cloud_tasks_queue.campaigns.id}',
  CAMPAIGNS_DISPATCH_URL: '${local.campaigns_url}',
  CAMPAIGNS_TASKS_SERVICE_ACCOUNT: '${google_service_account.campaign_tasks.email}',
};

/** Secret environment variables → the Secret Manager secret id they come from. */
export const secretIds: Readonly<Record<string, string>> = {
  RBM_SERVICE_ACCOUNT_KEY: 'rbm-service-account-key',
  RBM_WEBHOOK_CLIENT_TOKEN: 'rbm-webhook-client-token',
  RBM_PAGE_TOKEN_KEY: 'rbm-page-token-key',
};

/** Plain environment variables per function: every declared variable Terraform wires. */
export const expectedEnvironment: Record<FunctionName, Record<string, string>> = Object.fromEntries(
  FUNCTION_SPECS.map((spec) => [
    spec.name,
    Object.fromEntries(
      spec.env.flatMap((variable) =>
        terraformWiring[variable] !== undefined && !spec.secrets.includes(variable)
          ? [[variable, terraformWiring[variable]]]
          : [],
      ),
    ),
  ]),
) as Record<FunctionName, Record<string, string>>;

/** Secret environment variables per function → the Secret Manager secret id they come from. */
export const expectedSecrets: Record<FunctionName, Record<string, string>> = Object.fromEntries(
  FUNCTION_SPECS.map((spec) => [
    spec.name,
    Object.fromEntries(spec.secrets.map((variable) => [variable, secretIds[variable] ?? '?'])),
  ]),
) as Record<FunctionName, Record<string, string>>;

export const secretVariableNames = Object.keys(secretIds);

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** An environment value as the test compares it: topic references become "topic:<name>". */
function environmentValue(config: TerraformConfig, value: HclValue | undefined): string {
  const reference = parseReference(value);
  if (reference?.type === 'google_pubsub_topic')
    return `topic:${referencedName(config, value) ?? 'unresolved'}`;
  return stringOf(value) ?? JSON.stringify(value);
}

function environmentOf(config: TerraformConfig, fn: Instance): Record<string, string> | string {
  const environment = resolveEach(fn, nestedBlock(fn.body, 'service_config')?.environment_variables);
  if (!isHclObject(environment)) return `environment_variables is not a map: ${JSON.stringify(environment)}`;
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, environmentValue(config, v)]));
}

/** Secret env vars, from static blocks or from `dynamic "secret_environment_variables"` over a map. */
function secretsOf(config: TerraformConfig, fn: Instance): Record<string, string> | string {
  const serviceConfig = nestedBlock(fn.body, 'service_config');
  const result: Record<string, string> = {};
  const staticBlocks = serviceConfig?.secret_environment_variables;
  for (const block of Array.isArray(staticBlocks) ? staticBlocks : []) {
    if (!isHclObject(block)) continue;
    const key = stringOf(resolveEach(fn, block.key));
    if (!key) return 'static secret_environment_variables without a literal key';
    result[key] = referencedName(config, resolveEach(fn, block.secret)) ?? JSON.stringify(block.secret);
  }
  const dynamic = blockPath(serviceConfig, 'dynamic', 'secret_environment_variables');
  if (dynamic) {
    const content = nestedBlock(dynamic, 'content');
    if (
      content?.key !== '${secret_environment_variables.key}' ||
      content.secret !== '${secret_environment_variables.value}' ||
      content.project_id !== '${var.project_id}' ||
      content.version !== 'latest'
    ) {
      return `dynamic secret_environment_variables content is not {key, secret, project_id = var.project_id, version = "latest"}: ${JSON.stringify(content)}`;
    }
    const map = resolveEach(fn, dynamic.for_each);
    if (!isHclObject(map)) return `secret map is not resolvable: ${JSON.stringify(dynamic.for_each)}`;
    for (const [key, secret] of Object.entries(map)) {
      result[key] = referencedName(config, secret) ?? JSON.stringify(secret);
    }
  }
  return result;
}

/** Checks one function instance; `name` is its registered name (the for_each key). */
function checkFunction(config: TerraformConfig, fn: Instance): string[] {
  const problems: string[] = [];
  const where = `function ${fn.key ?? fn.name}`;
  const build = nestedBlock(fn.body, 'build_config');
  const service = nestedBlock(fn.body, 'service_config');
  const entryPoint = stringOf(resolveEach(fn, build?.entry_point));
  if (!entryPoint || !(functionNames as readonly string[]).includes(entryPoint)) {
    problems.push(`${where}: entry_point ${JSON.stringify(entryPoint)} is not a registered function name`);
    return problems;
  }
  const name = entryPoint as FunctionName;
  if (build?.runtime !== 'nodejs22')
    problems.push(`${where}: runtime must be nodejs22, is ${JSON.stringify(build?.runtime)}`);
  if (fn.body.event_trigger !== undefined) {
    problems.push(
      `${where}: no event_trigger (its Eventarc subscription could not have a dead-letter policy)`,
    );
  }
  if (parseReference(build?.service_account)?.type !== 'google_service_account') {
    problems.push(`${where}: build_config.service_account must be the dedicated build service account`);
  }

  // Source: the object of this function's zip, the zip of dist/<entry point>.
  const storage = blockPath(build, 'source', 'storage_source');
  const objectReference = parseReference(resolveEach(fn, storage?.object));
  const object = objectReference ? findInstance(config, objectReference) : undefined;
  if (
    objectReference?.type !== 'google_storage_bucket_object' ||
    objectReference.attribute !== 'name' ||
    !object
  ) {
    problems.push(
      `${where}: source object must be a google_storage_bucket_object's name, is ${JSON.stringify(storage?.object)}`,
    );
  } else {
    problems.push(...checkSourceObject(config, where, name, object));
  }
  if (parseReference(storage?.bucket)?.type !== 'google_storage_bucket') {
    problems.push(`${where}: source bucket must be the google_storage_bucket of this configuration`);
  }

  const environment = environmentOf(config, fn);
  if (typeof environment === 'string') problems.push(`${where}: ${environment}`);
  else if (!sameRecord(environment, expectedEnvironment[name])) {
    problems.push(
      `${where}: environment ${JSON.stringify(environment)} ≠ ${JSON.stringify(expectedEnvironment[name])}`,
    );
  }
  const secrets = secretsOf(config, fn);
  if (typeof secrets === 'string') problems.push(`${where}: ${secrets}`);
  else if (!sameRecord(secrets, expectedSecrets[name])) {
    problems.push(`${where}: secrets ${JSON.stringify(secrets)} ≠ ${JSON.stringify(expectedSecrets[name])}`);
  }

  const ingress = resolveEach(fn, service?.ingress_settings);
  const expectedIngress = name === 'inbound' ? 'ALLOW_INTERNAL_ONLY' : 'ALLOW_ALL';
  if (ingress !== expectedIngress)
    problems.push(`${where}: ingress_settings ${JSON.stringify(ingress)} ≠ ${expectedIngress}`);
  const maxInstances = resolveEach(fn, service?.max_instance_count);
  if (maxInstances === undefined) problems.push(`${where}: max_instance_count must be set`);
  if (name === 'webhook' && maxInstances !== '${var.webhook_max_instances}') {
    problems.push(
      `${where}: max_instance_count must be var.webhook_max_instances, is ${JSON.stringify(maxInstances)}`,
    );
  }
  return problems;
}

function checkSourceObject(
  config: TerraformConfig,
  where: string,
  name: FunctionName,
  object: Instance,
): string[] {
  const problems: string[] = [];
  const archiveReference = parseReference(resolveEach(object, object.body.source));
  const archiveBody = archiveReference ? config.data.archive_file?.[archiveReference.name] : undefined;
  if (
    archiveReference?.type !== 'data.archive_file' ||
    archiveReference.attribute !== 'output_path' ||
    !archiveBody
  ) {
    return [`${where}: the source object must upload a data.archive_file's output_path`];
  }
  const archive = instancesOf(config, 'data.archive_file', archiveReference.name, archiveBody).find(
    (a) => a.key === archiveReference.key,
  );
  if (!archive) return [`${where}: archive ${archiveReference.name}[${archiveReference.key}] does not exist`];
  if (archive.body.type !== 'zip') problems.push(`${where}: archive type must be zip`);
  const sourceDir = resolveEach(archive, archive.body.source_dir);
  if (sourceDir !== `\${var.dist_dir}/${name}`) {
    problems.push(`${where}: zips ${JSON.stringify(sourceDir)}, not \${var.dist_dir}/${name}`);
  }
  const objectName = stringOf(resolveEach(object, object.body.name)) ?? '';
  const md5 = `data.archive_file.${archiveReference.name}["${archive.key ?? ''}"].output_md5`;
  const md5Unkeyed = `data.archive_file.${archiveReference.name}.output_md5`;
  if (!objectName.includes(archive.key === undefined ? md5Unkeyed : md5)) {
    problems.push(
      `${where}: object name ${JSON.stringify(objectName)} must carry its zip's output_md5 (or code changes do not redeploy)`,
    );
  }
  return problems;
}

export function checkFunctions(config: TerraformConfig): string[] {
  const functions = allInstancesOf(config, 'google_cloudfunctions2_function');
  const problems = functions.flatMap((fn) => checkFunction(config, fn));
  const entryPoints = functions.map((fn) =>
    stringOf(resolveEach(fn, nestedBlock(fn.body, 'build_config')?.entry_point)),
  );
  for (const name of functionNames) {
    const count = entryPoints.filter((e) => e === name).length;
    if (count !== 1) problems.push(`function ${name} is deployed ${count} times (expected once)`);
  }
  for (const type of ['google_cloudfunctions_function', 'google_eventarc_trigger']) {
    if (config.resource[type]) problems.push(`${type} is not used: gen2 functions, no Eventarc trigger`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Secrets

const secretLikeName = /(token|secret|password|passwd|credential|private_key|service_account_key)/i;

export function checkSecrets(config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const kind of ['resource', 'data'] as const) {
    if (config[kind].google_secret_manager_secret_version) {
      problems.push(
        `${kind} google_secret_manager_secret_version: secret values must not pass through Terraform state`,
      );
    }
  }
  for (const name of Object.keys(config.variable).filter((n) => secretLikeName.test(n))) {
    problems.push(`variable ${name} looks like a secret: secrets are added with gcloud, never as variables`);
  }
  for (const fn of allInstancesOf(config, 'google_cloudfunctions2_function')) {
    const plain = [
      resolveEach(fn, nestedBlock(fn.body, 'service_config')?.environment_variables),
      resolveEach(fn, nestedBlock(fn.body, 'build_config')?.environment_variables),
    ];
    for (const environment of plain) {
      for (const key of isHclObject(environment) ? Object.keys(environment) : []) {
        if (secretVariableNames.includes(key)) {
          problems.push(
            `function ${fn.key ?? fn.name}: ${key} is a plain environment variable (must be a secret one)`,
          );
        }
      }
    }
  }
  for (const [name, output] of Object.entries(config.output)) {
    const text = allStrings(output.value).join(' ');
    if (/secret_data|google_secret_manager_secret_version|secret_environment_variables/.test(text)) {
      problems.push(`output ${name} exposes secret material`);
    }
    if (output.sensitive === true)
      problems.push(`output ${name} is sensitive: outputs carry no secrets here`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Variables

export const variablesNeedingValidation = [
  'project_id',
  'region',
  'name_prefix',
  'rbm_agent_id',
  'rbm_api_endpoint',
  'invoker_members',
  'webhook_max_instances',
];

export function checkVariables(config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(config.variable)) {
    if (!stringOf(variable.type)?.startsWith('${')) problems.push(`variable ${name} has no type`);
    if (!stringOf(variable.description)?.trim()) problems.push(`variable ${name} has no description`);
  }
  for (const name of variablesNeedingValidation) {
    const variable = config.variable[name];
    if (!variable) problems.push(`variable ${name} is missing`);
    else if (!Array.isArray(variable.validation) || variable.validation.length === 0) {
      problems.push(`variable ${name} has no validation`);
    }
  }
  const invokerConditions = allStrings(config.variable.invoker_members?.validation).join(' ');
  for (const principal of ['allUsers', 'allAuthenticatedUsers']) {
    if (!invokerConditions.includes(principal))
      problems.push(`invoker_members validation does not refuse ${principal}`);
  }
  if (config.variable.name_prefix?.default !== '')
    problems.push('name_prefix must default to "" (docs/topics.md names)');
  if (config.variable.dist_dir?.default !== '../dist') problems.push('dist_dir must default to "../dist"');
  const everything = JSON.stringify([
    config.resource,
    config.data,
    config.locals,
    config.output,
    config.provider,
  ]);
  const validations = JSON.stringify(Object.values(config.variable).map((v) => v.validation ?? null));
  for (const match of `${everything} ${validations}`.matchAll(/\bvar\.(\w+)/g)) {
    const name = match[1];
    if (name && !(name in config.variable)) problems.push(`var.${name} is used but not declared`);
  }
  return [...new Set(problems)];
}

// ------------------------------------------------------------------------------------------------------------
// Project ids

/** Resource types that take a `project` argument and must get it from var.project_id explicitly. */
const typesWithProject = [
  'google_project_service',
  'google_pubsub_topic',
  'google_pubsub_subscription',
  'google_cloudfunctions2_function',
  'google_service_account',
  'google_secret_manager_secret',
  'google_storage_bucket',
  'google_firestore_database',
  'google_firestore_index',
  'google_firestore_field',
  'google_project_iam_member',
  'google_cloud_run_v2_service_iam_member',
  'google_pubsub_topic_iam_member',
  'google_pubsub_subscription_iam_member',
  'google_secret_manager_secret_iam_member',
  'google_cloud_tasks_queue',
  'google_cloud_tasks_queue_iam_member',
];

const projectIdPattern = '[a-z][a-z0-9-]{4,28}[a-z0-9]';

/** Literal parts of a string (interpolations removed). */
function literalParts(text: string): string {
  return text.replace(/\$\{[^}]*\}/g, '\u0000');
}

function visit(
  value: HclValue | undefined,
  path: string,
  onValue: (path: string, key: string, value: HclValue) => void,
): void {
  if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`, onValue));
  else if (isHclObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      onValue(`${path}.${key}`, key, item);
      visit(item, `${path}.${key}`, onValue);
    }
  }
}

export function checkProjectIds(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const roots: Array<[string, HclValue]> = [
    ['resource', config.resource],
    ['data', config.data],
    ['locals', config.locals],
    ['output', config.output],
    ['provider', config.provider],
  ];
  for (const [root, value] of roots) {
    visit(value, root, (path, key, item) => {
      if ((key === 'project' || key === 'project_id') && item !== '${var.project_id}') {
        problems.push(`${path} = ${JSON.stringify(item)}: project must be var.project_id`);
      }
      if (typeof item !== 'string') return;
      const literal = literalParts(item);
      if (new RegExp(`projects/${projectIdPattern}`).test(literal)) {
        problems.push(`${path} = ${JSON.stringify(item)}: hard-coded project`);
      }
      const email = new RegExp(`@(${projectIdPattern})\\.iam\\.gserviceaccount\\.com`).exec(literal);
      if (email?.[1] && !email[1].startsWith('gcp-sa-')) {
        problems.push(`${path} = ${JSON.stringify(item)}: hard-coded project in a service account email`);
      }
    });
  }
  for (const type of typesWithProject) {
    for (const [name, body] of resourcesOf(config, type)) {
      if (body.project !== '${var.project_id}')
        problems.push(`${type}.${name}: project must be set to var.project_id`);
    }
  }
  const provider = config.provider.google?.[0];
  if (provider?.project !== '${var.project_id}')
    problems.push('provider google: project must be var.project_id');
  return [...new Set(problems)];
}

// ------------------------------------------------------------------------------------------------------------
// Pub/Sub (docs/topics.md)

export const contractTopics = [
  'rbm-consent-changes',
  'rbm-fallback',
  'rbm-inbound',
  'rbm-inbound-dead-letter',
  'rbm-message-status',
  'rbm-user-messages',
];
export const contractSubscriptions = ['rbm-inbound-dead-letter-hold', 'rbm-inbound-to-inbound'];

export function checkPubSub(config: TerraformConfig): string[] {
  const problems: string[] = [];
  let topology;
  try {
    topology = pubSubTopologyOf(config);
  } catch (error) {
    return [`pubsub topology: ${(error as Error).message}`];
  }
  if (JSON.stringify(topology.topics) !== JSON.stringify(contractTopics)) {
    problems.push(
      `topics ${JSON.stringify(topology.topics)} ≠ docs/topics.md ${JSON.stringify(contractTopics)}`,
    );
  }
  const subscriptionNames = topology.subscriptions.map((s) => s.name);
  if (JSON.stringify(subscriptionNames) !== JSON.stringify(contractSubscriptions)) {
    problems.push(
      `subscriptions ${JSON.stringify(subscriptionNames)} ≠ docs/topics.md ${JSON.stringify(contractSubscriptions)}`,
    );
  }
  const push = topology.subscriptions.find((s) => s.name === 'rbm-inbound-to-inbound');
  if (push?.topic !== 'rbm-inbound' || push.push?.functionName !== 'inbound') {
    problems.push('rbm-inbound-to-inbound must push rbm-inbound to inbound');
  }
  if (push?.deadLetter?.topic !== 'rbm-inbound-dead-letter') {
    problems.push('rbm-inbound-to-inbound must dead-letter to rbm-inbound-dead-letter');
  }
  if (!push?.retryPolicy) problems.push('rbm-inbound-to-inbound needs a retry policy');
  const hold = topology.subscriptions.find((s) => s.name === 'rbm-inbound-dead-letter-hold');
  if (hold?.topic !== 'rbm-inbound-dead-letter' || hold.push || hold.messageRetentionSeconds !== 604800) {
    problems.push(
      'rbm-inbound-dead-letter-hold must be a pull subscription on the dead-letter topic keeping 7 days',
    );
  }
  for (const type of ['google_pubsub_topic', 'google_pubsub_subscription']) {
    for (const [name, body] of resourcesOf(config, type)) {
      if (!stringOf(body.name)?.startsWith('${var.name_prefix}rbm-')) {
        problems.push(
          `${type}.${name}: name must be "\${var.name_prefix}rbm-..." (docs/topics.md, with the optional prefix)`,
        );
      }
    }
  }
  for (const [name, body] of resourcesOf(config, 'google_pubsub_subscription')) {
    if (nestedBlock(body, 'expiration_policy')?.ttl !== '') {
      problems.push(`google_pubsub_subscription.${name}: expiration_policy { ttl = "" } (never expire)`);
    }
    const push = nestedBlock(body, 'push_config');
    if (push) {
      const oidc = nestedBlock(push, 'oidc_token');
      const audience = typeof oidc?.audience === 'string' ? oidc.audience : undefined;
      const endpoint = typeof push.push_endpoint === 'string' ? push.push_endpoint : undefined;
      if (!oidc?.service_account_email || !audience || !endpoint?.startsWith(audience)) {
        problems.push(
          `google_pubsub_subscription.${name}: push needs an oidc_token whose audience is the endpoint's service URL`,
        );
      }
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Outputs

export function checkOutputs(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const outputText = (name: string) => allStrings(config.output[name]?.value).join(' ');
  const everything = Object.keys(config.output).map(outputText).join(' ');
  for (const [name, output] of Object.entries(config.output)) {
    if (!stringOf(output.description)?.trim()) problems.push(`output ${name} has no description`);
  }
  for (const fn of functionNames) {
    const text = outputText(`${fn}_url`);
    if (!text.includes(`google_cloudfunctions2_function.function["${fn}"].service_config[0].uri`)) {
      problems.push(`output ${fn}_url must be the ${fn} function's URI`);
    }
  }
  for (const type of ['google_pubsub_topic', 'google_pubsub_subscription', 'google_service_account']) {
    for (const [name] of resourcesOf(config, type)) {
      if (!new RegExp(`${type}\\.${name}\\b`).test(everything))
        problems.push(`no output for ${type}.${name}`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Versions, APIs, Firestore, tfvars example

export function checkVersions(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const terraform = config.terraform[0];
  if (!stringOf(terraform?.required_version)) problems.push('terraform.required_version is missing');
  const providers = nestedBlock(terraform, 'required_providers');
  for (const name of ['google', 'archive']) {
    const provider = providers?.[name];
    const version = isHclObject(provider) ? stringOf(provider.version) : undefined;
    if (!version || !/(~>|<)/.test(version))
      problems.push(`provider ${name} must be pinned with an upper bound`);
  }
  return problems;
}

export const requiredApis = [
  'artifactregistry.googleapis.com',
  'cloudbuild.googleapis.com',
  'cloudfunctions.googleapis.com',
  'cloudtasks.googleapis.com',
  'firestore.googleapis.com',
  'iam.googleapis.com',
  'pubsub.googleapis.com',
  'run.googleapis.com',
  'secretmanager.googleapis.com',
];

export function checkApis(config: TerraformConfig): string[] {
  const services = allInstancesOf(config, 'google_project_service').map((i) =>
    resolveEach(i, i.body.service),
  );
  return requiredApis.filter((api) => !services.includes(api)).map((api) => `API ${api} is not enabled`);
}

export function checkFirestore(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const databases = resourcesOf(config, 'google_firestore_database');
  const database = databases[0]?.[1];
  if (databases.length !== 1 || database?.name !== '(default)' || database.type !== 'FIRESTORE_NATIVE') {
    problems.push('one google_firestore_database "(default)" of type FIRESTORE_NATIVE is required');
  }
  const indexed = new Set<string>();
  const indexes = resourcesOf(config, 'google_firestore_index').map(([, body]) => {
    const fields = Array.isArray(body.fields) ? body.fields.filter(isHclObject) : [];
    for (const field of fields) indexed.add(`${String(body.collection)}.${String(field.field_path)}`);
    return `${String(body.collection)}(${fields.map((f) => `${String(f.field_path)} ${String(f.order)}`).join(', ')})`;
  });
  if (!indexes.includes('agentMessages(state ASCENDING, updatedAt ASCENDING)')) {
    problems.push('composite index agentMessages (state ASC, updatedAt ASC) is missing');
  }
  for (const instance of allInstancesOf(config, 'google_firestore_field')) {
    const field = `${String(resolveEach(instance, instance.body.collection))}.${String(resolveEach(instance, instance.body.field))}`;
    if (indexed.has(field))
      problems.push(`field ${field} is exempted from indexing but a composite index uses it`);
    if (/\.(state|updatedAt|createdAt|phoneNumber|messageId|agentId|sendTime)$/.test(field)) {
      problems.push(`field ${field} is queried and must keep its single-field indexes`);
    }
  }
  return problems;
}

/** The example tfvars sets only declared variables, every required one, and nothing secret. */
export function checkTfvarsExample(config: TerraformConfig, tfvars: HclObject): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(tfvars)) {
    if (!(name in config.variable))
      problems.push(`terraform.tfvars.example sets undeclared variable ${name}`);
    if (secretLikeName.test(name)) problems.push(`terraform.tfvars.example sets secret-like ${name}`);
  }
  for (const [name, variable] of Object.entries(config.variable)) {
    if (!('default' in variable) && !(name in tfvars)) {
      problems.push(`terraform.tfvars.example misses required variable ${name}`);
    }
  }
  if (allStrings(tfvars.invoker_members).some((m) => m === 'allUsers' || m === 'allAuthenticatedUsers')) {
    problems.push('terraform.tfvars.example makes send/revoke public');
  }
  return problems;
}
