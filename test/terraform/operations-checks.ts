/**
 * Checks of the operations part of terraform/ (docs/operations.md): the request-log exclusion of functions whose
 * paths carry phone numbers, the alert policies, the Firestore TTL policies and the per-instance scaling. Pure
 * functions of the parsed configuration (and of the function catalog, which can be replaced to prove a check
 * follows it), returning the problems found.
 */
import { isHclObject } from '../../devtools/topology.js';
import { FUNCTION_SPECS } from '../../functions/catalog.js';
import type { FunctionSpec } from '../../shared/runtime/spec.js';
import { RETENTION_FIELD } from '../../shared/store/retention.js';
import { allStrings, nestedBlock, stringOf } from './load.js';
import type { HclObject, HclValue, TerraformConfig } from './load.js';
import { allInstancesOf, referencedName, resolveEach } from './model.js';
import type { Instance } from './model.js';

type Specs = readonly Pick<FunctionSpec, 'name' | 'trigger' | 'pathCarriesPhoneNumbers'>[];

const sorted = (names: readonly string[]): string[] => [...new Set(names)].sort();
const same = (a: readonly string[], b: readonly string[]): boolean =>
  JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

function stringList(value: HclValue | undefined): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
}

/** A string with each `${local.<name>}` that names a string local replaced by it (one level, as written). */
function expandLocals(config: TerraformConfig, value: HclValue | undefined): string | undefined {
  const text = stringOf(value);
  return text?.replace(
    /\$\{local\.(\w+)\}/g,
    (whole, name: string) => stringOf(config.locals[name]) ?? whole,
  );
}

// ------------------------------------------------------------------------------------------------------------
// Request logs of phone-carrying paths

const REQUEST_LOG = 'LOG_ID("run.googleapis.com/requests")';
const SERVICE_NAME = /resource\.labels\.service_name\s*=\s*"\$\{var\.name_prefix\}rbm-([a-z0-9-]+)"/;

/** The function whose Cloud Run request logs an exclusion drops, or why it drops none. */
function excludedFunction(instance: Instance): string | { problem: string } {
  const filter = stringOf(resolveEach(instance, instance.body.filter)) ?? '';
  if (instance.body.disabled === true) return { problem: 'is disabled' };
  if (!filter.includes(REQUEST_LOG)) return { problem: `does not select ${REQUEST_LOG}` };
  if (!/resource\.type\s*=\s*"cloud_run_revision"/.test(filter)) {
    return { problem: 'does not select resource.type = "cloud_run_revision"' };
  }
  if (/\b(OR|NOT)\b|(^|\s)-\S/.test(filter)) {
    return { problem: 'has OR, NOT or - terms: one service, and only its request log, per exclusion' };
  }
  const service = SERVICE_NAME.exec(filter)?.[1];
  return service ?? { problem: 'names no service "${var.name_prefix}rbm-<function>"' };
}

/**
 * Every function whose spec says its path carries phone numbers has its request logs excluded, and
 * local.phone_path_functions (which the exclusions follow) lists exactly those functions.
 */
export function checkRequestLogExclusions(config: TerraformConfig, specs: Specs = FUNCTION_SPECS): string[] {
  const problems: string[] = [];
  const carrying = specs.filter((spec) => spec.pathCarriesPhoneNumbers).map((spec) => spec.name);
  const listed = stringList(config.locals.phone_path_functions);
  if (!listed) problems.push('local.phone_path_functions must be a literal list of function names');
  else if (!same(listed, carrying)) {
    problems.push(
      `local.phone_path_functions ${JSON.stringify(sorted(listed))} ≠ functions whose paths carry phone numbers ${JSON.stringify(sorted(carrying))}`,
    );
  }
  const excluded = new Set<string>();
  for (const instance of allInstancesOf(config, 'google_logging_project_exclusion')) {
    const result = excludedFunction(instance);
    if (typeof result === 'string') excluded.add(result);
    else
      problems.push(
        `google_logging_project_exclusion.${instance.name}[${instance.key ?? ''}] ${result.problem}`,
      );
  }
  for (const name of carrying) {
    if (!excluded.has(name))
      problems.push(`${name}'s path carries phone numbers but its request logs are stored`);
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Alert policies

interface Threshold {
  readonly policy: string;
  readonly policyBody: HclObject;
  readonly filter: string;
  readonly denominator: string | undefined;
  readonly comparison: HclValue | undefined;
  readonly threshold: HclValue | undefined;
}

function thresholds(config: TerraformConfig): Threshold[] {
  return Object.entries(config.resource.google_monitoring_alert_policy ?? {}).flatMap(([policy, body]) =>
    (Array.isArray(body.conditions) ? body.conditions.filter(isHclObject) : []).flatMap((condition) => {
      const threshold = nestedBlock(condition, 'condition_threshold');
      if (!threshold) return [];
      return [
        {
          policy,
          policyBody: body,
          filter: expandLocals(config, threshold.filter) ?? '',
          denominator: expandLocals(config, threshold.denominator_filter),
          comparison: threshold.comparison,
          threshold: threshold.threshold_value,
        },
      ];
    }),
  );
}

const metric = (type: string): RegExp => new RegExp(`metric\\.type\\s*=\\s*"${type.replaceAll('.', '\\.')}"`);

/** The subscription a Pub/Sub metric filter is about: `subscription_id = "${google_pubsub_subscription.x.name}"`. */
function filteredSubscription(config: TerraformConfig, filter: string): string | undefined {
  const reference =
    /resource\.labels\.subscription_id\s*=\s*"(\$\{google_pubsub_subscription\.\w+\.name\})"/.exec(
      filter,
    )?.[1];
  return reference === undefined ? undefined : referencedName(config, reference);
}

function checkPubSubAlert(
  config: TerraformConfig,
  what: string,
  metricType: string,
  subscription: string,
  threshold: number,
): string[] {
  const matching = thresholds(config).filter(
    (t) => metric(metricType).test(t.filter) && filteredSubscription(config, t.filter) === subscription,
  );
  const firing = matching.filter((t) => t.comparison === 'COMPARISON_GT' && t.threshold === threshold);
  return firing.length > 0
    ? []
    : [
        `no alert on ${what}: ${metricType} of ${subscription} > ${threshold} (found ${matching.length} on that metric)`,
      ];
}

function checkHttp5xxAlert(config: TerraformConfig, specs: Specs): string[] {
  const problems: string[] = [];
  const http = specs.filter((spec) => spec.trigger === 'http').map((spec) => spec.name);
  const listed = stringList(config.locals.http_functions);
  if (!listed) problems.push('local.http_functions must be a literal list of function names');
  else if (!same(listed, http)) {
    problems.push(
      `local.http_functions ${JSON.stringify(sorted(listed))} ≠ HTTP functions ${JSON.stringify(sorted(http))}`,
    );
  }
  const services = stringOf(config.locals.http_services_filter) ?? '';
  if (!/one_of\(.*local\.http_functions.*\$\{var\.name_prefix\}rbm-\$\{name\}/.test(services)) {
    problems.push(
      'local.http_services_filter must be one_of() over "${var.name_prefix}rbm-${name}" for local.http_functions',
    );
  }
  const ratio = thresholds(config).find(
    (t) =>
      metric('run.googleapis.com/request_count').test(t.filter) &&
      /metric\.labels\.response_code_class\s*=\s*"5xx"/.test(t.filter) &&
      t.filter.includes(services) &&
      t.denominator !== undefined &&
      metric('run.googleapis.com/request_count').test(t.denominator) &&
      !t.denominator.includes('5xx') &&
      t.denominator.includes(services) &&
      t.comparison === 'COMPARISON_GT',
  );
  if (!ratio) {
    problems.push(
      'no alert on the 5xx share of the HTTP functions (request_count 5xx ÷ request_count, per service)',
    );
  }
  return problems;
}

/** Every alert the deployment needs exists and notifies var.alert_notification_channels. */
export function checkAlertPolicies(config: TerraformConfig, specs: Specs = FUNCTION_SPECS): string[] {
  const problems = [
    ...checkPubSubAlert(
      config,
      'messages held in the dead-letter subscription',
      'pubsub.googleapis.com/subscription/num_undelivered_messages',
      'rbm-inbound-dead-letter-hold',
      0,
    ),
    ...checkPubSubAlert(
      config,
      "inbound's oldest unacknowledged message",
      'pubsub.googleapis.com/subscription/oldest_unacked_message_age',
      'rbm-inbound-to-inbound',
      600,
    ),
    ...checkHttp5xxAlert(config, specs),
  ];
  for (const [name, body] of Object.entries(config.resource.google_monitoring_alert_policy ?? {})) {
    if (body.notification_channels !== '${var.alert_notification_channels}') {
      problems.push(`google_monitoring_alert_policy.${name} must notify var.alert_notification_channels`);
    }
    if (body.enabled === false) problems.push(`google_monitoring_alert_policy.${name} is disabled`);
    if (!allStrings(body.documentation).join(' ').includes('docs/operations.md')) {
      problems.push(
        `google_monitoring_alert_policy.${name} must point its documentation at docs/operations.md`,
      );
    }
  }
  const channels = config.variable.alert_notification_channels;
  if (channels?.type !== '${list(string)}' || JSON.stringify(channels.default) !== '[]') {
    problems.push('variable alert_notification_channels must be list(string) with default []');
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Retention

export const retentionDefaults = {
  agentMessages: { variable: 'agent_message_retention_days', days: 400 },
  userMessages: { variable: 'user_message_retention_days', days: 90 },
} as const;

/** A TTL policy on deleteAt for each retained collection, and the retention variables with their defaults. */
export function checkRetention(config: TerraformConfig): string[] {
  const problems: string[] = [];
  const ttl = allInstancesOf(config, 'google_firestore_field')
    .filter((instance) => nestedBlock(instance.body, 'ttl_config') !== undefined)
    .map((instance) => ({
      collection: stringOf(resolveEach(instance, instance.body.collection)),
      field: stringOf(resolveEach(instance, instance.body.field)),
    }));
  for (const [collection, { variable, days }] of Object.entries(retentionDefaults)) {
    const policies = ttl.filter((policy) => policy.collection === collection);
    if (policies.length !== 1 || policies[0]?.field !== RETENTION_FIELD) {
      problems.push(
        `${collection} needs one TTL policy, on ${RETENTION_FIELD}: found ${JSON.stringify(policies.map((p) => p.field))}`,
      );
    }
    const declared = config.variable[variable];
    if (declared?.default !== days) problems.push(`variable ${variable} must default to ${days} days`);
    if (!Array.isArray(declared?.validation) || declared.validation.length === 0) {
      problems.push(`variable ${variable} has no validation`);
    }
  }
  return problems;
}

// ------------------------------------------------------------------------------------------------------------
// Scaling

const SCALING_ARGUMENTS = [
  'available_cpu',
  'max_instance_request_concurrency',
  'min_instance_count',
] as const;

/**
 * Every function takes its concurrency, CPU and minimum instances from local.function_scaling; the defaults let
 * an instance serve more than one request only with a whole vCPU; the variables and the output's guards exist.
 */
export function checkScaling(config: TerraformConfig): string[] {
  const problems: string[] = [];
  for (const fn of allInstancesOf(config, 'google_cloudfunctions2_function')) {
    const service = nestedBlock(fn.body, 'service_config');
    for (const argument of SCALING_ARGUMENTS) {
      const expected = `\${local.function_scaling["${fn.key ?? ''}"].${argument}}`;
      const actual = resolveEach(fn, service?.[argument]);
      if (actual !== expected) {
        problems.push(
          `function ${fn.key ?? fn.name}: service_config.${argument} ${JSON.stringify(actual)} ≠ ${expected}`,
        );
      }
    }
  }
  const concurrency = config.locals.default_request_concurrency;
  const cpu = Number(stringOf(config.locals.default_available_cpu));
  if (typeof concurrency !== 'number' || !Number.isInteger(concurrency) || concurrency < 1) {
    problems.push('local.default_request_concurrency must be a whole number');
  } else if (concurrency > 1 && !(cpu >= 1)) {
    problems.push(`default concurrency ${concurrency} needs default_available_cpu ≥ 1, is ${String(cpu)}`);
  }
  const exceptions = config.locals.request_concurrency_exceptions;
  for (const [name, value] of Object.entries(isHclObject(exceptions) ? exceptions : {})) {
    if (typeof value === 'number' && value > 1 && !(cpu >= 1)) {
      problems.push(`${name}: concurrency ${value} needs available_cpu ≥ 1`);
    }
  }
  for (const name of ['max_instance_request_concurrency', 'available_cpu', 'webhook_min_instances']) {
    const variable = config.variable[name];
    if (!variable) problems.push(`variable ${name} is missing`);
    else if (!Array.isArray(variable.validation) || variable.validation.length === 0) {
      problems.push(`variable ${name} has no validation`);
    }
  }
  if (config.variable.webhook_min_instances?.default !== 0) {
    problems.push('webhook_min_instances must default to 0 (scale to zero)');
  }
  const scalingText = JSON.stringify(config.locals.function_scaling ?? null);
  for (const variable of ['max_instance_request_concurrency', 'available_cpu', 'webhook_min_instances']) {
    if (!scalingText.includes(`var.${variable}`))
      problems.push(`local.function_scaling ignores var.${variable}`);
  }
  const guards = allStrings(config.output.function_scaling?.precondition).join(' ');
  for (const [what, needle] of [
    ['unknown function names', 'local.unknown_scaling_names'],
    ['concurrency above 1 on less than a vCPU', 'tonumber(scaling.available_cpu) >= 1'],
    ['more warm webhooks than its maximum', 'var.webhook_min_instances <= var.webhook_max_instances'],
  ] as const) {
    if (!guards.includes(needle))
      problems.push(`output function_scaling has no precondition against ${what}`);
  }
  return problems;
}

/** The APIs the operations resources need. */
export function checkOperationsApis(config: TerraformConfig): string[] {
  const required = stringList(config.locals.required_apis) ?? [];
  return ['logging.googleapis.com', 'monitoring.googleapis.com']
    .filter((api) => !required.includes(api))
    .map((api) => `API ${api} is not enabled`);
}
