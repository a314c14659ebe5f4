/**
 * Dead letters of inbound (docs/operations.md): listing what the hold subscription keeps, and replaying it to the
 * inbound topic. Pub/Sub and Firestore come in through the narrow interfaces below, so this logic is tested with
 * fakes; devtools/clients/dead-letter-clients.ts holds the real ones.
 */
import { classifyInbound } from '../shared/inbound/classify.js';
import { redact } from '../shared/log/redact.js';
import { maskPhone } from '../shared/phone.js';

/** Attributes Pub/Sub adds when it dead-letters a message (the source subscription's bookkeeping). */
export const DEAD_LETTER_ATTRIBUTE_PREFIX = 'CloudPubSubDeadLetterSource';
export const DELIVERY_COUNT_ATTRIBUTE = `${DEAD_LETTER_ATTRIBUTE_PREFIX}DeliveryCount`;

/** How far back a reject can lie before the message was dead-lettered: the source subscription's retention. */
const SOURCE_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** How many messages one replay batch leases at a time (each is acknowledged right after its republish). */
const REPLAY_BATCH = 10;

export interface HeldMessage {
  /** Pub/Sub's lease handle for acknowledging or releasing this delivery. */
  readonly ackId: string;
  readonly messageId: string;
  readonly publishTime: Date | undefined;
  readonly data: Buffer;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The dead-letter hold subscription, pulled synchronously. */
export interface HoldSubscription {
  /** Up to `max` messages, leased but not acknowledged; empty when none is available now. */
  pull(max: number): Promise<HeldMessage[]>;
  acknowledge(ackIds: readonly string[]): Promise<void>;
  /** Ends the leases at once, so the messages are held (and pullable) again. */
  release(ackIds: readonly string[]): Promise<void>;
}

/** Publishes to the inbound topic; resolves with the new message id once Pub/Sub accepted it. */
export type Republish = (data: Buffer, attributes: Record<string, string>) => Promise<string>;

/**
 * For each payload (keyed by its base64, as `inboundRejects.data` stores it), the reason of an inboundRejects
 * record holding exactly those bytes and received since `since`, when there is one.
 */
export type RejectReasons = (
  payloads: readonly Buffer[],
  since: Date,
) => Promise<ReadonlyMap<string, string>>;

export interface HeldSummary {
  readonly messageId: string;
  readonly publishTime: Date | undefined;
  /** How often inbound was tried before Pub/Sub gave up, from the dead-letter attributes. */
  readonly deliveryAttempts: number | undefined;
  readonly sizeBytes: number;
  /** What the payload is, without content and with phone numbers masked. */
  readonly payload: string;
  /** The inboundRejects reason recorded for the same bytes, if any. */
  readonly rejectReason: string | undefined;
}

export interface ListResult {
  readonly messages: readonly HeldSummary[];
  /** True when `max` was reached: the hold may keep more than listed. */
  readonly truncated: boolean;
}

/**
 * What the hold subscription keeps, up to `max` messages, without acknowledging anything: every lease taken
 * is released before this returns, also on failure.
 */
export async function listDeadLetters(options: {
  hold: HoldSubscription;
  rejectReasons: RejectReasons;
  max: number;
}): Promise<ListResult> {
  const held = new Map<string, HeldMessage>();
  const leases: string[] = [];
  let truncated = false;
  try {
    for (;;) {
      const remaining = options.max - held.size;
      if (remaining <= 0) {
        truncated = true;
        break;
      }
      const batch = await options.hold.pull(remaining);
      leases.push(...batch.map((message) => message.ackId));
      const fresh = batch.filter((message) => !held.has(message.messageId));
      if (fresh.length === 0) break;
      for (const message of fresh) held.set(message.messageId, message);
    }
  } finally {
    if (leases.length > 0) await options.hold.release(leases);
  }
  const messages = [...held.values()];
  const reasons =
    messages.length === 0
      ? new Map<string, string>()
      : await options.rejectReasons(
          messages.map((message) => message.data),
          rejectsSince(messages),
        );
  return {
    truncated,
    messages: messages.map((message) => summarize(message, reasons.get(message.data.toString('base64')))),
  };
}

export interface ReplayedMessage {
  /** The message id in the hold subscription. */
  readonly heldMessageId: string;
  /** The id of its copy on the inbound topic. */
  readonly republishedId: string;
}

export interface ReplayResult {
  readonly replayed: readonly ReplayedMessage[];
  /** The republish that failed; replay stops there and that message (and the rest) stays held. */
  readonly failure: { readonly heldMessageId: string; readonly error: string } | undefined;
}

/**
 * Republishes held messages (data and original attributes) to the inbound topic, up to `max`, acknowledging
 * each one only after its republish succeeded. Stops at the first failed republish, releasing what it leased.
 */
export async function replayDeadLetters(options: {
  hold: HoldSubscription;
  republish: Republish;
  max: number;
  onReplayed?: (message: ReplayedMessage) => void;
}): Promise<ReplayResult> {
  const replayed: ReplayedMessage[] = [];
  const done = new Set<string>();
  while (replayed.length < options.max) {
    const batch = await options.hold.pull(Math.min(REPLAY_BATCH, options.max - replayed.length));
    if (batch.length === 0) break;
    for (const [index, message] of batch.entries()) {
      if (done.has(message.messageId)) {
        // Redelivered although acknowledged (Pub/Sub delivers at least once): already replayed.
        await options.hold.acknowledge([message.ackId]);
        continue;
      }
      let republishedId: string;
      try {
        republishedId = await options.republish(message.data, forwardedAttributes(message.attributes));
      } catch (error) {
        await options.hold.release(batch.slice(index).map((rest) => rest.ackId));
        return {
          replayed,
          failure: {
            heldMessageId: message.messageId,
            error: error instanceof Error ? error.message : String(error),
          },
        };
      }
      await options.hold.acknowledge([message.ackId]);
      done.add(message.messageId);
      const result = { heldMessageId: message.messageId, republishedId };
      replayed.push(result);
      options.onReplayed?.(result);
    }
  }
  return { replayed, failure: undefined };
}

/** The attributes the message had on the inbound topic: Pub/Sub's dead-letter bookkeeping removed. */
export function forwardedAttributes(attributes: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(attributes).filter(([key]) => !key.startsWith(DEAD_LETTER_ATTRIBUTE_PREFIX)),
  );
}

function rejectsSince(messages: readonly HeldMessage[]): Date {
  const times = messages.flatMap((message) => (message.publishTime ? [message.publishTime.getTime()] : []));
  return times.length === 0 ? new Date(0) : new Date(Math.min(...times) - SOURCE_RETENTION_MS);
}

function summarize(message: HeldMessage, rejectReason: string | undefined): HeldSummary {
  const count = Number(message.attributes[DELIVERY_COUNT_ATTRIBUTE]);
  return {
    messageId: message.messageId,
    publishTime: message.publishTime,
    deliveryAttempts: Number.isInteger(count) && count > 0 ? count : undefined,
    sizeBytes: message.data.length,
    payload: describePayload(message.data, message.attributes),
    rejectReason: rejectReason === undefined ? undefined : String(redact(rejectReason)),
  };
}

/** One line on what an inbound payload is: its kind, the masked phone and the ids; never its content. */
export function describePayload(data: Buffer, attributes: Readonly<Record<string, string>>): string {
  let decoded: unknown;
  try {
    decoded = JSON.parse(data.toString('utf8'));
  } catch {
    return 'not JSON';
  }
  const payload = classifyInbound(decoded, { ...attributes });
  switch (payload.kind) {
    case 'userMessage':
      return `user ${payload.content} from ${maskPhone(payload.phoneNumber)}, id ${payload.id}`;
    case 'deliveryEvent':
      return `${payload.eventType} for ${maskPhone(payload.phoneNumber)}, message ${payload.messageId}`;
    case 'consent':
      return `${payload.subscribed ? 'SUBSCRIBE' : 'UNSUBSCRIBE'} from ${maskPhone(payload.phoneNumber)}`;
    case 'typing':
      return 'IS_TYPING';
    case 'launchEvent':
      return 'agent launch event';
    case 'unprocessable':
      return String(redact(`unprocessable: ${payload.reason}`));
  }
}

/** The lines `dead-letters list` prints: a header, one line per message, and a note when truncated. */
export function formatList(result: ListResult, subscription: string): string[] {
  if (result.messages.length === 0) return [`${subscription} holds no messages.`];
  const lines = [
    `${subscription} holds ${result.messages.length}${result.truncated ? '+' : ''} message(s):`,
    ...result.messages.map((message) =>
      [
        `  ${message.messageId}`,
        `published ${message.publishTime?.toISOString() ?? '?'}`,
        `attempts ${message.deliveryAttempts ?? '?'}`,
        `${message.sizeBytes} B`,
        message.payload,
        ...(message.rejectReason === undefined ? [] : [`rejected: ${message.rejectReason}`]),
      ].join('  '),
    ),
  ];
  if (result.truncated) lines.push('  (more may be held: raise --max to see them)');
  return lines.map((line) => String(redact(line)));
}
