/** The record of every API call the fake received, and how one is built from a request. */
import type { IncomingMessage } from 'node:http';
import type { RouteMatch } from './route-table.js';
import { safeDecode } from './route-table.js';
import type { CallKind, RecordedCall } from './types.js';

/** Calls whose agent id travels in the body (RBM's own placement for these). */
const AGENT_ID_IN_BODY: ReadonlySet<CallKind> = new Set(['batchGet', 'fileCreate']);

export class CallLog {
  readonly calls: RecordedCall[] = [];

  add(call: RecordedCall): void {
    this.calls.push(call);
  }

  ofKind(kind: CallKind): RecordedCall[] {
    return this.calls.filter((call) => call.kind === kind);
  }

  /** Answered-200 creates that were not duplicates, optionally for one message id. */
  successfulCreates(messageId?: string): RecordedCall[] {
    return this.calls.filter(
      (call) =>
        call.kind === 'create' &&
        call.status === 200 &&
        !call.duplicate &&
        (messageId === undefined || call.messageId?.toLowerCase() === messageId.toLowerCase()),
    );
  }

  clear(): void {
    this.calls.length = 0;
  }
}

/** A new, unanswered record of the request. */
export function recordedCall(
  req: IncomingMessage,
  url: URL,
  route: RouteMatch,
  rawBody: string,
): RecordedCall {
  const authorization = req.headers.authorization;
  const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
  const query = Object.fromEntries(url.searchParams.entries());
  const body = parseBody(rawBody);
  return {
    kind: route.kind,
    method: req.method ?? '',
    path: safeDecode(url.pathname),
    phone: route.phone,
    messageId: route.kind === 'create' ? query.messageId : route.resourceId,
    agentId: AGENT_ID_IN_BODY.has(route.kind) ? (bodyAgentId(body) ?? query.agentId) : query.agentId,
    query,
    headers: headersWithoutAuthorization(req),
    hasToken: token !== undefined,
    token,
    body,
    status: undefined,
    duplicate: false,
    fault: undefined,
    at: new Date(),
  };
}

function bodyAgentId(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const agentId = (body as { agentId?: unknown }).agentId;
  return typeof agentId === 'string' ? agentId : undefined;
}

function parseBody(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function headersWithoutAuthorization(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name === 'authorization' || value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
