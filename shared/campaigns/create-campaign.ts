/**
 * Accepting a campaign: validate it, store it with its recipient list in chunks (one atomic batch), then create
 * one chunk task per chunk. The answer comes once both are durable; a crash in between is finished by the same
 * request again, which is recognised by its campaign id and body (docs/campaigns.md#create).
 */
import { contentTypeOf } from '../agent-message/content-type.js';
import { ApiError } from '../errors.js';
import { isTransientGrpcError } from '../grpc-status.js';
import { newMessageId } from '../ids.js';
import type { Logger } from '../log/logger.js';
import type { CampaignRecord, ChunkRecord } from '../campaign-record.js';
import { mapWithConcurrency } from './concurrency.js';
import type { CampaignStorePort, CampaignTaskPort } from './ports.js';
import { parseCampaignRequest, type CampaignRequest } from './request.js';
import { CHUNK_SIZE, chunkCountFor, chunkTaskTime, splitIntoChunks } from './schedule.js';

export interface CreateCampaignDeps {
  store: Pick<CampaignStorePort, 'create' | 'markChunkTasksCreated'>;
  tasks: Pick<CampaignTaskPort, 'createChunkTask'>;
  logger: Logger;
  now?: () => Date;
  newCampaignId?: () => string;
  /** Chunk tasks created at once. */
  concurrency?: number;
}

export type CreateCampaignOutcome =
  /** Stored and enqueued now (202). */
  | { kind: 'created'; campaign: CampaignRecord }
  /** The same campaign id and body as an earlier request (200): its campaign, finished enqueueing if need be. */
  | { kind: 'replayed'; campaign: CampaignRecord }
  /** The campaign id was used for another request (409). */
  | { kind: 'conflict'; campaignId: string }
  /** Stored, but not every chunk task could be created yet: the same request again finishes it (503). */
  | { kind: 'tasksUnavailable'; campaignId: string; message: string }
  /** Cloud Tasks refused a chunk task for good (a queue or configuration problem). */
  | { kind: 'tasksRejected'; campaignId: string; status: number; message: string }
  | { kind: 'storageUnavailable'; campaignId: string };

const DEFAULT_CONCURRENCY = 32;

/** Validates the body (400 with every violation, thrown as an ApiError) and accepts the campaign. */
export async function createCampaign(
  body: Record<string, unknown>,
  deps: CreateCampaignDeps,
): Promise<CreateCampaignOutcome> {
  const now = deps.now ?? (() => new Date());
  const parsed = parseCampaignRequest(body, {
    now: now(),
    newCampaignId: deps.newCampaignId ?? newMessageId,
  });
  if (parsed.kind === 'invalid') throw ApiError.invalidArgument(parsed.violations);
  const { request } = parsed;
  const logger = deps.logger.child({ campaignId: request.campaignId });
  try {
    const record = campaignRecordFor(request, now());
    const stored = await deps.store.create(record, chunkRecordsFor(request));
    if (!stored.created && stored.existing.requestSha256 !== request.requestSha256) {
      logger.warn('Campaign id reused for a different request');
      return { kind: 'conflict', campaignId: request.campaignId };
    }
    const campaign = stored.created ? record : stored.existing;
    const enqueued = await ensureChunkTasks(campaign, { ...deps, logger, now });
    if (enqueued !== undefined) return enqueued;
    logger.info(stored.created ? 'Campaign accepted' : 'Campaign request repeated', {
      recipientCount: campaign.recipientCount,
      chunkCount: campaign.chunkCount,
      ratePerSecond: campaign.ratePerSecond,
    });
    return { kind: stored.created ? 'created' : 'replayed', campaign };
  } catch (error) {
    if (!isTransientGrpcError(error)) throw error;
    logger.warn('Storage unavailable while accepting a campaign', { err: error });
    return { kind: 'storageUnavailable', campaignId: request.campaignId };
  }
}

export function campaignRecordFor(request: CampaignRequest, now: Date): CampaignRecord {
  const { agentMessage } = request;
  return {
    campaignId: request.campaignId,
    state: 'SCHEDULED',
    recipientCount: request.recipients.length,
    ratePerSecond: request.ratePerSecond,
    startTime: request.startTime,
    createdAt: now,
    updatedAt: now,
    contentType: contentTypeOf(agentMessage),
    ...(agentMessage.messageTrafficType === undefined
      ? {}
      : { trafficType: agentMessage.messageTrafficType }),
    fallbackPolicy: request.fallbackPolicy,
    chunkCount: chunkCountFor(request.recipients.length),
    chunkSize: CHUNK_SIZE,
    requestSha256: request.requestSha256,
    agentMessageJson: JSON.stringify(agentMessage),
  };
}

export function chunkRecordsFor(request: CampaignRequest): ChunkRecord[] {
  return splitIntoChunks(request.recipients).map((phoneNumbers, chunk) => ({
    campaignId: request.campaignId,
    chunk,
    firstPosition: chunk * CHUNK_SIZE,
    phoneNumbers,
    enqueued: false,
  }));
}

/** Creates every chunk task not known to exist; undefined when all exist, else the outcome to answer. */
async function ensureChunkTasks(
  campaign: CampaignRecord,
  deps: CreateCampaignDeps & { logger: Logger; now: () => Date },
): Promise<CreateCampaignOutcome | undefined> {
  if (campaign.chunkTasksCreatedAt !== undefined || campaign.state === 'CANCELLED') return undefined;
  const chunks = Array.from({ length: campaign.chunkCount }, (_, chunk) => chunk);
  const creations = await mapWithConcurrency(chunks, deps.concurrency ?? DEFAULT_CONCURRENCY, (chunk) =>
    deps.tasks.createChunkTask(
      { campaignId: campaign.campaignId, chunk, generation: 0 },
      chunkTaskTime(campaign, chunk, campaign.recipientCount, deps.now()),
    ),
  );
  const rejected = creations.find((creation) => creation.kind === 'rejected');
  if (rejected?.kind === 'rejected') {
    deps.logger.error('Cloud Tasks refused a chunk task', {
      status: rejected.status,
      reason: rejected.message,
    });
    return {
      kind: 'tasksRejected',
      campaignId: campaign.campaignId,
      status: rejected.status,
      message: rejected.message,
    };
  }
  const unavailable = creations.find((creation) => creation.kind === 'unavailable');
  if (unavailable?.kind === 'unavailable') {
    deps.logger.warn('Cloud Tasks unavailable while enqueueing chunk tasks', { reason: unavailable.message });
    return { kind: 'tasksUnavailable', campaignId: campaign.campaignId, message: unavailable.message };
  }
  await deps.store.markChunkTasksCreated(campaign.campaignId, deps.now());
  return undefined;
}
