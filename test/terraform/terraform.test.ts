import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkApis,
  checkFirestore,
  checkFunctions,
  checkOutputs,
  checkProjectIds,
  checkPubSub,
  checkSecrets,
  checkTfvarsExample,
  checkVariables,
  checkVersions,
  expectedEnvironment,
} from './checks.js';
import {
  checkDeadLetterBindings,
  checkIam,
  checkPushSubscriptionIam,
  collectGrants,
  expectedRuntimeGrants,
  functionNames,
  runtimePrincipals,
} from './iam-checks.js';
import { defaultTerraformDir, loadRepoTerraform, nestedBlock, parseTerraformFile } from './load.js';
import type { TerraformConfig } from './load.js';
import { allInstancesOf, resolveEach } from './model.js';

const checks: Array<[string, (config: TerraformConfig) => string[]]> = [
  ['functions: entry points, nodejs22, sources, env, ingress, max instances', checkFunctions],
  ['IAM: exactly the listed grants, least privilege', checkIam],
  ['dead-letter subscriptions have both service-agent bindings', checkDeadLetterBindings],
  ['push subscriptions: token creator and invoker', checkPushSubscriptionIam],
  ['secrets: not in variables, state, outputs or plain env vars', checkSecrets],
  ['variables: type, description, validation', checkVariables],
  ['no hard-coded project ids', checkProjectIds],
  ['topics and subscriptions of docs/topics.md', checkPubSub],
  ['outputs: URLs, topics, subscriptions, service accounts', checkOutputs],
  ['provider versions pinned', checkVersions],
  ['required APIs enabled', checkApis],
  ['Firestore database and indexes', checkFirestore],
];

describe('terraform/ (parsed offline with @cdktf/hcl2json)', () => {
  it.each(checks)('%s', async (_name, check) => {
    expect(check(await loadRepoTerraform())).toEqual([]);
  });

  it('parses every .tf file of terraform/ into one configuration', async () => {
    const config = await loadRepoTerraform();
    expect(Object.keys(config.resource)).toContain('google_cloudfunctions2_function');
    expect(Object.keys(config.variable).length).toBeGreaterThan(5);
  });

  it('collects every IAM binding without anything it cannot resolve', async () => {
    expect(collectGrants(await loadRepoTerraform()).problems).toEqual([]);
  });

  it.each(functionNames)(
    'function %s: entry point, runtime and its own runtime service account',
    async (name) => {
      const config = await loadRepoTerraform();
      const fn = allInstancesOf(config, 'google_cloudfunctions2_function').find((f) => f.key === name);
      expect(fn).toBeDefined();
      if (!fn) return;
      const build = nestedBlock(fn.body, 'build_config');
      expect(resolveEach(fn, build?.entry_point)).toBe(name);
      expect(build?.runtime).toBe('nodejs22');
      expect(runtimePrincipals(config).get(name)).toBe(`serviceAccount:rbm-${name}`);
      const grants = collectGrants(config)
        .grants.filter((g) => g.principal === `serviceAccount:rbm-${name}`)
        .map((g) => `${g.role} @ ${g.scope}`);
      expect(grants.sort()).toEqual([...expectedRuntimeGrants[name]].sort());
      expect(Object.keys(expectedEnvironment[name])).toContain('GOOGLE_CLOUD_PROJECT');
    },
  );

  it('webhook is the only public function and has a max-instances bound', async () => {
    const config = await loadRepoTerraform();
    const publicScopes = collectGrants(config)
      .grants.filter((g) => g.principal === 'allUsers' || g.principal === 'allAuthenticatedUsers')
      .map((g) => g.scope);
    expect(publicScopes).toEqual(['run:webhook']);
    const webhook = allInstancesOf(config, 'google_cloudfunctions2_function').find(
      (f) => f.key === 'webhook',
    );
    expect(
      webhook && resolveEach(webhook, nestedBlock(webhook.body, 'service_config')?.max_instance_count),
    ).toBe('${var.webhook_max_instances}');
  });

  it('terraform.tfvars.example sets every required variable, only declared ones, and no secret', async () => {
    const text = await readFile(path.join(defaultTerraformDir, 'terraform.tfvars.example'), 'utf8');
    const tfvars = await parseTerraformFile('terraform.tfvars.example', text);
    expect(checkTfvarsExample(await loadRepoTerraform(), tfvars)).toEqual([]);
  });
});
