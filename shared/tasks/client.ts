/**
 * The Cloud Tasks REST client (API v2: tasks.create and tasks.delete), with bounded retries.
 *
 * Plain `fetch` with a google-auth-library token rather than `@google-cloud/tasks`: the two calls need no gRPC
 * stack in the bundle, the token source, backoff and loopback rule are the RBM client's, and a REST base URL
 * points at the project's fake Cloud Tasks as simply as at Google's. Like the RBM client it never throws for an
 * HTTP outcome: each call resolves to what happened.
 */
import { isJsonObject } from '../json-values.js';
import { parseErrorBody, statusForHttpCode, type ErrorBody } from '../errors.js';
import { describeFetchError, parseResponseJson } from '../http/outbound-call.js';
import type { Logger } from '../log/logger.js';
import { accessTokenSource, type AccessTokenSource } from '../rbm/auth.js';
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs } from '../rbm/backoff.js';
import { CLOUD_TASKS_SCOPE, type CloudTasksConfig } from './config.js';

export type GoogleApiError = ErrorBody['error'];

/** What a task is asked to do: one OIDC-authenticated JSON POST. */
export interface TaskSpec {
  /** Full task name (see taskNameFor). A name in use, or used within about an hour, is never created twice. */
  name: string;
  /** When to dispatch; absent or past: as soon as the queue allows. */
  scheduleTime?: Date;
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
  /** A final answer other than the expected ones (4xx except 429): do not retry unchanged. */
  | { kind: 'rejected'; status: number; error: GoogleApiError; attempts: number }
  /** 429, 5xx, timeouts or network errors until the retry budget ran out. */
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

type FinalAnswer = { kind: 'answer'; status: number; body: unknown; attempts: number };

type AttemptResult =
  | { kind: 'response'; status: number; body: unknown; retryAfterMs: number | undefined }
  | { kind: 'network'; error: GoogleApiError };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class CloudTasksClient {
  private readonly fetch: typeof fetch;
  private readonly tokens: AccessTokenSource;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(
    private readonly config: CloudTasksConfig,
    deps: CloudTasksClientDeps,
  ) {
    this.fetch = deps.fetch ?? fetch;
    this.tokens = deps.tokens ?? accessTokenSource(config.auth, CLOUD_TASKS_SCOPE, 'the Cloud Tasks API');
    this.sleep = deps.sleep ?? defaultSleep;
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger;
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

  /** Attempts until a final (non-retryable) answer, or `unavailable` once the retry budget is spent. */
  private async call(
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown,
    taskName: string,
  ): Promise<FinalAnswer | Extract<Failure, { kind: 'unavailable' }>> {
    const started = this.now();
    const { retry } = this.config;
    for (let attempt = 1; ; attempt++) {
      const remaining = retry.deadlineMs - (this.now() - started);
      const timeoutMs = Math.max(1, Math.min(retry.attemptTimeoutMs, remaining));
      const result = await this.attempt(method, path, body, timeoutMs);
      if (result.kind === 'response' && !isRetryableStatus(result.status)) {
        return { kind: 'answer', status: result.status, body: result.body, attempts: attempt };
      }
      const error = result.kind === 'network' ? result.error : toApiError(result.status, result.body);
      const retryAfterMs = result.kind === 'response' ? result.retryAfterMs : undefined;
      const delay = retryDelayMs(attempt, retryAfterMs, retry, this.random);
      const elapsed = this.now() - started;
      const fields = { taskName, method, attempt, cloudTasksStatus: error.code };
      if (elapsed + delay >= retry.deadlineMs) {
        this.logger.warn('Cloud Tasks call failed; retry budget exhausted', {
          ...fields,
          elapsedMs: elapsed,
        });
        return { kind: 'unavailable', error, attempts: attempt };
      }
      this.logger.warn('Cloud Tasks call failed; retrying', { ...fields, delayMs: delay });
      await this.sleep(delay);
    }
  }

  private async attempt(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<AttemptResult> {
    let token: string | undefined;
    try {
      token = await this.tokens();
    } catch (error) {
      return { kind: 'network', error: unavailable(`Cloud Tasks credentials: ${describeFetchError(error)}`) };
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    try {
      const response = await this.fetch(`${this.config.endpoint}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      return {
        kind: 'response',
        status: response.status,
        body: parseResponseJson(text),
        retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after'), new Date(this.now())),
      };
    } catch (error) {
      const timedOut =
        error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      return {
        kind: 'network',
        error: timedOut
          ? {
              code: 504,
              status: 'DEADLINE_EXCEEDED',
              message: `Cloud Tasks did not answer within ${timeoutMs} ms.`,
            }
          : unavailable(`Cloud Tasks unreachable: ${describeFetchError(error)}`),
      };
    }
  }
}

function rejected({ status, body, attempts }: FinalAnswer): Failure {
  return { kind: 'rejected', status, error: toApiError(status, body), attempts };
}

function unavailable(message: string): GoogleApiError {
  return { code: 503, status: 'UNAVAILABLE', message };
}

function toApiError(status: number, body: unknown): GoogleApiError {
  const parsed = parseErrorBody(body);
  if (parsed) return { ...parsed, code: parsed.code || status };
  return { code: status, status: statusForHttpCode(status), message: `Cloud Tasks answered HTTP ${status}.` };
}
