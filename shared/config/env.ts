/** Reading environment variables with errors that name the variable (and never echo a secret value). */
import { bareAgentId, isAgentId } from '../agent-id.js';

export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function requiredString(env: Env, name: string): string {
  const value = optionalString(env, name);
  if (value === undefined) throw new ConfigError(name, 'is required but not set.');
  return value;
}

export function positiveInteger(env: Env, name: string, fallback: number): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(name, `must be a positive whole number, got "${raw}".`);
  }
  return value;
}

/** A whole number of at least 0: for durations where 0 is meaningful (no grace, no caching). */
export function nonNegativeInteger(env: Env, name: string, fallback: number): number {
  const raw = optionalString(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(name, `must be a whole number of 0 or more, got "${raw}".`);
  }
  return value;
}

/** The agent id without `@rbm.goog`; the suffixed form is accepted and normalised. */
export function agentId(env: Env, name = 'RBM_AGENT_ID'): string {
  const raw = requiredString(env, name);
  const id = bareAgentId(raw);
  if (!isAgentId(id)) {
    throw new ConfigError(
      name,
      `must be an RBM agent id such as "my-agent" (letters, digits, ".", "_", "-").`,
    );
  }
  return id;
}

const TOPIC_ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;

export function topicId(env: Env, name: string, fallback: string): string {
  const value = optionalString(env, name) ?? fallback;
  if (!TOPIC_ID.test(value) || value.startsWith('goog')) {
    throw new ConfigError(name, `must be a Pub/Sub topic id (3–255 characters, starting with a letter).`);
  }
  return value;
}
