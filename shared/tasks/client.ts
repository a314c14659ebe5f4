/**
 * The Cloud Tasks REST client (API v2: tasks.create and tasks.delete), with bounded retries.
 *
 * Plain `fetch` with a google-auth-library token rather than `@google-cloud/tasks`: the two calls need no gRPC
 * stack in the bundle, the token source, backoff and loopback rule are the RBM client's, and a REST base URL
 * points at the project's fake Cloud Tasks as simply as at Google's. Like the RBM client it never throws for an
 * HTTP outcome: each call resolves to what happened.
 */
import {
  callWithRetries,
  defaultSleep,
  toApiError,
  type CallResult,
  type GoogleApiError,
  type RetryingCallDeps,
} from '../http/retrying-call.js';
import { isJsonObject } from '../json-values.js';
import type { Logger } from '../log/logger.js';
import { accessTokenSource, type AccessTokenSource } from '../http/access-tokens.js';
import { CLOUD_TASKS_SCOPE, type CloudTasksConfig } from './config.js';

export type { GoogleApiError };

/** What a task is asked to do: one OIDC-authenticated JSON POST. */
export interface TaskSpec {
  /** Full task name (see taskNameFor). A name in use, or used within about an hour, is never created twice. */
  name: string;
  /** When to dispatch; absent or past: as soon as the queue allows. */
  scheduleTime?: Date;
  /** How long one attempt may take before Cloud Tasks counts it failed and retries (15 s to 30 min). */
  dispatchDeadlineSeconds?: number;
  /** Where the task POSTs. */
  url: string;
  /** The dispatch request's JSON body. */
  body: unknown;
  /** The service account whose OIDC token the dispatch carries, and the token's audience. */
  serviceAccountEmail: string;
  audience: string;
}

/** The fields of a Cloud Tasks `Task` this product reads. */
export interface CloudTask extends Record<string, unknown> {
  name?: string;
  scheduleTime?: string;
  createTime?: string;
}

type Failure =
  /** A final answer other than the expected ones (4xx except 408 and 429): do not retry unchanged. */
  | { kind: 'rejected'; status: number; error: GoogleApiError; attempts: number }
  /** 408, 429, 5xx, timeouts or network errors until the retry budget ran out. */
  | { kind: 'unavailable'; error: GoogleApiError; attempts: number };

export type CreateTaskOutcome =
  | { kind: 'created'; task: CloudTask; attempts: number }
  /** 409: the task exists or ran recently (possibly created by an earlier attempt whose answer was lost). Done. */
  | { kind: 'alreadyExists'; attempts: number }
  | Failure;

export type DeleteTaskOutcome =
  | { kind: 'deleted'; attempts: number }
  /** 404: the task ran already, was deleted, or never existed. */
  | { kind: 'notFound'; attempts: number }
  | Failure;

export interface CloudTasksClientDeps {
  fetch?: typeof fetch;
  tokens?: AccessTokenSource;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  logger: Logger;
}

const API = 'Cloud Tasks';

export class CloudTasksClient {
  private readonly deps: RetryingCallDeps;

  constructor(
    private readonly config: CloudTasksConfig,
    deps: CloudTasksClientDeps,
  ) {
    this.deps = {
      fetch: deps.fetch ?? fetch,
      tokens: deps.tokens ?? accessTokenSource(config.auth, CLOUD_TASKS_SCOPE, 'the Cloud Tasks API'),
      sleep: deps.sleep ?? defaultSleep,
      random: deps.random ?? Math.random,
      now: deps.now ?? Date.now,
      logger: deps.logger,
    };
  }

  /** The full queue name tasks are created in. */
  get queue(): string {
    return this.config.queue;
  }

  /** tasks.create in the configured queue. Retrying is safe: the task name makes every attempt the same task. */
  async createTask(spec: TaskSpec): Promise<CreateTaskOutcome> {
    const request = {
      task: {
        name: spec.name,
        ...(spec.scheduleTime ? { scheduleTime: spec.scheduleTime.toISOString() } : {}),
        ...(spec.dispatchDeadlineSeconds === undefined
          ? {}
          : { dispatchDeadline: `${spec.dispatchDeadlineSeconds}s` }),
        httpRequest: {
          url: spec.url,
          httpMethod: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: Buffer.from(JSON.stringify(spec.body), 'utf8').toString('base64'),
          oidcToken: { serviceAccountEmail: spec.serviceAccountEmail, audience: spec.audience },
        },
      },
    };
    const result = await this.call('POST', `/v2/${this.config.queue}/tasks`, request, spec.name);
    if (result.kind !== 'answer') return result;
    const { status, body, attempts } = result;
    if (status >= 200 && status < 300) {
      return { kind: 'created', task: isJsonObject(body) ? body : {}, attempts };
    }
    if (status === 409) return { kind: 'alreadyExists', attempts };
    return rejected(result);
  }

  /** tasks.delete: a task that has not run yet never runs. */
  async deleteTask(name: string): Promise<DeleteTaskOutcome> {
    const result = await this.call('DELETE', `/v2/${name}`, undefined, name);
    if (result.kind !== 'answer') return result;
    if (result.status >= 200 && result.status < 300) return { kind: 'deleted', attempts: result.attempts };
    if (result.status === 404) return { kind: 'notFound', attempts: result.attempts };
    return rejected(result);
  }

  private call(
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown,
    taskName: string,
  ): Promise<CallResult> {
    const url = `${this.config.endpoint}${path}`;
    return callWithRetries(API, this.config.retry, this.deps, { method, url, body, logFields: { taskName } });
  }
}

function rejected({ status, body, attempts }: Extract<CallResult, { kind: 'answer' }>): Failure {
  return { kind: 'rejected', status, error: toApiError(API, status, body), attempts };
}
