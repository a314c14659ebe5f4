/**
 * Removing any one required IAM binding, or adding allUsers to send, makes
 * a check fail. Each mutation is applied to a copy of the parsed configuration (or to the .tf text of a temp
 * copy) and the relevant pure check must report at least one problem.
 */
import { describe, expect, it } from 'vitest';
import {
  checkFirestore,
  checkFunctions,
  checkOutputs,
  checkProjectIds,
  checkPubSub,
  checkSecrets,
  checkVariables,
} from './checks.js';
import {
  checkDeadLetterBindings,
  checkIam,
  checkPushSubscriptionIam,
  iamResourceAddresses,
} from './iam-checks.js';
import { configWithEditedFile, freshConfig, loadRepoTerraform, removeResourceBlock } from './load.js';
import type { HclObject, HclValue, TerraformConfig } from './load.js';
import { isHclObject } from '../../devtools/topology.js';

/** The object at a dotted path ("resource.google_pubsub_topic.inbound.push_config.0"); throws if absent. */
function objectAt(root: HclValue, path: string): HclObject {
  const found = path
    .split('.')
    .reduce<HclValue | undefined>(
      (current, key) =>
        Array.isArray(current) ? current[Number(key)] : isHclObject(current) ? current[key] : undefined,
      root,
    );
  if (!isHclObject(found)) throw new Error(`No object at ${path}`);
  return found;
}

function configRoot(config: TerraformConfig): HclObject {
  return config as unknown as HclObject;
}

function removeResource(config: TerraformConfig, type: string, name: string): void {
  const byName = config.resource[type];
  if (!byName?.[name]) throw new Error(`No resource ${type}.${name} to remove`);
  delete byName[name];
}

function addResource(config: TerraformConfig, type: string, name: string, body: HclObject): void {
  config.resource[type] = { ...config.resource[type], [name]: body };
}

const runInvoker = (fnReference: string, member: string): HclObject => ({
  project: '${var.project_id}',
  location: '${var.region}',
  name: `\${google_cloudfunctions2_function.function["${fnReference}"].name}`,
  role: 'roles/run.invoker',
  member,
});

/** Every required binding, as the resource that makes it. */
const requiredBindings: Array<[string, string, string]> = [
  ['send: Firestore user', 'google_project_iam_member', 'send_datastore_user'],
  [
    'send: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'send_reads_rbm_service_account_key',
  ],
  ['revoke: Firestore user', 'google_project_iam_member', 'revoke_datastore_user'],
  [
    'revoke: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'revoke_reads_rbm_service_account_key',
  ],
  ['webhook: publisher on rbm-inbound', 'google_pubsub_topic_iam_member', 'webhook_publishes_inbound'],
  [
    'webhook: client token secret accessor',
    'google_secret_manager_secret_iam_member',
    'webhook_reads_client_token',
  ],
  ['inbound: Firestore user', 'google_project_iam_member', 'inbound_datastore_user'],
  [
    'inbound: publisher on rbm-user-messages',
    'google_pubsub_topic_iam_member',
    'inbound_publishes_user_messages',
  ],
  ['build service account roles', 'google_project_iam_member', 'build'],
  [
    'Pub/Sub agent: token creator on the push SA',
    'google_service_account_iam_member',
    'pubsub_agent_mints_inbound_push_tokens',
  ],
  [
    'Pub/Sub agent: publisher on the DLQ topic',
    'google_pubsub_topic_iam_member',
    'pubsub_agent_publishes_inbound_dead_letters',
  ],
  [
    'Pub/Sub agent: subscriber on the source subscription',
    'google_pubsub_subscription_iam_member',
    'pubsub_agent_subscribes_inbound_push',
  ],
  ['push SA invokes inbound', 'google_cloud_run_v2_service_iam_member', 'inbound_push_invokes_inbound'],
  ['invoker_members invoke send', 'google_cloud_run_v2_service_iam_member', 'send_invokers'],
  ['invoker_members invoke revoke', 'google_cloud_run_v2_service_iam_member', 'revoke_invokers'],
  ['allUsers invoke webhook', 'google_cloud_run_v2_service_iam_member', 'webhook_public'],
  ['messages: Firestore user', 'google_project_iam_member', 'messages_datastore_user'],
  [
    'messages: publisher on rbm-consent-changes',
    'google_pubsub_topic_iam_member',
    'messages_publishes_consent_changes',
  ],
  [
    'messages: page token key secret accessor',
    'google_secret_manager_secret_iam_member',
    'messages_reads_page_token_key',
  ],
  ['events: Firestore user', 'google_project_iam_member', 'events_datastore_user'],
  [
    'events: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'events_reads_rbm_service_account_key',
  ],
  ['capabilities: Firestore user', 'google_project_iam_member', 'capabilities_datastore_user'],
  [
    'capabilities: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'capabilities_reads_rbm_service_account_key',
  ],
  ['files: Firestore user', 'google_project_iam_member', 'files_datastore_user'],
  [
    'files: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'files_reads_rbm_service_account_key',
  ],
  ['invoker_members invoke messages', 'google_cloud_run_v2_service_iam_member', 'messages_invokers'],
  ['invoker_members invoke events', 'google_cloud_run_v2_service_iam_member', 'events_invokers'],
  ['invoker_members invoke capabilities', 'google_cloud_run_v2_service_iam_member', 'capabilities_invokers'],
  ['invoker_members invoke files', 'google_cloud_run_v2_service_iam_member', 'files_invokers'],
  [
    'the gateway invokes the functions it routes to',
    'google_cloud_run_v2_service_iam_member',
    'gateway_invokes',
  ],
  [
    'send: publisher on rbm-message-status',
    'google_pubsub_topic_iam_member',
    'send_publishes_message_status',
  ],
  ['send: publisher on rbm-fallback', 'google_pubsub_topic_iam_member', 'send_publishes_fallback'],
  [
    'revoke: publisher on rbm-message-status',
    'google_pubsub_topic_iam_member',
    'revoke_publishes_message_status',
  ],
  ['revoke: publisher on rbm-fallback', 'google_pubsub_topic_iam_member', 'revoke_publishes_fallback'],
  [
    'inbound: publisher on rbm-message-status',
    'google_pubsub_topic_iam_member',
    'inbound_publishes_message_status',
  ],
  ['inbound: publisher on rbm-fallback', 'google_pubsub_topic_iam_member', 'inbound_publishes_fallback'],
  [
    'reconcile: publisher on rbm-message-status',
    'google_pubsub_topic_iam_member',
    'reconcile_publishes_message_status',
  ],
  ['reconcile: publisher on rbm-fallback', 'google_pubsub_topic_iam_member', 'reconcile_publishes_fallback'],
  [
    'reconcile: publisher on rbm-consent-changes',
    'google_pubsub_topic_iam_member',
    'reconcile_publishes_consent_changes',
  ],
  [
    'inbound: publisher on rbm-consent-changes',
    'google_pubsub_topic_iam_member',
    'inbound_publishes_consent_changes',
  ],
  [
    'inbound: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'inbound_reads_rbm_service_account_key',
  ],
  ['reconcile: Firestore user', 'google_project_iam_member', 'reconcile_datastore_user'],
  [
    'reconcile: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'reconcile_reads_rbm_service_account_key',
  ],
  ['scheduler invokes reconcile', 'google_cloud_run_v2_service_iam_member', 'scheduler_invokes_reconcile'],
  ['campaigns: Firestore user', 'google_project_iam_member', 'campaigns_datastore_user'],
  [
    'campaigns: RBM key secret accessor',
    'google_secret_manager_secret_iam_member',
    'campaigns_reads_rbm_service_account_key',
  ],
  [
    'campaigns: publisher on rbm-message-status',
    'google_pubsub_topic_iam_member',
    'campaigns_publishes_message_status',
  ],
  ['campaigns: publisher on rbm-fallback', 'google_pubsub_topic_iam_member', 'campaigns_publishes_fallback'],
  [
    'campaigns: enqueuer on rbm-campaigns',
    'google_cloud_tasks_queue_iam_member',
    'campaigns_enqueues_campaign_tasks',
  ],
  [
    'campaigns: acts as the task identity',
    'google_service_account_iam_member',
    'campaigns_acts_as_campaign_tasks',
  ],
  [
    'task identity invokes campaigns',
    'google_cloud_run_v2_service_iam_member',
    'campaign_tasks_invoke_campaigns',
  ],
  ['invoker_members invoke campaigns', 'google_cloud_run_v2_service_iam_member', 'campaigns_invokers'],
];

const repo = await loadRepoTerraform();

describe('removing any one required IAM binding fails a check', () => {
  it('the table covers every IAM resource of terraform/', () => {
    const covered = requiredBindings.map(([, type, name]) => `${type}.${name}`).sort();
    const present = iamResourceAddresses(repo)
      .map(({ type, name }) => `${type}.${name}`)
      .sort();
    expect(present).toEqual(covered);
    expect(repo.locals.build_service_account_roles).toHaveLength(3);
  });

  it.each(requiredBindings)('without %s (%s.%s)', async (_label, type, name) => {
    const config = await freshConfig();
    removeResource(config, type, name);
    expect(checkIam(config)).not.toEqual([]);
  });

  const buildRoles = repo.locals.build_service_account_roles;
  it.each(Array.isArray(buildRoles) ? buildRoles.map(String) : [])('without build role %s', async (role) => {
    const config = await freshConfig();
    const roles = config.locals.build_service_account_roles;
    if (!Array.isArray(roles)) throw new Error('local.build_service_account_roles is not a list');
    config.locals.build_service_account_roles = roles.filter((r) => r !== role);
    expect(checkIam(config)).not.toEqual([]);
  });

  it.each([
    [
      'dead-letter publisher',
      'google_pubsub_topic_iam_member',
      'pubsub_agent_publishes_inbound_dead_letters',
    ],
    [
      'dead-letter subscriber',
      'google_pubsub_subscription_iam_member',
      'pubsub_agent_subscribes_inbound_push',
    ],
  ])('the dead-letter check alone catches a missing %s binding', async (_label, type, name) => {
    const config = await freshConfig();
    removeResource(config, type, name);
    expect(checkDeadLetterBindings(config)).not.toEqual([]);
  });

  it.each([
    ['token creator', 'google_service_account_iam_member', 'pubsub_agent_mints_inbound_push_tokens'],
    ['push invoker', 'google_cloud_run_v2_service_iam_member', 'inbound_push_invokes_inbound'],
  ])('the push subscription check alone catches a missing %s binding', async (_label, type, name) => {
    const config = await freshConfig();
    removeResource(config, type, name);
    expect(checkPushSubscriptionIam(config)).not.toEqual([]);
  });

  it('removing the subscriber binding from the text of iam.tf fails the checks', async () => {
    const config = await configWithEditedFile('iam.tf', (text) =>
      removeResourceBlock(
        text,
        'google_pubsub_subscription_iam_member',
        'pubsub_agent_subscribes_inbound_push',
      ),
    );
    expect(checkDeadLetterBindings(config)).not.toEqual([]);
    expect(checkIam(config)).not.toEqual([]);
  });
});

describe('making send (or revoke, or inbound) public fails a check', () => {
  const publicMutations: Array<[string, (config: TerraformConfig) => void]> = [
    [
      'allUsers on send (Cloud Run v2 IAM)',
      (c) =>
        addResource(
          c,
          'google_cloud_run_v2_service_iam_member',
          'send_public',
          runInvoker('send', 'allUsers'),
        ),
    ],
    [
      'allUsers on send (Cloud Run v1 IAM)',
      (c) => {
        const { name, ...rest } = runInvoker('send', 'allUsers');
        addResource(c, 'google_cloud_run_service_iam_member', 'send_public', {
          ...rest,
          service: name ?? null,
        });
      },
    ],
    [
      'allAuthenticatedUsers on revoke',
      (c) =>
        addResource(
          c,
          'google_cloud_run_v2_service_iam_member',
          'revoke_public',
          runInvoker('revoke', 'allAuthenticatedUsers'),
        ),
    ],
    [
      'allUsers on inbound',
      (c) =>
        addResource(
          c,
          'google_cloud_run_v2_service_iam_member',
          'inbound_public',
          runInvoker('inbound', 'allUsers'),
        ),
    ],
    [
      'allUsers on send through the function IAM resource',
      (c) =>
        addResource(c, 'google_cloudfunctions2_function_iam_member', 'send_public', {
          project: '${var.project_id}',
          location: '${var.region}',
          cloud_function: '${google_cloudfunctions2_function.function["send"].name}',
          role: 'roles/cloudfunctions.invoker',
          member: 'allUsers',
        }),
    ],
    [
      'allUsers added to the send invokers for_each',
      (c) => {
        objectAt(configRoot(c), 'resource.google_cloud_run_v2_service_iam_member.send_invokers').for_each =
          '${toset(concat(var.invoker_members, ["allUsers"]))}';
      },
    ],
    [
      'send invokers bound to allUsers instead of each member',
      (c) => {
        objectAt(configRoot(c), 'resource.google_cloud_run_v2_service_iam_member.send_invokers').member =
          'allUsers';
      },
    ],
  ];

  it.each(publicMutations)('%s', async (_label, mutate) => {
    const config = await freshConfig();
    mutate(config);
    expect(checkIam(config)).not.toEqual([]);
  });

  it('adding an allUsers binding for send to the text of iam.tf fails the IAM check', async () => {
    const config = await configWithEditedFile(
      'iam.tf',
      (text) => `${text}
resource "google_cloud_run_v2_service_iam_member" "send_public" {
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function["send"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
`,
    );
    expect(checkIam(config).join('\n')).toMatch(/allUsers on run:send/);
  });

  it('dropping allUsers/allAuthenticatedUsers from the invoker_members validation fails the variables check', async () => {
    const config = await freshConfig();
    objectAt(configRoot(config), 'variable.invoker_members').validation = [];
    expect(checkVariables(config)).not.toEqual([]);
  });
});

describe('widening a grant fails the IAM check', () => {
  const widenings: Array<[string, (config: TerraformConfig) => void]> = [
    [
      'webhook publishes on the whole project',
      (c) => {
        const binding = objectAt(
          configRoot(c),
          'resource.google_pubsub_topic_iam_member.webhook_publishes_inbound',
        );
        removeResource(c, 'google_pubsub_topic_iam_member', 'webhook_publishes_inbound');
        const { topic: _topic, ...rest } = binding;
        addResource(c, 'google_project_iam_member', 'webhook_publishes_everywhere', rest);
      },
    ],
    [
      'inbound publishes on rbm-inbound instead of rbm-user-messages',
      (c) => {
        objectAt(
          configRoot(c),
          'resource.google_pubsub_topic_iam_member.inbound_publishes_user_messages',
        ).topic = '${google_pubsub_topic.inbound.id}';
      },
    ],
    [
      'send reads the webhook token too',
      (c) => {
        objectAt(
          configRoot(c),
          'resource.google_secret_manager_secret_iam_member.send_reads_rbm_service_account_key',
        ).secret_id = '${google_secret_manager_secret.rbm_webhook_client_token.id}';
      },
    ],
    [
      'roles/owner for inbound',
      (c) => {
        objectAt(configRoot(c), 'resource.google_project_iam_member.inbound_datastore_user').role =
          'roles/owner';
      },
    ],
    [
      'roles/editor added to the build service account',
      (c) => {
        const roles = c.locals.build_service_account_roles;
        c.locals.build_service_account_roles = [...(Array.isArray(roles) ? roles : []), 'roles/editor'];
      },
    ],
    [
      'send runs as the revoke service account',
      (c) => {
        objectAt(
          configRoot(c),
          'resource.google_cloudfunctions2_function.function.service_config.0',
        ).service_account_email = '${google_service_account.runtime["revoke"].email}';
      },
    ],
    [
      'run.invoker bound through google_cloudfunctions2_function_iam_member',
      (c) => {
        removeResource(c, 'google_cloud_run_v2_service_iam_member', 'inbound_push_invokes_inbound');
        addResource(c, 'google_cloudfunctions2_function_iam_member', 'inbound_push', {
          project: '${var.project_id}',
          location: '${var.region}',
          cloud_function: '${google_cloudfunctions2_function.function["inbound"].name}',
          role: 'roles/run.invoker',
          member: 'serviceAccount:${google_service_account.inbound_push.email}',
        });
      },
    ],
    [
      'authoritative project binding',
      (c) =>
        addResource(c, 'google_project_iam_binding', 'datastore', {
          project: '${var.project_id}',
          role: 'roles/datastore.user',
          members: ['serviceAccount:${google_service_account.runtime["send"].email}'],
        }),
    ],
  ];

  it.each(widenings)('%s', async (_label, mutate) => {
    const config = await freshConfig();
    mutate(config);
    expect(checkIam(config)).not.toEqual([]);
  });
});

describe('the other checks catch what they are for', () => {
  const fn = 'resource.google_cloudfunctions2_function.function';
  const mutations: Array<[string, (config: TerraformConfig) => void, (config: TerraformConfig) => string[]]> =
    [
      [
        'entry point not a registered name',
        (c) => {
          objectAt(configRoot(c), `${fn}.build_config.0`).entry_point = 'main';
        },
        checkFunctions,
      ],
      [
        'runtime nodejs20',
        (c) => {
          objectAt(configRoot(c), `${fn}.build_config.0`).runtime = 'nodejs20';
        },
        checkFunctions,
      ],
      [
        'object name without output_md5',
        (c) => {
          objectAt(configRoot(c), 'resource.google_storage_bucket_object.function').name = '${each.key}.zip';
        },
        checkFunctions,
      ],
      [
        'every function built from dist/send',
        (c) => {
          objectAt(configRoot(c), 'data.archive_file.function').source_dir = '${var.dist_dir}/send';
        },
        checkFunctions,
      ],
      [
        'inbound behind an Eventarc trigger',
        (c) => {
          objectAt(configRoot(c), fn).event_trigger = [
            { event_type: 'google.cloud.pubsub.topic.v1.messagePublished' },
          ];
        },
        checkFunctions,
      ],
      [
        'webhook without its max-instances bound',
        (c) => {
          objectAt(configRoot(c), 'locals.functions.webhook').max_instances = '${var.function_max_instances}';
        },
        checkFunctions,
      ],
      [
        'inbound open to the internet',
        (c) => {
          objectAt(configRoot(c), 'locals.functions.inbound').ingress_settings = 'ALLOW_ALL';
        },
        checkFunctions,
      ],
      [
        'RBM_AGENT_ID missing from inbound',
        (c) => {
          delete objectAt(configRoot(c), 'locals.functions.inbound.environment').RBM_AGENT_ID;
        },
        checkFunctions,
      ],
      [
        'client token as a plain env var',
        (c) => {
          objectAt(configRoot(c), 'locals.functions.webhook.environment').RBM_WEBHOOK_CLIENT_TOKEN = 'x';
        },
        checkSecrets,
      ],
      [
        'secret version managed by Terraform',
        (c) =>
          addResource(c, 'google_secret_manager_secret_version', 'key', {
            secret: '${google_secret_manager_secret.rbm_service_account_key.id}',
            secret_data: '${var.key}',
          }),
        checkSecrets,
      ],
      [
        'secret value in an output',
        (c) => {
          c.output.key = {
            description: 'x',
            value: '${google_secret_manager_secret_version.key.secret_data}',
          };
        },
        checkSecrets,
      ],
      [
        'variable without description',
        (c) => {
          delete objectAt(configRoot(c), 'variable.region').description;
        },
        checkVariables,
      ],
      [
        'variable without type',
        (c) => {
          delete objectAt(configRoot(c), 'variable.labels').type;
        },
        checkVariables,
      ],
      [
        'project_id without validation',
        (c) => {
          delete objectAt(configRoot(c), 'variable.project_id').validation;
        },
        checkVariables,
      ],
      [
        'hard-coded project on a topic',
        (c) => {
          objectAt(configRoot(c), 'resource.google_pubsub_topic.inbound').project = 'my-project-123';
        },
        checkProjectIds,
      ],
      [
        'hard-coded project in a topic path',
        (c) => {
          objectAt(configRoot(c), 'resource.google_pubsub_subscription.inbound_push').topic =
            'projects/my-project-123/topics/rbm-inbound';
        },
        checkProjectIds,
      ],
      [
        'topic renamed',
        (c) => {
          objectAt(configRoot(c), 'resource.google_pubsub_topic.user_messages').name =
            '${var.name_prefix}user-messages';
        },
        checkPubSub,
      ],
      [
        'topic name without the prefix',
        (c) => {
          objectAt(configRoot(c), 'resource.google_pubsub_topic.inbound').name = 'rbm-inbound';
        },
        checkPubSub,
      ],
      [
        'push subscription without dead-letter policy',
        (c) => {
          delete objectAt(configRoot(c), 'resource.google_pubsub_subscription.inbound_push')
            .dead_letter_policy;
        },
        checkPubSub,
      ],
      [
        'push without OIDC token',
        (c) => {
          delete objectAt(configRoot(c), 'resource.google_pubsub_subscription.inbound_push.push_config.0')
            .oidc_token;
        },
        checkPubSub,
      ],
      [
        'dead-letter hold that expires',
        (c) => {
          delete objectAt(configRoot(c), 'resource.google_pubsub_subscription.inbound_dead_letter_hold')
            .expiration_policy;
        },
        checkPubSub,
      ],
      [
        'no output for a function URL',
        (c) => {
          delete c.output.webhook_url;
        },
        checkOutputs,
      ],
      [
        'no composite index for stuck messages',
        (c) => {
          delete objectAt(configRoot(c), 'resource.google_firestore_index')
            .agent_messages_by_state_and_update;
        },
        checkFirestore,
      ],
      [
        'a queried field exempted from indexing',
        (c) => {
          objectAt(configRoot(c), 'locals.firestore_unindexed_fields').bad = {
            collection: 'agentMessages',
            field: 'state',
          };
        },
        checkFirestore,
      ],
    ];

  it.each(mutations)('%s', async (_label, mutate, check) => {
    const config = await freshConfig();
    expect(check(config)).toEqual([]);
    mutate(config);
    expect(check(config)).not.toEqual([]);
  });
});
