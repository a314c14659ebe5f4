/** The campaigns function's own configuration: its queue, its own URL (where tasks go) and the tasks' identity. */
import { ConfigError, requiredString, type Env } from '../config/env.js';
import { loadCloudTasksConfig, type CloudTasksConfig } from '../tasks/config.js';

export interface CampaignsConfig {
  tasks: CloudTasksConfig;
  /** This function's base URL, without a trailing slash: tasks POST under it, and it is their OIDC audience. */
  dispatchUrl: string;
  /** The service account whose OIDC token every task carries (it alone may invoke this function for tasks). */
  tasksServiceAccount: string;
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const SERVICE_ACCOUNT_EMAIL = /^[a-z0-9][a-z0-9.-]*@[a-z0-9.-]+\.[a-z]{2,}$/;

export function loadCampaignsConfig(env: Env): CampaignsConfig {
  return {
    tasks: loadCloudTasksConfig(env),
    dispatchUrl: dispatchUrl(env),
    tasksServiceAccount: tasksServiceAccount(env),
  };
}

function dispatchUrl(env: Env): string {
  const raw = requiredString(env, 'CAMPAIGNS_DISPATCH_URL');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('CAMPAIGNS_DISPATCH_URL', `must be an absolute URL, got "${raw}".`);
  }
  const local = url.protocol === 'http:' && LOOPBACK.test(url.hostname);
  if (url.protocol !== 'https:' && !local) {
    throw new ConfigError('CAMPAIGNS_DISPATCH_URL', 'must be an https:// URL (http:// only on loopback).');
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(
      'CAMPAIGNS_DISPATCH_URL',
      'must be a base URL without credentials, query or fragment.',
    );
  }
  return url.href.replace(/\/+$/, '');
}

function tasksServiceAccount(env: Env): string {
  const email = requiredString(env, 'CAMPAIGNS_TASKS_SERVICE_ACCOUNT');
  if (!SERVICE_ACCOUNT_EMAIL.test(email)) {
    throw new ConfigError(
      'CAMPAIGNS_TASKS_SERVICE_ACCOUNT',
      `must be a service account email, got "${email}".`,
    );
  }
  return email;
}
