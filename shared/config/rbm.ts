/**
 * RBM API client configuration: endpoint, credentials and retry budget, with the rule that a Google
 * token is only ever sent to a Google host.
 */
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

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function isGoogleApiHost(url: URL): boolean {
  return url.protocol === 'https:' && /(^|\.)googleapis\.com$/.test(url.hostname);
}

function parseEndpoint(env: Env): URL {
  const raw = optionalString(env, 'RBM_API_ENDPOINT') ?? DEFAULT_RBM_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('RBM_API_ENDPOINT', `must be an absolute http(s) URL, got "${raw}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('RBM_API_ENDPOINT', `must use https (or http on loopback), got "${url.protocol}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError('RBM_API_ENDPOINT', 'must be a base URL without credentials, query or fragment.');
  }
  return url;
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
  const mode = optionalString(env, 'RBM_AUTH');
  if (mode === 'none') {
    if (endpoint.protocol !== 'http:' || !isLoopback(endpoint.hostname)) {
      throw new ConfigError(
        'RBM_AUTH',
        `=none is allowed only with a loopback http:// RBM_API_ENDPOINT (a local fake RBM server); the endpoint is ${endpoint.origin}.`,
      );
    }
    return { kind: 'none' };
  }
  if (mode !== undefined && mode !== 'google') {
    throw new ConfigError('RBM_AUTH', `must be "google" (the default) or "none", got "${mode}".`);
  }
  if (!isGoogleApiHost(endpoint)) {
    throw new ConfigError(
      'RBM_API_ENDPOINT',
      `is ${endpoint.origin}, not an https://…googleapis.com host: refusing to send a Google OAuth token there (set RBM_AUTH=none for a loopback fake).`,
    );
  }
  const key = optionalString(env, 'RBM_SERVICE_ACCOUNT_KEY');
  return key === undefined
    ? { kind: 'applicationDefault' }
    : { kind: 'serviceAccountKey', key: parseServiceAccountKey(key) };
}

export function loadRbmConfig(env: Env): RbmConfig {
  const endpoint = parseEndpoint(env);
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
