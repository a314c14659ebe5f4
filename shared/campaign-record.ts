/**
 * The campaign as stored (`campaigns/{campaignId}` and its `chunks`), its states, the counts a read adds, and
 * the JSON view the API answers with. Pure: the store reads and writes these shapes (docs/campaigns.md#data).
 */
import type { ContentType } from './agent-message/types.js';
import { MESSAGE_STATES, type MessageState } from './delivery-state.js';
import type { FallbackPolicy } from './fallback-decision.js';

export const CAMPAIGN_STATES = ['SCHEDULED', 'RUNNING', 'COMPLETED', 'CANCELLED'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** States a campaign never leaves. */
export const FINAL_CAMPAIGN_STATES: readonly CampaignState[] = ['COMPLETED', 'CANCELLED'];

export interface CampaignRecord {
  campaignId: string;
  state: CampaignState;
  recipientCount: number;
  ratePerSecond: number;
  startTime: Date;
  createdAt: Date;
  updatedAt: Date;
  contentType: ContentType;
  trafficType?: string;
  fallbackPolicy: FallbackPolicy;
  /** How the recipients are stored: `chunkCount` chunks of at most `chunkSize`. */
  chunkCount: number;
  chunkSize: number;
  /** When the first recipient was dispatched, the campaign completed, or was cancelled. */
  startedAt?: Date;
  completedAt?: Date;
  cancelledAt?: Date;
  // Internal, never answered:
  /** SHA-256 of the create request's canonical JSON: the same request again is a replay, another one a conflict. */
  requestSha256: string;
  /** The AgentMessage every recipient gets, as JSON text (validated when the campaign was created). */
  agentMessageJson: string;
  /** Set once every chunk task exists: a repeated create then has nothing left to do. */
  chunkTasksCreatedAt?: Date;
}

/** `campaigns/{campaignId}/chunks/{chunk}`: up to `chunkSize` recipients, from position `firstPosition`. */
export interface ChunkRecord {
  campaignId: string;
  chunk: number;
  firstPosition: number;
  phoneNumbers: string[];
  /** Every recipient task of the chunk exists. */
  enqueued: boolean;
  enqueuedAt?: Date;
}

export const NOT_DISPATCHED = 'NOT_DISPATCHED';
export type CountKey = MessageState | typeof NOT_DISPATCHED;
export type CampaignCounts = Record<CountKey, number>;

/** Every message state and NOT_DISPATCHED, zeros included: the recipients without a record are not dispatched. */
export function campaignCounts(
  byState: Readonly<Partial<Record<MessageState, number>>>,
  recipientCount: number,
): CampaignCounts {
  const counts = Object.fromEntries(MESSAGE_STATES.map((state) => [state, byState[state] ?? 0])) as Record<
    MessageState,
    number
  >;
  const dispatched = MESSAGE_STATES.reduce((sum, state) => sum + counts[state], 0);
  return { ...counts, [NOT_DISPATCHED]: Math.max(0, recipientCount - dispatched) };
}

/** What a read adds to the document. */
export interface CampaignProgress {
  counts?: CampaignCounts;
  /** Chunks whose recipient tasks all exist, of `chunkCount`. */
  enqueuedChunks?: number;
}

const INTERNAL_FIELDS = ['requestSha256', 'agentMessageJson', 'chunkTasksCreatedAt'] as const;

/** The document as the API answers it: RFC 3339 times, internal bookkeeping left out. */
export function campaignView(
  record: CampaignRecord,
  progress: CampaignProgress = {},
): Record<string, unknown> {
  const visible: Record<string, unknown> = { ...record };
  for (const field of INTERNAL_FIELDS) delete visible[field];
  for (const [key, value] of Object.entries(visible)) {
    if (value instanceof Date) visible[key] = value.toISOString();
    if (value === undefined) delete visible[key];
  }
  return {
    ...visible,
    ...(progress.enqueuedChunks === undefined ? {} : { enqueuedChunks: progress.enqueuedChunks }),
    ...(progress.counts === undefined ? {} : { counts: progress.counts }),
  };
}

/**
 * The campaign after moving to `to` at `at`, or undefined when the move does not apply: RUNNING only from
 * SCHEDULED; COMPLETED and CANCELLED only from a state that is not final (the first final state stays).
 */
export function transitionCampaign(
  record: CampaignRecord,
  to: Exclude<CampaignState, 'SCHEDULED'>,
  at: Date,
): CampaignRecord | undefined {
  if (FINAL_CAMPAIGN_STATES.includes(record.state)) return undefined;
  switch (to) {
    case 'RUNNING':
      return record.state === 'SCHEDULED'
        ? { ...record, state: to, startedAt: at, updatedAt: at }
        : undefined;
    case 'COMPLETED':
      return { ...record, state: to, completedAt: at, updatedAt: at };
    case 'CANCELLED':
      return { ...record, state: to, cancelledAt: at, updatedAt: at };
  }
}
