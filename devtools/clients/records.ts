/** The backend's Firestore records, read the way the functions write them (docs/data-model.md). */
import type { Firestore } from '@google-cloud/firestore';
import { toJson } from '../../sandbox/app/backend-records.js';

export type RecordJson = Readonly<Record<string, unknown>>;

export async function agentMessageRecord(db: Firestore, messageId: string): Promise<RecordJson | undefined> {
  const data = (await db.collection('agentMessages').doc(messageId).get()).data();
  return data === undefined ? undefined : (toJson(data) as RecordJson);
}

export async function userMessageRecord(db: Firestore, messageId: string): Promise<RecordJson | undefined> {
  const data = (await db.collection('userMessages').doc(messageId).get()).data();
  return data === undefined ? undefined : (toJson(data) as RecordJson);
}

/** A record with `phoneNumber` masked, for printing. */
export function printable(record: RecordJson): RecordJson {
  const masked: Record<string, unknown> = { ...record };
  if (typeof record.phoneNumber === 'string') masked.phoneNumber = `…${record.phoneNumber.slice(-4)}`;
  if (typeof record.name === 'string') {
    masked.name = record.name.replace(/phones\/\+?\d*(\d{4})\//, 'phones/…$1/');
  }
  return masked;
}

export interface Transition {
  readonly state: string;
  /** When this watcher saw it. */
  readonly seenAt: Date;
  /** The record's own timestamp for it (`sentAt`, `readAt`, …), when set. */
  readonly recordedAt: string | undefined;
}

const STATE_TIMESTAMP: Readonly<Record<string, string>> = {
  PENDING: 'createdAt',
  SENT: 'sentAt',
  DELIVERED: 'deliveredAt',
  READ: 'readAt',
  REVOKED: 'revokedAt',
  EXPIRED: 'expiredAt',
  FAILED: 'failedAt',
};

/**
 * Polls `agentMessages/{id}` until its state is one of `until` (or the deadline passes), calling `onTransition`
 * for each state seen; resolves with all of them.
 */
export async function watchTransitions(
  db: Firestore,
  messageId: string,
  options: {
    readonly until: readonly string[];
    readonly timeoutMs: number;
    readonly onTransition?: (transition: Transition) => void;
  },
): Promise<{ transitions: Transition[]; record: RecordJson | undefined; reached: boolean }> {
  const transitions: Transition[] = [];
  const deadline = Date.now() + options.timeoutMs;
  let record: RecordJson | undefined;
  for (;;) {
    record = await agentMessageRecord(db, messageId);
    const state = typeof record?.state === 'string' ? record.state : undefined;
    if (state !== undefined && transitions.at(-1)?.state !== state) {
      const field = STATE_TIMESTAMP[state];
      const recordedAt = field === undefined ? undefined : record?.[field];
      const transition: Transition = {
        state,
        seenAt: new Date(),
        recordedAt: typeof recordedAt === 'string' ? recordedAt : undefined,
      };
      transitions.push(transition);
      options.onTransition?.(transition);
    }
    if (state !== undefined && options.until.includes(state)) return { transitions, record, reached: true };
    if (Date.now() >= deadline) return { transitions, record, reached: false };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
