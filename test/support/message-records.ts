/** One agent-message record for the pure state-machine, fallback and event tests. */
import type { AgentMessageRecord, MessageState } from '../../shared/message-record.js';

/** When every record made here was created; tests count their times from it. */
export const T0 = new Date('2026-01-01T00:00:00Z');

/** Message m1 to one phone, created at T0 and not tried yet (attempts 0, as send stores it); `extra` wins. */
export function messageRecord(
  state: MessageState,
  extra: Partial<AgentMessageRecord> = {},
): AgentMessageRecord {
  return {
    messageId: 'm1',
    agentId: 'agent',
    phoneNumber: '+15550000001',
    state,
    createdAt: T0,
    updatedAt: T0,
    attempts: 0,
    ...extra,
  };
}
