/**
 * Where the running local stack is, from the environment `npm start` prints (`export RBM_SEND_URL=…` etc.),
 * with an error that says what to do when something is missing.
 */
export const STACK_VARIABLES = {
  RBM_API_URL: 'the gateway’s URL: every route of docs/openapi.yaml on one port',
  RBM_API_KEY: 'the gateway’s API key',
  RBM_SEND_URL: 'the send function’s URL',
  RBM_REVOKE_URL: 'the revoke function’s URL',
  RBM_MESSAGES_URL: 'the messages function’s URL',
  RBM_EVENTS_URL: 'the events function’s URL',
  RBM_CAPABILITIES_URL: 'the capabilities function’s URL',
  RBM_FILES_URL: 'the files function’s URL',
  RBM_CAMPAIGNS_URL: 'the campaigns function’s URL',
  RBM_SANDBOX_URL: 'the RBM sandbox’s URL',
  FIRESTORE_EMULATOR_HOST: 'the Firestore emulator (host:port)',
  PUBSUB_EMULATOR_HOST: 'the Pub/Sub emulator (host:port)',
  GOOGLE_CLOUD_PROJECT: 'the project id',
} as const;

export type StackVariable = keyof typeof STACK_VARIABLES;

export class MissingStackEnvError extends Error {
  override readonly name = 'MissingStackEnvError';
}

/** The values of `names`, or an error listing every one that is unset. */
export function stackEnv<const N extends StackVariable>(
  names: readonly N[],
  env: NodeJS.ProcessEnv = process.env,
): Record<N, string> {
  const missing = names.filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new MissingStackEnvError(
      [
        `not set: ${missing.map((name) => `${name} (${STACK_VARIABLES[name]})`).join(', ')}.`,
        'Start the stack with `npm start` in another shell and paste the `export …` lines it prints.',
      ].join('\n'),
    );
  }
  return Object.fromEntries(names.map((name) => [name, env[name] as string])) as Record<N, string>;
}

/** The base URL of a function's routes: the gateway's (RBM_API_URL) when it is set, else the function's own. */
export function routesUrl(variable: StackVariable, env: NodeJS.ProcessEnv = process.env): string {
  return env.RBM_API_URL || stackEnv([variable], env)[variable];
}

/** The gateway and its key, when the environment names both. */
export interface GatewayCredentials {
  readonly url: string;
  readonly apiKey: string;
}

export function gatewayCredentials(env: NodeJS.ProcessEnv = process.env): GatewayCredentials | undefined {
  return env.RBM_API_URL && env.RBM_API_KEY ? { url: env.RBM_API_URL, apiKey: env.RBM_API_KEY } : undefined;
}

export { maskPhone } from '../../shared/phone.js';
