/**
 * A chunk task: creates the recipient tasks of one chunk, each scheduled at its pacing slot and named after its
 * message id. Killed part-way, the queue runs it again and the tasks already made answer ALREADY_EXISTS, so the
 * chunk resumes where it stopped and no recipient gets a second task (docs/campaigns.md#enqueueing).
 */
import { isTransientGrpcError } from '../grpc-status.js';
import type { Logger } from '../log/logger.js';
import { mapWithConcurrency } from './concurrency.js';
import type { CampaignStorePort, CampaignTaskPort } from './ports.js';
import { chunkTaskTime, chunkWithinHorizon, scheduleTimeOf } from './schedule.js';
import type { EnqueueTaskBody, TaskCreation } from './tasks.js';

export interface EnqueueChunkDeps {
  store: Pick<CampaignStorePort, 'get' | 'getChunk' | 'markChunkEnqueued'>;
  tasks: CampaignTaskPort;
  logger: Logger;
  now?: () => Date;
  /** Recipient tasks created at once. */
  concurrency?: number;
}

export type EnqueueChunkOutcome =
  | { kind: 'enqueued'; tasks: number }
  /** A repeated chunk task: its recipient tasks all exist. */
  | { kind: 'alreadyEnqueued' }
  /** The campaign was cancelled: its remaining recipients are not enqueued. */
  | { kind: 'cancelled' }
  /** The chunk's recipients are beyond the scheduling horizon: a later chunk task takes over. */
  | { kind: 'deferred'; until: Date }
  | { kind: 'notFound' }
  | { kind: 'tasksUnavailable'; message: string }
  | { kind: 'tasksRejected'; status: number; googleStatus: string; message: string }
  | { kind: 'storageUnavailable' };

const DEFAULT_CONCURRENCY = 32;

export async function enqueueChunk(
  task: EnqueueTaskBody,
  deps: EnqueueChunkDeps,
): Promise<EnqueueChunkOutcome> {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger.child({ campaignId: task.campaignId, chunk: task.chunk });
  try {
    const [campaign, chunk] = await Promise.all([
      deps.store.get(task.campaignId),
      deps.store.getChunk(task.campaignId, task.chunk),
    ]);
    if (campaign === undefined || chunk === undefined) return { kind: 'notFound' };
    if (campaign.state === 'CANCELLED') return { kind: 'cancelled' };
    if (chunk.enqueued) return { kind: 'alreadyEnqueued' };

    if (!chunkWithinHorizon(campaign, task.chunk, campaign.recipientCount, now())) {
      const until = chunkTaskTime(campaign, task.chunk, campaign.recipientCount, now());
      const next = { ...task, generation: task.generation + 1 };
      const creation = await deps.tasks.createChunkTask(next, until);
      return creation.kind === 'done' ? { kind: 'deferred', until } : failure(creation, logger);
    }

    let stopped: Failure | undefined;
    await mapWithConcurrency(
      chunk.phoneNumbers,
      deps.concurrency ?? DEFAULT_CONCURRENCY,
      async (phone, i) => {
        if (stopped !== undefined) return; // Cloud Tasks is failing: leave the rest to the retried chunk task
        const position = chunk.firstPosition + i;
        const creation = await deps.tasks.createRecipientTask(
          { campaignId: task.campaignId, phoneNumber: phone, position },
          scheduleTimeOf(campaign, position),
        );
        if (creation.kind !== 'done') stopped ??= creation;
      },
    );
    if (stopped !== undefined) return failure(stopped, logger);

    await deps.store.markChunkEnqueued(task.campaignId, task.chunk, now());
    logger.info('Chunk enqueued', { tasks: chunk.phoneNumbers.length });
    return { kind: 'enqueued', tasks: chunk.phoneNumbers.length };
  } catch (error) {
    if (!isTransientGrpcError(error)) throw error;
    logger.warn('Storage unavailable while enqueueing a chunk', { err: error });
    return { kind: 'storageUnavailable' };
  }
}

type Failure = Exclude<TaskCreation, { kind: 'done' }>;

function failure(creation: Failure, logger: Logger): EnqueueChunkOutcome {
  if (creation.kind === 'rejected') {
    logger.error('Cloud Tasks refused a task', {
      status: creation.status,
      googleStatus: creation.googleStatus,
      reason: creation.message,
    });
    return {
      kind: 'tasksRejected',
      status: creation.status,
      googleStatus: creation.googleStatus,
      message: creation.message,
    };
  }
  logger.warn('Cloud Tasks unavailable; the chunk task is retried', { reason: creation.message });
  return { kind: 'tasksUnavailable', message: creation.message };
}
