/**
 * The request one attempt sends: the task's own headers, the `X-CloudTasks-*` headers and an OIDC bearer
 * token. The token is a placeholder (unsigned JWT) that names the service account and the audience: locally
 * nothing verifies it, and a test can read who it claims to be.
 */
import { parseQueueName } from '../../shared/tasks/names.js';
import type { TaskRecord } from './state.js';
import type { OidcToken } from './task-request.js';

export interface AttemptInfo {
  /** Earlier attempts of this task. */
  readonly retryCount: number;
  /** Earlier attempts the handler answered with something other than 5xx. */
  readonly executionCount: number;
  /** Status of the previous answered attempt. */
  readonly previousResponse: number | undefined;
  /** When this attempt was due (epoch ms). */
  readonly eta: number;
}

const TOKEN_LIFETIME_S = 3600;

export function dispatchHeaders(task: TaskRecord, attempt: AttemptInfo, now: Date): Record<string, string> {
  const headers: Record<string, string> = { ...task.httpRequest.headers };
  if (task.httpRequest.body !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/octet-stream';
  }
  headers['User-Agent'] = 'Google-Cloud-Tasks';
  headers['X-CloudTasks-QueueName'] = parseQueueName(task.queue)?.queue ?? task.queue;
  headers['X-CloudTasks-TaskName'] = task.taskId;
  headers['X-CloudTasks-TaskRetryCount'] = String(attempt.retryCount);
  headers['X-CloudTasks-TaskExecutionCount'] = String(attempt.executionCount);
  headers['X-CloudTasks-TaskETA'] = (attempt.eta / 1000).toFixed(6);
  if (attempt.previousResponse !== undefined) {
    headers['X-CloudTasks-TaskPreviousResponse'] = String(attempt.previousResponse);
  }
  const oidc = task.httpRequest.oidcToken;
  if (oidc) headers.Authorization = `Bearer ${placeholderOidcToken(oidc, now)}`;
  return headers;
}

export interface PlaceholderClaims {
  readonly iss: string;
  readonly aud: string;
  readonly email: string;
  readonly email_verified: true;
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
}

/** A JWT-shaped token with `alg: none`: Google's OIDC claims for `token`, and no signature. */
export function placeholderOidcToken(token: OidcToken, now: Date): string {
  const iat = Math.floor(now.getTime() / 1000);
  const claims: PlaceholderClaims = {
    iss: 'https://accounts.google.com',
    aud: token.audience,
    email: token.serviceAccountEmail,
    email_verified: true,
    sub: token.serviceAccountEmail,
    iat,
    exp: iat + TOKEN_LIFETIME_S,
  };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
}

/** The claims of a placeholder token from an `Authorization` header; undefined when it is not one. */
export function readPlaceholderOidcToken(authorization: string | undefined): PlaceholderClaims | undefined {
  const payload = /^Bearer [\w-]+\.([\w-]+)\.$/.exec(authorization ?? '')?.[1];
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as Partial<PlaceholderClaims>;
    return typeof claims.email === 'string' && typeof claims.aud === 'string'
      ? (claims as PlaceholderClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
