/**
 * IAM of the deployment as data (who has which role on what), and the checks over it. Every check is a pure
 * function of the parsed configuration that returns the problems it finds (empty when all is well), so the
 * mutation tests can prove each one bites.
 */
import { nestedBlock, resourcesOf, stringOf, withoutPrefix } from './load.js';
import type { HclObject, HclValue, TerraformConfig } from './load.js';
import {
  addressOf,
  allInstancesOf,
  findInstance,
  parseReference,
  referencedName,
  resolveEach,
} from './model.js';
import type { Instance } from './model.js';
import { FUNCTION_NAMES, type FunctionName } from '../../functions/catalog.js';

export const functionNames = FUNCTION_NAMES;
export type { FunctionName };

/** One member binding: `principal` has `role` on `scope` (e.g. "topic:rbm-inbound", "project", "run:send"). */
export interface Grant {
  address: string;
  type: string;
  role: string;
  principal: string;
  scope: string;
}

export const PUBSUB_SERVICE_AGENT = 'pubsub-service-agent';
const pubsubServiceAgentEmail =
  'service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com';
const publicPrincipals = ['allUsers', 'allAuthenticatedUsers'];
const cloudRunIamTypes = ['google_cloud_run_v2_service_iam_member', 'google_cloud_run_service_iam_member'];

/** What a function's runtime service account may do, exactly (docs/operations.md). */
export const expectedRuntimeGrants: Record<FunctionName, string[]> = {
  send: [
    'roles/datastore.user @ firestore:(default)',
    'roles/pubsub.publisher @ topic:rbm-fallback',
    'roles/pubsub.publisher @ topic:rbm-message-status',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  revoke: [
    'roles/datastore.user @ firestore:(default)',
    'roles/pubsub.publisher @ topic:rbm-fallback',
    'roles/pubsub.publisher @ topic:rbm-message-status',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  reconcile: [
    'roles/datastore.user @ firestore:(default)',
    'roles/pubsub.publisher @ topic:rbm-consent-changes',
    'roles/pubsub.publisher @ topic:rbm-fallback',
    'roles/pubsub.publisher @ topic:rbm-message-status',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  webhook: [
    'roles/pubsub.publisher @ topic:rbm-inbound',
    'roles/secretmanager.secretAccessor @ secret:rbm-webhook-client-token',
  ],
  inbound: [
    'roles/datastore.user @ firestore:(default)',
    'roles/pubsub.publisher @ topic:rbm-consent-changes',
    'roles/pubsub.publisher @ topic:rbm-fallback',
    'roles/pubsub.publisher @ topic:rbm-message-status',
    'roles/pubsub.publisher @ topic:rbm-user-messages',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  messages: [
    'roles/datastore.user @ firestore:(default)',
    'roles/pubsub.publisher @ topic:rbm-consent-changes',
    'roles/secretmanager.secretAccessor @ secret:rbm-page-token-key',
  ],
  events: [
    'roles/datastore.user @ firestore:(default)',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  capabilities: [
    'roles/datastore.user @ firestore:(default)',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  files: [
    'roles/datastore.user @ firestore:(default)',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
  campaigns: [
    'roles/cloudtasks.enqueuer @ queue:rbm-campaigns',
    'roles/datastore.user @ firestore:(default)',
    'roles/iam.serviceAccountUser @ serviceAccount:rbm-task-invoker',
    'roles/pubsub.publisher @ topic:rbm-fallback',
    'roles/pubsub.publisher @ topic:rbm-message-status',
    'roles/secretmanager.secretAccessor @ secret:rbm-service-account-key',
  ],
};

/** What a gen2 build needs (the reason for each is beside it in terraform/iam.tf). */
export const expectedBuildGrants = [
  'roles/artifactregistry.writer @ project',
  'roles/logging.logWriter @ project',
  'roles/storage.objectViewer @ project',
];

export const expectedPushGrants = ['roles/run.invoker @ run:inbound'];

/** Service accounts that exist for one job, by account id (without the name prefix), and all they may do. */
export const expectedDedicatedGrants: Record<string, string[]> = {
  'rbm-reconcile-sched': ['roles/run.invoker @ run:reconcile'],
  'rbm-task-invoker': ['roles/run.invoker @ run:campaigns'],
  // The API gateway's identity: every function it routes to (terraform/gateway.tf), and nothing else.
  'rbm-gateway': [
    'roles/run.invoker @ run:campaigns',
    'roles/run.invoker @ run:capabilities',
    'roles/run.invoker @ run:events',
    'roles/run.invoker @ run:files',
    'roles/run.invoker @ run:messages',
    'roles/run.invoker @ run:revoke',
    'roles/run.invoker @ run:send',
  ],
};

export const expectedPubSubAgentGrants = [
  'roles/iam.serviceAccountTokenCreator @ serviceAccount:rbm-inbound-push',
  'roles/pubsub.publisher @ topic:rbm-inbound-dead-letter',
  'roles/pubsub.subscriber @ subscription:rbm-inbound-to-inbound',
];

export const expectedInvokerMembersGrants = [
  'roles/run.invoker @ run:campaigns',
  'roles/run.invoker @ run:capabilities',
  'roles/run.invoker @ run:events',
  'roles/run.invoker @ run:files',
  'roles/run.invoker @ run:messages',
  'roles/run.invoker @ run:revoke',
  'roles/run.invoker @ run:send',
];

export const expectedPublicGrants: Record<string, string[]> = {
  allUsers: ['roles/run.invoker @ run:webhook'],
  allAuthenticatedUsers: [],
};

// ------------------------------------------------------------------------------------------------------------
// Collecting grants

type ScopeReader = (config: TerraformConfig, instance: Instance) => string;

function referenceScope(kind: string, attribute: string): ScopeReader {
  return (config, instance) =>
    `${kind}:${referencedName(config, resolveEach(instance, instance.body[attribute])) ?? `unresolved ${JSON.stringify(instance.body[attribute])}`}`;
}

/** `google_cloudfunctions2_function.function["send"].name` → "run:send". */
function cloudRunScope(attribute: string): ScopeReader {
  return (config, instance) => {
    const reference = parseReference(resolveEach(instance, instance.body[attribute]));
    const target =
      reference?.type === 'google_cloudfunctions2_function' ? findInstance(config, reference) : undefined;
    return target?.key ? `run:${target.key}` : `run:unresolved ${JSON.stringify(instance.body[attribute])}`;
  };
}

/** The IAM condition that limits a project grant to one Firestore database of the deployment. */
const FIRESTORE_DATABASE_CONDITION =
  /^resource\.name == "projects\/\$\{var\.project_id\}\/databases\/\$\{google_firestore_database\.(\w+)\.name\}"$/;

/** A string value, or the value of the local it names (`${local.x}`). */
function localOrString(config: TerraformConfig, value: HclValue | undefined): string | undefined {
  const text = stringOf(value);
  const local = /^\$\{local\.(\w+)\}$/.exec(text ?? '')?.[1];
  return local === undefined ? text : stringOf(config.locals[local]);
}

/**
 * "project"; "firestore:<database name>" when an IAM condition limits the grant to one Firestore database of
 * the deployment; "project if <expression>" for any other condition.
 */
function projectScope(config: TerraformConfig, instance: Instance): string {
  if (instance.body.project !== '${var.project_id}')
    return `project:${JSON.stringify(instance.body.project)}`;
  const condition = nestedBlock(instance.body, 'condition');
  if (condition === undefined) return 'project';
  const expression = localOrString(config, condition.expression) ?? JSON.stringify(condition.expression);
  const database = FIRESTORE_DATABASE_CONDITION.exec(expression)?.[1];
  const name =
    database === undefined ? undefined : config.resource.google_firestore_database?.[database]?.name;
  return typeof name === 'string' ? `firestore:${name}` : `project if ${expression}`;
}

const scopeReaders: Record<string, ScopeReader> = {
  google_project_iam_member: projectScope,
  google_pubsub_topic_iam_member: referenceScope('topic', 'topic'),
  google_pubsub_subscription_iam_member: referenceScope('subscription', 'subscription'),
  google_secret_manager_secret_iam_member: referenceScope('secret', 'secret_id'),
  google_service_account_iam_member: referenceScope('serviceAccount', 'service_account_id'),
  google_storage_bucket_iam_member: referenceScope('bucket', 'bucket'),
  google_cloud_tasks_queue_iam_member: referenceScope('queue', 'name'),
  google_cloud_run_v2_service_iam_member: cloudRunScope('name'),
  google_cloud_run_service_iam_member: cloudRunScope('service'),
};

/** `serviceAccount:${google_service_account.x.email}` → "serviceAccount:<account_id>"; the Pub/Sub agent by name. */
export function principalOf(config: TerraformConfig, member: HclValue | undefined): string {
  const text = stringOf(member) ?? `unresolved member ${JSON.stringify(member) ?? 'undefined'}`;
  const serviceAccount = /^serviceAccount:(\$\{.*\})$/.exec(text)?.[1];
  const reference = parseReference(serviceAccount ?? text);
  if (
    reference?.type === 'google_service_account' &&
    (serviceAccount ? reference.attribute === 'email' : reference.attribute === 'member')
  ) {
    return `serviceAccount:${referencedName(config, serviceAccount ?? text) ?? 'unresolved'}`;
  }
  const local = serviceAccount ? /^\$\{local\.(\w+)\}$/.exec(serviceAccount)?.[1] : undefined;
  if (local && config.locals[local] === pubsubServiceAgentEmail) return PUBSUB_SERVICE_AGENT;
  return text;
}

export function isIamResourceType(type: string): boolean {
  return /_iam_(member|binding|policy|audit_config)$/.test(type);
}

export interface GrantCollection {
  grants: Grant[];
  problems: string[];
}

export function collectGrants(config: TerraformConfig): GrantCollection {
  const grants: Grant[] = [];
  const problems: string[] = [];
  for (const type of Object.keys(config.resource).filter(isIamResourceType)) {
    const readScope = scopeReaders[type];
    for (const instance of allInstancesOf(config, type)) {
      const address = addressOf(instance);
      if (!readScope) {
        problems.push(
          `${address}: IAM resource type ${type} is not allowed (use additive *_iam_member on the resource)`,
        );
        continue;
      }
      const role = stringOf(resolveEach(instance, instance.body.role)) ?? 'unresolved role';
      const principal = principalOf(config, resolveEach(instance, instance.body.member));
      const scope = readScope(config, instance);
      if (scope.includes('unresolved') || role.includes('${') || principal.includes('unresolved')) {
        problems.push(`${address}: cannot tell who gets what: ${principal} / ${role} / ${scope}`);
      }
      grants.push({ address, type, role, principal, scope });
    }
  }
  return { grants, problems };
}

// ------------------------------------------------------------------------------------------------------------
// Identities of the deployment, read from where they are used

function functionInstances(config: TerraformConfig): Instance[] {
  return allInstancesOf(config, 'google_cloudfunctions2_function');
}

function serviceAccountPrincipal(config: TerraformConfig, value: HclValue | undefined): string | undefined {
  const name = referencedName(config, value);
  return name === undefined ? undefined : `serviceAccount:${name}`;
}

/** The runtime service account principal of each function (service_config.service_account_email). */
export function runtimePrincipals(config: TerraformConfig): Map<string, string | undefined> {
  return new Map(
    functionInstances(config).map((fn) => [
      fn.key ?? fn.name,
      serviceAccountPrincipal(
        config,
        resolveEach(fn, nestedBlock(fn.body, 'service_config')?.service_account_email),
      ),
    ]),
  );
}

/** The build service account principals (build_config.service_account) of all functions. */
export function buildPrincipals(config: TerraformConfig): Set<string | undefined> {
  return new Set(
    functionInstances(config).map((fn) =>
      serviceAccountPrincipal(config, resolveEach(fn, nestedBlock(fn.body, 'build_config')?.service_account)),
    ),
  );
}

interface PushSubscription {
  name: string;
  serviceAccount: string | undefined;
  targetFunction: string | undefined;
}

export function pushSubscriptions(config: TerraformConfig): PushSubscription[] {
  return allInstancesOf(config, 'google_pubsub_subscription').flatMap((sub) => {
    const push = nestedBlock(sub.body, 'push_config');
    if (!push) return [];
    return [
      {
        name: subscriptionName(sub.body),
        serviceAccount: serviceAccountPrincipal(
          config,
          nestedBlock(push, 'oidc_token')?.service_account_email,
        ),
        targetFunction: pushTargetFunction(config, push.push_endpoint),
      },
    ];
  });
}

/** `${google_cloudfunctions2_function.function["inbound"].service_config[0].uri}` → "inbound". */
function pushTargetFunction(config: TerraformConfig, endpoint: HclValue | undefined): string | undefined {
  const match =
    typeof endpoint === 'string'
      ? /^\$\{google_cloudfunctions2_function\.(\w+)\["(\w+)"\]\.(?:service_config\[0\]\.uri|url)\}(?:\/projects\/\$\{var\.project_id\}\/topics\/\$\{google_pubsub_topic\.\w+\.name\})?$/.exec(
          endpoint,
        )
      : null;
  if (!match?.[1] || !match[2]) return undefined;
  const reference = {
    type: 'google_cloudfunctions2_function',
    name: match[1],
    key: match[2],
    attribute: 'uri',
  };
  return findInstance(config, reference)?.key;
}

function subscriptionName(body: HclObject): string {
  return withoutPrefix(stringOf(body.name) ?? '');
}

// ------------------------------------------------------------------------------------------------------------
// Checks

const describe = (grant: Grant): string => `${grant.role} @ ${grant.scope}`;

function compareGrants(label: string, principal: string, actual: Grant[], expected: string[]): string[] {
  const have = actual.filter((g) => g.principal === principal);
  const haveText = have.map(describe);
  const missing = expected
    .filter((e) => !haveText.includes(e))
    .map((e) => `${label} (${principal}) lacks ${e}`);
  const extra = have
    .filter((g) => !expected.includes(describe(g)))
    .map((g) => `${label} (${principal}) has unexpected ${describe(g)} (${g.address})`);
  return [...missing, ...extra];
}

/** Dead-lettering works only with the Pub/Sub agent's publisher (DLQ topic) and subscriber (source) grants. */
export function checkDeadLetterBindings(config: TerraformConfig): string[] {
  const { grants } = collectGrants(config);
  const agent = grants.filter((g) => g.principal === PUBSUB_SERVICE_AGENT).map(describe);
  return resourcesOf(config, 'google_pubsub_subscription').flatMap(([, body]) => {
    const deadLetter = nestedBlock(body, 'dead_letter_policy');
    if (!deadLetter) return [];
    const subscription = subscriptionName(body);
    const topic = referencedName(config, deadLetter.dead_letter_topic);
    const needed = [
      `roles/pubsub.publisher @ topic:${topic ?? 'unresolved'}`,
      `roles/pubsub.subscriber @ subscription:${subscription}`,
    ];
    return needed
      .filter((n) => !agent.includes(n))
      .map(
        (n) =>
          `subscription ${subscription} has a dead-letter policy but the Pub/Sub service agent lacks ${n}`,
      );
  });
}

/** A push subscription's OIDC identity must be mintable by the agent and be the (only) invoker of its target. */
export function checkPushSubscriptionIam(config: TerraformConfig): string[] {
  const { grants } = collectGrants(config);
  return pushSubscriptions(config).flatMap((push) => {
    const problems: string[] = [];
    if (!push.serviceAccount) return [`push subscription ${push.name} has no oidc_token service account`];
    if (!push.targetFunction) return [`push subscription ${push.name} does not push to a function's URI`];
    const hasGrant = (principal: string, text: string) =>
      grants.some((g) => g.principal === principal && describe(g) === text);
    const tokenCreator = `roles/iam.serviceAccountTokenCreator @ ${push.serviceAccount}`;
    if (!hasGrant(PUBSUB_SERVICE_AGENT, tokenCreator)) {
      problems.push(`push subscription ${push.name}: the Pub/Sub service agent lacks ${tokenCreator}`);
    }
    const invoker = `roles/run.invoker @ run:${push.targetFunction}`;
    if (!hasGrant(push.serviceAccount, invoker)) {
      problems.push(`push subscription ${push.name}: ${push.serviceAccount} lacks ${invoker}`);
    }
    return problems;
  });
}

/** The whole IAM of the deployment against the exact list above. */
export function checkIam(config: TerraformConfig): string[] {
  const { grants, problems } = collectGrants(config);

  const runtime = runtimePrincipals(config);
  const known = new Set<string>([PUBSUB_SERVICE_AGENT, 'var.invoker_members', ...publicPrincipals]);
  for (const fn of functionNames) {
    const principal = runtime.get(fn);
    if (!principal) {
      problems.push(`function ${fn} has no runtime service account of its own`);
      continue;
    }
    known.add(principal);
    problems.push(...compareGrants(`${fn} runtime`, principal, grants, expectedRuntimeGrants[fn]));
  }
  const runtimeList = [...runtime.values()];
  if (new Set(runtimeList).size !== runtimeList.length) {
    problems.push('functions share a runtime service account: each function needs its own');
  }

  const builds = [...buildPrincipals(config)];
  const build = builds[0];
  if (builds.length !== 1 || !build) {
    problems.push(
      `functions must all build with one dedicated build service account, found ${JSON.stringify(builds)}`,
    );
  } else {
    known.add(build);
    if (runtimeList.includes(build))
      problems.push('the build service account is also a runtime service account');
    problems.push(...compareGrants('build', build, grants, expectedBuildGrants));
  }

  const pushes = pushSubscriptions(config);
  if (pushes.length === 0) problems.push('no push subscription delivers to inbound');
  for (const push of pushes) {
    if (!push.serviceAccount) continue;
    known.add(push.serviceAccount);
    if (runtimeList.includes(push.serviceAccount) || push.serviceAccount === build) {
      problems.push(`push subscription ${push.name} must use a dedicated service account`);
    }
    problems.push(
      ...compareGrants(`push subscription ${push.name}`, push.serviceAccount, grants, expectedPushGrants),
    );
  }

  for (const [accountId, expected] of Object.entries(expectedDedicatedGrants)) {
    const principal = `serviceAccount:${accountId}`;
    if (runtimeList.includes(principal) || principal === build) {
      problems.push(`${accountId} must be a dedicated service account`);
    }
    known.add(principal);
    problems.push(...compareGrants(accountId, principal, grants, expected));
  }

  problems.push(
    ...compareGrants('Pub/Sub service agent', PUBSUB_SERVICE_AGENT, grants, expectedPubSubAgentGrants),
  );
  problems.push(
    ...compareGrants('invoker_members', 'var.invoker_members', grants, expectedInvokerMembersGrants),
  );
  for (const principal of publicPrincipals) {
    problems.push(...compareGrants('public', principal, grants, expectedPublicGrants[principal] ?? []));
  }

  for (const grant of grants) {
    if (!known.has(grant.principal)) {
      problems.push(`${grant.address}: unexpected principal ${grant.principal} gets ${describe(grant)}`);
    }
    if (['roles/owner', 'roles/editor', 'roles/viewer'].includes(grant.role)) {
      problems.push(`${grant.address}: basic role ${grant.role} is never granted`);
    }
    if (grant.role === 'roles/run.invoker' && !cloudRunIamTypes.includes(grant.type)) {
      problems.push(
        `${grant.address}: roles/run.invoker must be bound on the Cloud Run service, not with ${grant.type}`,
      );
    }
    if (publicPrincipals.includes(grant.principal) && grant.scope !== 'run:webhook') {
      problems.push(`${grant.address}: ${grant.principal} on ${grant.scope}: only webhook is public`);
    }
  }
  for (const type of Object.keys(config.resource).filter((t) =>
    t.startsWith('google_cloudfunctions2_function_iam'),
  )) {
    problems.push(`${type}: bind roles/run.invoker on the Cloud Run service instead (gen2 rejects it here)`);
  }
  return [...new Set(problems)];
}

/** Every instance of an IAM resource, for the mutation tests. */
export function iamResourceAddresses(config: TerraformConfig): Array<{ type: string; name: string }> {
  return Object.keys(config.resource)
    .filter(isIamResourceType)
    .flatMap((type) => Object.keys(config.resource[type] ?? {}).map((name) => ({ type, name })));
}
