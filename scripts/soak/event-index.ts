/**
 * The status and fallback events a tap recorded, de-duplicated on `eventKey` as a consumer would, grouped by
 * message, with what is wrong with their shape (attributes that disagree with the data, copies of one key that
 * disagree with each other).
 */
import { canonicalJson } from '../../shared/canonical-json.js';
import { MESSAGE_STATES, type MessageState } from '../../shared/delivery-state.js';
import type { TappedMessage } from './clients.js';

export interface SeenFallback {
  readonly reason: string;
  readonly certainty: string;
  readonly decidedAt: string;
  readonly deliveredAfter?: boolean;
}

/** The fields of a status event the soak checks. */
export interface StatusEventSeen {
  readonly messageId: string;
  readonly agentId: string;
  readonly phoneNumber: string;
  readonly state: MessageState;
  readonly previousState: MessageState | null;
  readonly at: string;
  readonly correlationId?: string;
  readonly fallback?: SeenFallback;
}

/** The fields of a fallback event the soak checks. */
export interface FallbackEventSeen extends SeenFallback {
  readonly messageId: string;
  readonly agentId: string;
  readonly phoneNumber: string;
  readonly correlationId?: string;
  readonly trafficType?: string;
}

export interface EventIndex<T> {
  /** Messages received, redeliveries and republished copies included. */
  readonly received: number;
  /** One event per `eventKey` (the first copy), by message id. */
  readonly byMessage: ReadonlyMap<string, readonly T[]>;
  readonly distinct: number;
  readonly problems: readonly string[];
}

type Parsed<T> = { key: string; event: T } | { problem: string };

const isState = (value: unknown): value is MessageState =>
  typeof value === 'string' && (MESSAGE_STATES as readonly string[]).includes(value);

function json(message: TappedMessage): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(message.data.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseStatus(message: TappedMessage): Parsed<StatusEventSeen> {
  const data = json(message);
  const key = message.attributes.eventKey ?? '';
  if (!data || typeof data.messageId !== 'string' || !isState(data.state)) {
    return { problem: `status event ${key} is not a status event's JSON` };
  }
  if (data.previousState !== null && !isState(data.previousState)) {
    return { problem: `status event ${key} has previousState ${String(data.previousState)}` };
  }
  if (
    key !== `${data.messageId}/${data.state}` ||
    message.attributes.messageId !== data.messageId ||
    message.attributes.state !== data.state
  ) {
    return { problem: `status event ${key}: attributes disagree with its data` };
  }
  return { key, event: data as unknown as StatusEventSeen };
}

function parseFallback(message: TappedMessage): Parsed<FallbackEventSeen> {
  const data = json(message);
  const key = message.attributes.eventKey ?? '';
  if (!data || typeof data.messageId !== 'string' || typeof data.reason !== 'string') {
    return { problem: `fallback event ${key} is not a fallback event's JSON` };
  }
  if (
    key !== `${data.messageId}/fallback` ||
    message.attributes.messageId !== data.messageId ||
    message.attributes.reason !== data.reason ||
    message.attributes.certainty !== data.certainty
  ) {
    return { problem: `fallback event ${key}: attributes disagree with its data` };
  }
  return { key, event: data as unknown as FallbackEventSeen };
}

/** Copies of one event (a redelivery, a republish from the record) carry the same JSON, in any key order. */
function sameEvent(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

function indexEvents<T extends { messageId: string }>(
  messages: readonly TappedMessage[],
  parse: (message: TappedMessage) => Parsed<T>,
): EventIndex<T> {
  const byKey = new Map<string, T>();
  const problems: string[] = [];
  for (const message of messages) {
    const parsed = parse(message);
    if ('problem' in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const first = byKey.get(parsed.key);
    if (first === undefined) byKey.set(parsed.key, parsed.event);
    else if (!sameEvent(first, parsed.event)) problems.push(`copies of ${parsed.key} disagree`);
  }
  const byMessage = new Map<string, T[]>();
  for (const event of byKey.values()) {
    const list = byMessage.get(event.messageId);
    if (list) list.push(event);
    else byMessage.set(event.messageId, [event]);
  }
  return { received: messages.length, byMessage, distinct: byKey.size, problems };
}

export const indexStatusEvents = (messages: readonly TappedMessage[]): EventIndex<StatusEventSeen> =>
  indexEvents(messages, parseStatus);

export const indexFallbackEvents = (messages: readonly TappedMessage[]): EventIndex<FallbackEventSeen> =>
  indexEvents(messages, parseFallback);
