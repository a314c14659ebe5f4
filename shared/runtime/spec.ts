/**
 * What a function is, as data: its name, trigger, the environment it reads and its routes. A spec imports
 * nothing that runs, so the build, the local stack and the Terraform tests can read every spec without
 * starting a function. See docs/development.md.
 */

/** An HTTP route. Path segments in braces match one segment (`{phoneNumber}`); a trailing `:verb` is literal. */
export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  /** One line for the docs and the OpenAPI document. */
  readonly summary: string;
}

interface CommonSpec<N extends string> {
  readonly name: N;
  /** One line: what the function is for. */
  readonly description: string;
  /** Every environment variable the function reads (secrets included). The runtime hides all others. */
  readonly env: readonly string[];
  /** The subset of `env` that Terraform fills from Secret Manager. */
  readonly secrets: readonly string[];
  /** Whether the request path carries a phone number (its platform request logs are excluded, docs/operations.md). */
  readonly pathCarriesPhoneNumbers: boolean;
}

export interface HttpFunctionSpec<
  R extends string = string,
  N extends string = string,
> extends CommonSpec<N> {
  readonly trigger: 'http';
  readonly routes: Readonly<Record<R, RouteSpec>>;
  /** Largest accepted request body, raw or inflated. */
  readonly maxBodyBytes: number;
}

export interface CloudEventFunctionSpec<N extends string = string> extends CommonSpec<N> {
  readonly trigger: 'cloudEvent';
}

export type FunctionSpec = HttpFunctionSpec | CloudEventFunctionSpec;

export const ONE_MIB = 1024 * 1024;

/** The environment every function reads: the project and the emulator switches. */
export const PLATFORM_ENV = [
  'GOOGLE_CLOUD_PROJECT',
  'FIRESTORE_EMULATOR_HOST',
  'PUBSUB_EMULATOR_HOST',
] as const;

/** The environment of every function that calls RBM (the key is a secret). */
export const RBM_CLIENT_ENV = [
  'RBM_AGENT_ID',
  'RBM_API_ENDPOINT',
  'RBM_SERVICE_ACCOUNT_KEY',
  'RBM_AUTH',
  'RBM_RETRY_DEADLINE_MS',
  'RBM_RETRY_INITIAL_BACKOFF_MS',
  'RBM_RETRY_MAX_BACKOFF_MS',
  'RBM_REQUEST_TIMEOUT_MS',
] as const;

export const RBM_CLIENT_SECRETS = ['RBM_SERVICE_ACCOUNT_KEY'] as const;

export function httpFunction<R extends string, N extends string>(
  spec: Omit<HttpFunctionSpec<R, N>, 'trigger' | 'maxBodyBytes' | 'secrets'> &
    Partial<Pick<HttpFunctionSpec<R, N>, 'maxBodyBytes' | 'secrets'>>,
): HttpFunctionSpec<R, N> {
  return { trigger: 'http', maxBodyBytes: ONE_MIB, secrets: [], ...spec };
}

export function cloudEventFunction<N extends string>(
  spec: Omit<CloudEventFunctionSpec<N>, 'trigger' | 'secrets'> &
    Partial<Pick<CloudEventFunctionSpec<N>, 'secrets'>>,
): CloudEventFunctionSpec<N> {
  return { trigger: 'cloudEvent', secrets: [], ...spec };
}
