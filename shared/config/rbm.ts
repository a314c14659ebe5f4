/**
 * RBM API client configuration: endpoint, credentials and retry budget, with the rule that a Google
 * token is only ever sent to a Google host.
 */
import { endpointAuthMode, parseBaseUrl } from './endpoint.js';
import { ConfigError, agentId, optionalString, positiveInteger, type Env } from './env.js';

export const DEFAULT_RBM_ENDPOINT = 'https://rcsbusinessmessaging.googleapis.com';
export const RBM_SCOPE = 'https://www.googleapis.com/auth/rcsbusinessmessaging';

export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  project_id?: string;
}

export type RbmAuthConfig =
  { kind: 'none' } | { kind: 'serviceAccountKey'; key: ServiceAccountKey } | { kind: 'applicationDefault' };

export interface RetryPolicy {
  /** Total time the client may spend on one call, including waits. */
  deadlineMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Time limit of one HTTP attempt. */
  attemptTimeoutMs: number;
}

export interface RbmConfig {
  endpoint: string;
  agentId: string;
  auth: RbmAuthConfig;
  retry: RetryPolicy;
}

function parseServiceAccountKey(raw: string): ServiceAccountKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'RBM_SERVICE_ACCOUNT_KEY',
      'is not valid JSON (expected a service-account key file).',
    );
  }
  const key = parsed as Partial<Record<keyof ServiceAccountKey, unknown>> | null;
  if (typeof key?.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw new ConfigError(
      'RBM_SERVICE_ACCOUNT_KEY',
      'must be a service-account key with client_email and private_key.',
    );
  }
  return {
    client_email: key.client_email,
    private_key: key.private_key,
    ...(typeof key.project_id === 'string' ? { project_id: key.project_id } : {}),
  };
}

function parseAuth(env: Env, endpoint: URL): RbmAuthConfig {
  const mode = endpointAuthMode(env, {
    authVariable: 'RBM_AUTH',
    endpointVariable: 'RBM_API_ENDPOINT',
    endpoint,
    fake: 'a local fake RBM server',
  });
  if (mode === 'none') return { kind: 'none' };
  const key = optionalString(env, 'RBM_SERVICE_ACCOUNT_KEY');
  return key === undefined
    ? { kind: 'applicationDefault' }
    : { kind: 'serviceAccountKey', key: parseServiceAccountKey(key) };
}

export function loadRbmConfig(env: Env): RbmConfig {
  const endpoint = parseBaseUrl(env, 'RBM_API_ENDPOINT', DEFAULT_RBM_ENDPOINT);
  return {
    endpoint: endpoint.href.replace(/\/+$/, ''),
    agentId: agentId(env),
    auth: parseAuth(env, endpoint),
    retry: {
      deadlineMs: positiveInteger(env, 'RBM_RETRY_DEADLINE_MS', 20_000),
      initialBackoffMs: positiveInteger(env, 'RBM_RETRY_INITIAL_BACKOFF_MS', 250),
      maxBackoffMs: positiveInteger(env, 'RBM_RETRY_MAX_BACKOFF_MS', 8_000),
      attemptTimeoutMs: positiveInteger(env, 'RBM_REQUEST_TIMEOUT_MS', 10_000),
    },
  };
}
