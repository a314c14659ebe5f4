/** What every RBM route handler works with, and the small checks they share. */
import type { MessageDelivery } from '../delivery.js';
import type { FakeRbmState } from '../state.js';
import type { RecordedCall } from '../types.js';

export interface RouteContext {
  readonly state: FakeRbmState;
  readonly delivery: MessageDelivery;
  /** The server's agent id, recorded on what a call stores when the call names none. */
  readonly configuredAgentId: string | undefined;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const E164 = /^\+[1-9]\d{6,14}$/;

export function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The agent id a stored message, event or file carries (webhook payloads add `@rbm.goog` back). */
export function storedAgentId(context: RouteContext, call: RecordedCall): string {
  return (call.agentId ?? context.configuredAgentId ?? 'fake-agent').replace(/@rbm\.goog$/, '');
}

/** The id namespace key of the call's agent: the agent id exactly as the call named it. */
export function callerAgentKey(call: RecordedCall): string {
  return call.agentId ?? '';
}
