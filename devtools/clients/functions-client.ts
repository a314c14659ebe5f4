/** Calls the running send and revoke functions over HTTP (their RBM-compatible paths, docs/http-api.md). */

export interface FunctionAnswer {
  readonly status: number;
  /** Parsed JSON body, or undefined when it is not JSON. */
  readonly json: unknown;
  readonly text: string;
  readonly replayed: boolean;
}

export interface SendRequest {
  readonly sendUrl: string;
  readonly phone: string;
  /** The AgentMessage, e.g. `{contentMessage: {text: 'hi'}}`. */
  readonly agentMessage: unknown;
  readonly messageId?: string;
  readonly idempotencyKey?: string;
}

async function call(url: string, init: RequestInit): Promise<FunctionAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(60_000) });
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
  };
}

export function sendAgentMessage(request: SendRequest): Promise<FunctionAnswer> {
  const query = request.messageId === undefined ? '' : `?messageId=${encodeURIComponent(request.messageId)}`;
  const url = `${request.sendUrl}/v1/phones/${encodeURIComponent(request.phone)}/agentMessages${query}`;
  return call(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(request.idempotencyKey === undefined ? {} : { 'Idempotency-Key': request.idempotencyKey }),
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
  return call(url, { method: 'DELETE' });
}

/** The message id of a send answer (`name: phones/{phone}/agentMessages/{id}`). */
export function messageIdOf(answer: FunctionAnswer): string | undefined {
  const name = (answer.json as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name.split('/').pop() : undefined;
}
