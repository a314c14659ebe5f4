/**
 * Base URLs of Google APIs read from the environment, and the rule every client shares: a Google token is only
 * ever sent to a Google host, and "no token" is only allowed towards a fake on this machine.
 */
import { ConfigError, optionalString, type Env } from './env.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

function isGoogleApiHost(url: URL): boolean {
  return url.protocol === 'https:' && /(^|\.)googleapis\.com$/.test(url.hostname);
}

/** `variable` (or `fallback`) as an http(s) base URL without credentials, query or fragment. */
export function parseBaseUrl(env: Env, variable: string, fallback: string): URL {
  const raw = optionalString(env, variable) ?? fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, `must be an absolute http(s) URL, got "${raw}".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(variable, `must use https (or http on loopback), got "${url.protocol}".`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(variable, 'must be a base URL without credentials, query or fragment.');
  }
  return url;
}

export interface EndpointAuthRule {
  /** The variable that may say `none`, e.g. RBM_AUTH. */
  readonly authVariable: string;
  /** The variable the endpoint came from, e.g. RBM_API_ENDPOINT. */
  readonly endpointVariable: string;
  readonly endpoint: URL;
  /** What a loopback endpoint stands for, e.g. "a local fake RBM server". */
  readonly fake: string;
}

/**
 * `none` (send no token) is allowed only towards a loopback `http://` endpoint; `google` (the default) only
 * towards an `https://…googleapis.com` one. Anything else refuses to start, naming the variable.
 */
export function endpointAuthMode(env: Env, rule: EndpointAuthRule): 'none' | 'google' {
  const { authVariable, endpointVariable, endpoint } = rule;
  const mode = optionalString(env, authVariable);
  if (mode === 'none') {
    if (endpoint.protocol !== 'http:' || !isLoopback(endpoint.hostname)) {
      throw new ConfigError(
        authVariable,
        `=none is allowed only with a loopback http:// ${endpointVariable} (${rule.fake}); the endpoint is ${endpoint.origin}.`,
      );
    }
    return 'none';
  }
  if (mode !== undefined && mode !== 'google') {
    throw new ConfigError(authVariable, `must be "google" (the default) or "none", got "${mode}".`);
  }
  if (!isGoogleApiHost(endpoint)) {
    throw new ConfigError(
      endpointVariable,
      `is ${endpoint.origin}, not an https://…googleapis.com host: refusing to send a Google OAuth token there (set ${authVariable}=none for a loopback fake).`,
    );
  }
  return 'google';
}
