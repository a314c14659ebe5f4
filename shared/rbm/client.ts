/**
 * The RBM REST client: agent messages (create, delete), agent events, capabilities, users:batchGet and files
 * (URL mode), each with bounded retries. It never throws for an HTTP outcome; every call resolves to what
 * happened, so callers map outcomes to state without guessing.
 */
import type { AgentMessage } from '../agent-message/types.js';
import type { RbmConfig } from '../config/rbm.js';
import { parseErrorBody, statusForHttpCode } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { accessTokenSource, type AccessTokenSource } from '../http/access-tokens.js';
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs } from '../http/backoff.js';
import { defaultSleep } from '../http/retrying-call.js';

export interface RbmError {
  code: number;
  status: string;
  message: string;
  details?: unknown[];
}

export type RbmOutcome =
  /** 2xx: `body` is RBM's JSON answer. */
  | { kind: 'ok'; status: number; body: Record<string, unknown>; attempts: number }
  /** A final answer other than success (4xx except 408/429): do not retry unchanged. */
  | { kind: 'rejected'; status: number; error: RbmError; attempts: number }
  /** 408, 429, 5xx, timeouts or network errors until the retry budget ran out. */
  | { kind: 'unavailable'; error: RbmError; attempts: number };

/** RBM's AgentEvent body: READ of a user's message (its id), or the typing indicator. */
export type RbmAgentEvent = { eventType: 'READ'; messageId: string } | { eventType: 'IS_TYPING' };

export interface AgentEventCallOptions {
  /** Spend at most this long on the call, retries included, when less than the configured budget (a typing
   * indicator is worthless once late). */
  maxRetryMs?: number;
}

export interface RbmClientDeps {
  fetch?: typeof fetch;
  tokens?: AccessTokenSource;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  logger: Logger;
}

type AttemptResult =
  | { kind: 'response'; status: number; body: unknown; retryAfterMs: number | undefined }
  | { kind: 'network'; error: RbmError };

export class RbmClient {
  private readonly fetch: typeof fetch;
  private readonly tokens: AccessTokenSource;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(
    private readonly config: RbmConfig,
    deps: RbmClientDeps,
  ) {
    this.fetch = deps.fetch ?? fetch;
    this.tokens = deps.tokens ?? accessTokenSource(config.auth);
    this.sleep = deps.sleep ?? defaultSleep;
    this.random = deps.random ?? Math.random;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger;
  }

  get agentId(): string {
    return this.config.agentId;
  }

  /** phones.agentMessages.create; RBM ignores a message id it has already seen, so retries are safe. */
  createAgentMessage(phoneNumber: string, messageId: string, message: AgentMessage): Promise<RbmOutcome> {
    const query = new URLSearchParams({ messageId, agentId: this.config.agentId });
    return this.call('POST', `/v1/phones/${phoneNumber}/agentMessages?${query}`, message, { messageId });
  }

  /** phones.agentMessages.delete: 200 revoked, 404 already delivered (or unknown). */
  deleteAgentMessage(phoneNumber: string, messageId: string): Promise<RbmOutcome> {
    const query = new URLSearchParams({ agentId: this.config.agentId });
    const path = `/v1/phones/${phoneNumber}/agentMessages/${encodeURIComponent(messageId)}?${query}`;
    return this.call('DELETE', path, undefined, { messageId });
  }

  /** phones.agentEvents.create; event ids share the message ids' namespace, so a repeat is ignored by RBM. */
  sendAgentEvent(
    phoneNumber: string,
    eventId: string,
    event: RbmAgentEvent,
    options: AgentEventCallOptions = {},
  ): Promise<RbmOutcome> {
    const query = new URLSearchParams({ eventId, agentId: this.config.agentId });
    const path = `/v1/phones/${phoneNumber}/agentEvents?${query}`;
    return this.call('POST', path, event, { eventId, eventType: event.eventType }, options.maxRetryMs);
  }

  /** phones.getCapabilities: 200 `{features}`, 404 not reachable over RBM. RBM ignores a reused request id. */
  getCapabilities(phoneNumber: string, requestId: string): Promise<RbmOutcome> {
    const query = new URLSearchParams({ requestId, agentId: this.config.agentId });
    return this.call('GET', `/v1/phones/${phoneNumber}/capabilities?${query}`, undefined, { requestId });
  }

  /** users.batchGet: which of the numbers are reachable (the agent id goes in the body). */
  batchGetUsers(phoneNumbers: readonly string[]): Promise<RbmOutcome> {
    const body = { users: [...phoneNumbers], agentId: this.config.agentId };
    return this.call('POST', '/v1/users:batchGet', body, { userCount: phoneNumbers.length });
  }

  /** files.create in URL mode (the agent id goes in the body): 200 `{name: "files/…"}`. */
  createFileFromUrl(fileUrl: string, thumbnailUrl?: string): Promise<RbmOutcome> {
    const body = {
      fileUrl,
      ...(thumbnailUrl === undefined ? {} : { thumbnailUrl }),
      agentId: this.config.agentId,
    };
    return this.call('POST', '/v1/files', body, { withThumbnail: thumbnailUrl !== undefined });
  }

  private async call(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: unknown,
    logFields: Record<string, unknown>,
    maxRetryMs?: number,
  ): Promise<RbmOutcome> {
    const started = this.now();
    const { retry } = this.config;
    const deadlineMs = Math.min(retry.deadlineMs, maxRetryMs ?? Number.POSITIVE_INFINITY);
    for (let attempt = 1; ; attempt++) {
      const remaining = deadlineMs - (this.now() - started);
      const result = await this.attempt(
        method,
        path,
        body,
        Math.max(1, Math.min(retry.attemptTimeoutMs, remaining)),
      );
      if (result.kind === 'response' && !isRetryableStatus(result.status)) {
        if (result.status >= 200 && result.status < 300) {
          return { kind: 'ok', status: result.status, body: asObject(result.body), attempts: attempt };
        }
        return {
          kind: 'rejected',
          status: result.status,
          error: toRbmError(result.status, result.body),
          attempts: attempt,
        };
      }
      const error = result.kind === 'network' ? result.error : toRbmError(result.status, result.body);
      const delay = retryDelayMs(
        attempt,
        result.kind === 'response' ? result.retryAfterMs : undefined,
        retry,
        this.random,
      );
      const elapsed = this.now() - started;
      if (elapsed + delay >= deadlineMs) {
        this.logger.warn('RBM call failed; retry budget exhausted', {
          ...logFields,
          method,
          attempt,
          rbmStatus: error.code,
          elapsedMs: elapsed,
        });
        return { kind: 'unavailable', error, attempts: attempt };
      }
      this.logger.warn('RBM call failed; retrying', {
        ...logFields,
        method,
        attempt,
        rbmStatus: error.code,
        delayMs: delay,
      });
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
      return {
        kind: 'network',
        error: { code: 503, status: 'UNAVAILABLE', message: `RBM credentials: ${describe(error)}` },
      };
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
        body: parseJson(text),
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
              message: `RBM API did not answer within ${timeoutMs} ms.`,
            }
          : { code: 503, status: 'UNAVAILABLE', message: `RBM API unreachable: ${describe(error)}` },
      };
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function toRbmError(status: number, body: unknown): RbmError {
  const parsed = parseErrorBody(body);
  if (parsed) return { ...parsed, code: parsed.code || status };
  return { code: status, status: statusForHttpCode(status), message: `RBM API answered HTTP ${status}.` };
}
