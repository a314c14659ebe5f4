/** Cloud Tasks client configuration: the queue, the REST endpoint, credentials and the retry budget. */
import { endpointAuthMode, parseBaseUrl } from '../config/endpoint.js';
import { ConfigError, requiredString, type Env } from '../config/env.js';
import type { RetryPolicy } from '../config/rbm.js';
import { parseQueueName } from './names.js';

export const DEFAULT_CLOUD_TASKS_ENDPOINT = 'https://cloudtasks.googleapis.com';
export const CLOUD_TASKS_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** Application Default Credentials (the function's service account), or no token for a loopback fake. */
export type CloudTasksAuthConfig = { kind: 'none' } | { kind: 'applicationDefault' };

export interface CloudTasksConfig {
  /** Full queue name `projects/P/locations/L/queues/Q`. */
  queue: string;
  /** Base URL without a trailing slash. */
  endpoint: string;
  auth: CloudTasksAuthConfig;
  retry: RetryPolicy;
}

/** One create or delete may take this long, waits included: a campaign creates many tasks per request. */
export const DEFAULT_CLOUD_TASKS_RETRY: RetryPolicy = {
  deadlineMs: 15_000,
  initialBackoffMs: 250,
  maxBackoffMs: 4_000,
  attemptTimeoutMs: 10_000,
};

export function loadCloudTasksConfig(env: Env): CloudTasksConfig {
  const queue = requiredString(env, 'CLOUD_TASKS_QUEUE');
  if (!parseQueueName(queue)) {
    throw new ConfigError(
      'CLOUD_TASKS_QUEUE',
      `must be a full queue name "projects/P/locations/L/queues/Q", got "${queue}".`,
    );
  }
  const endpoint = parseBaseUrl(env, 'CLOUD_TASKS_ENDPOINT', DEFAULT_CLOUD_TASKS_ENDPOINT);
  const mode = endpointAuthMode(env, {
    authVariable: 'CLOUD_TASKS_AUTH',
    endpointVariable: 'CLOUD_TASKS_ENDPOINT',
    endpoint,
    fake: 'a local fake Cloud Tasks server',
  });
  return {
    queue,
    endpoint: endpoint.href.replace(/\/+$/, ''),
    auth: mode === 'none' ? { kind: 'none' } : { kind: 'applicationDefault' },
    retry: { ...DEFAULT_CLOUD_TASKS_RETRY },
  };
}
