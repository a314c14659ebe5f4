/**
 * Calls the running send and revoke functions over HTTP (their RBM-compatible paths, docs/http-api.md), with the
 * one call helper the other function clients share.
 */
import { gatewayCredentials, type GatewayCredentials } from './stack-env.js';

export interface FunctionAnswer {
  readonly status: number;
  /** Parsed JSON body, or undefined when it is not JSON. */
  readonly json: unknown;
  readonly text: string;
  readonly replayed: boolean;
  /** Response headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
}

export type FallbackPolicy = 'none' | 'safe' | 'critical';

export interface SendRequest {
  readonly sendUrl: string;
  readonly phone: string;
  /** The AgentMessage, e.g. `{contentMessage: {text: 'hi'}}`. */
  readonly agentMessage: unknown;
  readonly messageId?: string;
  readonly idempotencyKey?: string;
  /** The `Fallback-Policy` header: which fallback decisions are published for the message. */
  readonly fallbackPolicy?: FallbackPolicy;
  /** The `Correlation-Id` header, echoed in the message's status and fallback events. */
  readonly correlationId?: string;
}

/**
 * One HTTP call to a function; a connection failure says which stack is not answering. A call to the gateway
 * carries its API key (`x-api-key`), and a call anywhere else never does.
 */
export async function callFunction(
  url: string,
  init: RequestInit,
  gateway: GatewayCredentials | undefined = gatewayCredentials(),
): Promise<FunctionAnswer> {
  const headers = new Headers(init.headers);
  if (gateway && new URL(url).origin === new URL(gateway.url).origin && !headers.has('x-api-key')) {
    headers.set('x-api-key', gateway.apiKey);
  }
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`could not reach ${new URL(url).origin} (${cause}); is the stack running?`, {
      cause: error,
    });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: response.status,
    json,
    text,
    replayed: response.headers.get('idempotent-replayed') === 'true',
    headers: Object.fromEntries(response.headers.entries()),
  };
}

export function sendAgentMessage(request: SendRequest): Promise<FunctionAnswer> {
  const query = request.messageId === undefined ? '' : `?messageId=${encodeURIComponent(request.messageId)}`;
  const url = `${request.sendUrl}/v1/phones/${encodeURIComponent(request.phone)}/agentMessages${query}`;
  return callFunction(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(request.idempotencyKey === undefined ? {} : { 'Idempotency-Key': request.idempotencyKey }),
      ...(request.fallbackPolicy === undefined ? {} : { 'Fallback-Policy': request.fallbackPolicy }),
      ...(request.correlationId === undefined ? {} : { 'Correlation-Id': request.correlationId }),
    },
    body: JSON.stringify(request.agentMessage),
  });
}

export function revokeAgentMessage(
  revokeUrl: string,
  phone: string,
  messageId: string,
): Promise<FunctionAnswer> {
  const url = `${revokeUrl}/v1/phones/${encodeURIComponent(phone)}/agentMessages/${encodeURIComponent(messageId)}`;
  return callFunction(url, { method: 'DELETE' });
}

/** The `reason` of the answer's `google.rpc.ErrorInfo` detail, e.g. `RECIPIENT_UNSUBSCRIBED`. */
export function errorReasonOf(answer: FunctionAnswer): string | undefined {
  const details = (answer.json as { error?: { details?: unknown } } | undefined)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as unknown[]) {
    const reason = (detail as { reason?: unknown } | null)?.reason;
    if (typeof reason === 'string') return reason;
  }
  return undefined;
}

/** The message id of a send answer (`name: phones/{phone}/agentMessages/{id}`). */
export function messageIdOf(answer: FunctionAnswer): string | undefined {
  const name = (answer.json as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name.split('/').pop() : undefined;
}
