/**
 * roles/datastore.user holds on the deployment's Firestore database only (an IAM condition on each project
 * grant), and the build identity has only what a gen2 build needs. Each mutation must fail the IAM check.
 */
import { describe, expect, it } from 'vitest';
import { checkIam, collectGrants } from './iam-checks.js';
import { freshConfig, loadRepoTerraform, nestedBlock } from './load.js';
import type { HclObject, TerraformConfig } from './load.js';

const repo = await loadRepoTerraform();

const datastoreGrants = (config: TerraformConfig) =>
  collectGrants(config).grants.filter((grant) => grant.role === 'roles/datastore.user');

function grantBody(config: TerraformConfig, name: string): HclObject {
  const body = config.resource.google_project_iam_member?.[name];
  if (body === undefined) throw new Error(`no google_project_iam_member.${name}`);
  return body;
}

describe('Firestore grants are limited to the database', () => {
  it('every roles/datastore.user grant of terraform/ is scoped to the (default) database', () => {
    const grants = datastoreGrants(repo);
    expect(grants.length).toBeGreaterThanOrEqual(8);
    expect(grants.filter((grant) => grant.scope !== 'firestore:(default)')).toEqual([]);
  });

  it('the condition names the database Terraform creates', () => {
    const condition = nestedBlock(grantBody(repo, 'send_datastore_user'), 'condition');
    expect(condition?.expression).toBe('${local.firestore_database_only}');
    expect(repo.locals.firestore_database_only).toBe(
      'resource.name == "projects/${var.project_id}/databases/${google_firestore_database.default.name}"',
    );
  });

  it.each([
    ['without its condition (project-wide)', (body: HclObject) => void delete body.condition],
    [
      'with a condition on another database',
      (body: HclObject) => {
        body.condition = [
          { title: 'x', expression: 'resource.name == "projects/${var.project_id}/databases/other"' },
        ];
      },
    ],
    [
      'with a condition that is always true',
      (body: HclObject) => {
        body.condition = [{ title: 'x', expression: 'true' }];
      },
    ],
  ])('send_datastore_user %s fails the check', async (_label, mutate) => {
    const config = await freshConfig();
    mutate(grantBody(config, 'send_datastore_user'));
    const problems = checkIam(config);
    expect(problems.filter((p) => p.includes('datastore.user') && p.startsWith('send runtime'))).toHaveLength(
      2,
    );
  });

  it('a local condition that no longer names the database fails every Firestore grant', async () => {
    const config = await freshConfig();
    config.locals.firestore_database_only = 'resource.name.startsWith("projects/")';
    const problems = checkIam(config).filter((p) => p.includes('lacks roles/datastore.user'));
    expect(problems.length).toBe(datastoreGrants(repo).length);
  });
});

describe('the build identity', () => {
  it.each(['roles/cloudbuild.builds.builder', 'roles/editor', 'roles/storage.admin'])(
    'with %s added fails the check',
    async (role) => {
      const config = await freshConfig();
      const roles = config.locals.build_service_account_roles;
      if (!Array.isArray(roles)) throw new Error('local.build_service_account_roles is not a list');
      config.locals.build_service_account_roles = [...roles, role];
      expect(checkIam(config).some((p) => p.startsWith('build') && p.includes(role))).toBe(true);
    },
  );
});
