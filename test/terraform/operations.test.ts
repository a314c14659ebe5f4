/**
 * The operations part of terraform/ (docs/operations.md): each check passes on the repository and fails when
 * the mistake it is for is made, on a copy of the parsed configuration or of the function catalog.
 */
import { describe, expect, it } from 'vitest';
import { isHclObject } from '../../devtools/topology.js';
import { FUNCTION_SPECS } from '../../functions/catalog.js';
import { freshConfig, loadRepoTerraform } from './load.js';
import type { HclObject, HclValue, TerraformConfig } from './load.js';
import {
  checkAlertPolicies,
  checkOperationsApis,
  checkRequestLogExclusions,
  checkRetention,
  checkScaling,
} from './operations-checks.js';

type Check = (config: TerraformConfig) => string[];

const checks: Array<[string, Check]> = [
  ['request logs of phone-carrying paths are excluded', (c) => checkRequestLogExclusions(c)],
  ['alerts: dead letters, inbound backlog, 5xx share', (c) => checkAlertPolicies(c)],
  ['TTL policies and retention variables', checkRetention],
  ['per-instance concurrency, CPU and minimum instances', checkScaling],
  ['logging and monitoring APIs enabled', checkOperationsApis],
];

/** The object at a dotted path; numeric parts index arrays. Throws if absent, so a stale mutation fails loudly. */
function objectAt(config: TerraformConfig, path: string): HclObject {
  const found = path
    .split('.')
    .reduce<HclValue | undefined>(
      (current, key) =>
        Array.isArray(current) ? current[Number(key)] : isHclObject(current) ? current[key] : undefined,
      config as unknown as HclObject,
    );
  if (!isHclObject(found)) throw new Error(`No object at ${path}`);
  return found;
}

const policy = (name: string) => `resource.google_monitoring_alert_policy.${name}`;
const threshold = (name: string, condition = 0) =>
  `${policy(name)}.conditions.${condition}.condition_threshold.0`;

describe('terraform/ operations', () => {
  it.each(checks)('%s', async (_label, check) => {
    expect(check(await loadRepoTerraform())).toEqual([]);
  });

  it('excludes exactly the request logs of send, revoke, messages, events and capabilities today', async () => {
    const carrying = FUNCTION_SPECS.filter((spec) => spec.pathCarriesPhoneNumbers).map((spec) => spec.name);
    expect(carrying.sort()).toEqual(['capabilities', 'events', 'messages', 'revoke', 'send']);
    expect((await loadRepoTerraform()).locals.phone_path_functions).toEqual(expect.arrayContaining(carrying));
  });
});

describe('a phone-carrying function without the exclusion fails the check', () => {
  it('a new function in the catalog whose path carries phone numbers', async () => {
    const withNew = [
      ...FUNCTION_SPECS,
      { name: 'lookup', trigger: 'http' as const, pathCarriesPhoneNumbers: true },
    ];
    const problems = checkRequestLogExclusions(await loadRepoTerraform(), withNew);
    expect(problems.join('\n')).toMatch(
      /lookup's path carries phone numbers but its request logs are stored/,
    );
  });

  const mutations: Array<[string, (config: TerraformConfig) => void]> = [
    [
      'messages dropped from local.phone_path_functions',
      (c) => {
        const list = c.locals.phone_path_functions;
        c.locals.phone_path_functions = Array.isArray(list) ? list.filter((name) => name !== 'messages') : [];
      },
    ],
    [
      'the exclusion resource removed',
      (c) => {
        delete c.resource.google_logging_project_exclusion;
      },
    ],
    [
      'the exclusion disabled',
      (c) => {
        objectAt(c, 'resource.google_logging_project_exclusion.phone_path_request_logs').disabled = true;
      },
    ],
    [
      'the exclusion aimed at stdout instead of the request log',
      (c) => {
        const exclusion = objectAt(c, 'resource.google_logging_project_exclusion.phone_path_request_logs');
        exclusion.filter = String(exclusion.filter).replace(
          'run.googleapis.com/requests',
          'run.googleapis.com/stdout',
        );
      },
    ],
    [
      'the exclusion naming the service without the name prefix',
      (c) => {
        const exclusion = objectAt(c, 'resource.google_logging_project_exclusion.phone_path_request_logs');
        exclusion.filter = String(exclusion.filter).replace('${var.name_prefix}rbm-', 'rbm-');
      },
    ],
    [
      'the exclusion widened with OR',
      (c) => {
        const exclusion = objectAt(c, 'resource.google_logging_project_exclusion.phone_path_request_logs');
        exclusion.filter = `${String(exclusion.filter)} OR severity >= ERROR`;
      },
    ],
  ];

  it.each(mutations)('%s', async (_label, mutate) => {
    const config = await freshConfig();
    mutate(config);
    expect(checkRequestLogExclusions(config)).not.toEqual([]);
  });
});

describe('each operations check catches what it is for', () => {
  const mutations: Array<[string, (config: TerraformConfig) => void, Check]> = [
    [
      'no dead-letter alert',
      (c) => {
        delete objectAt(c, 'resource.google_monitoring_alert_policy').dead_letters_held;
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'the dead-letter alert watching the push subscription',
      (c) => {
        const condition = objectAt(c, threshold('dead_letters_held'));
        condition.filter = String(condition.filter).replace('inbound_dead_letter_hold', 'inbound_push');
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'the backlog alert at 6000 s',
      (c) => {
        objectAt(c, threshold('inbound_backlog')).threshold_value = 6000;
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'the backlog alert on the wrong metric',
      (c) => {
        const condition = objectAt(c, threshold('inbound_backlog'));
        condition.filter = String(condition.filter).replace(
          'oldest_unacked_message_age',
          'num_undelivered_messages',
        );
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'the 5xx alert without its denominator (a count, not a share)',
      (c) => {
        delete objectAt(c, threshold('http_5xx')).denominator_filter;
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'the 5xx alert on 4xx',
      (c) => {
        const condition = objectAt(c, threshold('http_5xx'));
        condition.filter = String(condition.filter).replace('"5xx"', '"4xx"');
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'send missing from local.http_functions',
      (c) => {
        const list = c.locals.http_functions;
        c.locals.http_functions = Array.isArray(list) ? list.filter((name) => name !== 'send') : [];
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'an alert that notifies nobody whatever the variable says',
      (c) => {
        objectAt(c, policy('inbound_backlog')).notification_channels = [];
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'alert_notification_channels required',
      (c) => {
        delete objectAt(c, 'variable.alert_notification_channels').default;
      },
      (c) => checkAlertPolicies(c),
    ],
    [
      'no TTL policy on userMessages',
      (c) => {
        const fields = c.locals.firestore_ttl_fields;
        if (isHclObject(fields)) delete fields.user_messages;
      },
      checkRetention,
    ],
    [
      'the TTL policy on a field the store does not write',
      (c) => {
        objectAt(c, 'locals.firestore_ttl_fields.agent_messages').field = 'expireAt';
      },
      checkRetention,
    ],
    [
      'the TTL block removed',
      (c) => {
        delete objectAt(c, 'resource.google_firestore_field.ttl').ttl_config;
      },
      checkRetention,
    ],
    [
      'user messages kept 30 days by default',
      (c) => {
        objectAt(c, 'variable.user_message_retention_days').default = 30;
      },
      checkRetention,
    ],
    [
      'concurrency 8 on half a vCPU by default',
      (c) => {
        c.locals.default_available_cpu = '0.5';
      },
      checkScaling,
    ],
    [
      'minimum instances fixed at 0',
      (c) => {
        objectAt(c, 'resource.google_cloudfunctions2_function.function.service_config.0').min_instance_count =
          0;
      },
      checkScaling,
    ],
    [
      'the concurrency variable ignored',
      (c) => {
        const scaling = c.locals.function_scaling;
        c.locals.function_scaling = String(scaling).replaceAll('var.max_instance_request_concurrency', '{}');
      },
      checkScaling,
    ],
    [
      'no guard against concurrency on a fraction of a vCPU',
      (c) => {
        const output = objectAt(c, 'output.function_scaling');
        output.precondition = Array.isArray(output.precondition)
          ? output.precondition.filter((p) => !JSON.stringify(p).includes('available_cpu'))
          : [];
      },
      checkScaling,
    ],
    [
      'the monitoring API not enabled',
      (c) => {
        const apis = c.locals.required_apis;
        c.locals.required_apis = Array.isArray(apis)
          ? apis.filter((api) => api !== 'monitoring.googleapis.com')
          : [];
      },
      checkOperationsApis,
    ],
  ];

  it.each(mutations)('%s', async (_label, mutate, check) => {
    const config = await freshConfig();
    expect(check(config)).toEqual([]);
    mutate(config);
    expect(check(config)).not.toEqual([]);
  });
});
