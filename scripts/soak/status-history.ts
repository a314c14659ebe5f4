/**
 * Whether the status events seen for one message account for every change of its state. A state only ever
 * rises, and each state that was entered has its timestamp on the record, so the history is a chain of states
 * of rising rank, each backed by its timestamp; each event names the state it left (`previousState`), so a
 * missing event shows as a broken link. Pure.
 */
import { STATE_RANK, type MessageState } from '../../shared/delivery-state.js';

/** The fields of a status event this check reads. */
export interface SeenStatusEvent {
  readonly state: MessageState;
  readonly previousState: MessageState | null;
  readonly at: string;
}

/** The record's state and the timestamps that record when each state became true. */
export interface RecordTimeline {
  readonly state: MessageState;
  readonly sentAt?: Date;
  readonly deliveredAt?: Date;
  readonly readAt?: Date;
  readonly revokedAt?: Date;
  readonly expiredAt?: Date;
  readonly failedAt?: Date;
}

const TIMESTAMP_OF: Readonly<Partial<Record<MessageState, keyof Omit<RecordTimeline, 'state'>>>> = {
  SENT: 'sentAt',
  DELIVERED: 'deliveredAt',
  READ: 'readAt',
  REVOKED: 'revokedAt',
  EXPIRED: 'expiredAt',
  FAILED: 'failedAt',
};

/**
 * The problems with `events` (one per state, already de-duplicated on `eventKey`) as the history of `record`.
 * `createdIn` is the state the record was created in: PENDING by a send, or a final state directly (a consent
 * refusal), whose first event then has no previous state.
 */
export function statusHistoryProblems(
  record: RecordTimeline,
  events: readonly SeenStatusEvent[],
  createdIn: 'PENDING' | 'final',
): string[] {
  const problems: string[] = [];
  if (record.state === 'PENDING') {
    if (events.length > 0) problems.push(`still PENDING, yet events for ${statesOf(events)}`);
    return problems;
  }
  const chain = [...events].sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state]);
  for (const event of chain) {
    const field = TIMESTAMP_OF[event.state];
    const stamp = field === undefined ? undefined : record[field];
    if (stamp === undefined)
      problems.push(`event for ${event.state} but the record has no ${field ?? 'time'}`);
    else if (stamp.toISOString() !== event.at)
      problems.push(`${event.state} event at ${event.at}, the record says ${stamp.toISOString()}`);
  }
  let previous: MessageState | null = createdIn === 'PENDING' ? 'PENDING' : null;
  for (const event of chain) {
    if (previous !== null && STATE_RANK[event.state] <= STATE_RANK[previous]) {
      problems.push(`events for ${previous} and ${event.state}, which cannot both be entered`);
    } else if (event.previousState !== previous) {
      problems.push(
        `the ${event.state} event follows ${String(event.previousState)}, but the event before it is for ` +
          `${String(previous)}: a change has no event`,
      );
    }
    previous = event.state;
  }
  if (previous !== record.state) {
    problems.push(`no event for the change to ${record.state} (last event: ${String(previous)})`);
  }
  return problems;
}

function statesOf(events: readonly SeenStatusEvent[]): string {
  return events.map((event) => event.state).join(', ');
}
