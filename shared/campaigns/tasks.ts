/**
 * The campaign's Cloud Tasks: a chunk task per chunk (it creates that chunk's recipient tasks) and a recipient
 * task per recipient (it dispatches one send), their bodies, and their creation. Every task has a derived name,
 * so creating one again is answered ALREADY_EXISTS and counts as done (docs/campaigns.md#enqueueing).
 */
import type { FieldViolation } from '../errors.js';
import { isJsonObject } from '../json-values.js';
import { isE164 } from '../phone.js';
import type { CreateTaskOutcome, TaskSpec } from '../tasks/client.js';
import { Limiter } from './concurrency.js';
import { campaignMessageId, chunkTaskName, isCampaignId, recipientTaskName } from './ids.js';

/** What a recipient task POSTs to `…/v1/campaigns/{campaignId}:dispatch`: all the dispatch needs. */
export interface DispatchTaskBody {
  campaignId: string;
  phoneNumber: string;
  /** The recipient's position in the campaign (its schedule slot), for logs and checks. */
  position: number;
}

/** What a chunk task POSTs to `…/v1/campaigns/{campaignId}:enqueue`. */
export interface EnqueueTaskBody {
  campaignId: string;
  chunk: number;
  /** How many times this chunk's task has put itself off (see chunkTaskName). */
  generation: number;
}

export const dispatchPath = (campaignId: string): string => `/v1/campaigns/${campaignId}:dispatch`;
export const enqueuePath = (campaignId: string): string => `/v1/campaigns/${campaignId}:enqueue`;

export type TaskCreation =
  | { kind: 'done' }
  /** Cloud Tasks did not answer within the client's retry budget: try again later, nothing is duplicated. */
  | { kind: 'unavailable'; message: string }
  /**
   * A final 4xx (a bad request, a missing queue or grant): retrying unchanged helps only once an operator fixes
   * the cause. `googleStatus` is Google's name for it, e.g. INVALID_ARGUMENT.
   */
  | { kind: 'rejected'; status: number; googleStatus: string; message: string };

/** Where the campaign's tasks go and whose token they carry. */
export interface TaskTarget {
  /** The campaigns function's base URL; also the tasks' OIDC audience. */
  dispatchUrl: string;
  serviceAccountEmail: string;
}

/** What creates tasks: the Cloud Tasks client (or a test double). */
export interface TaskCreator {
  readonly queue: string;
  createTask(spec: TaskSpec): Promise<CreateTaskOutcome>;
}

/**
 * Cloud Tasks calls in flight at once in one instance, whatever number of chunk tasks it serves together: each
 * call holds a connection and its buffers, and an instance has 256 MiB (docs/campaigns.md#enqueueing).
 */
export const MAX_TASK_CALLS_IN_FLIGHT = 32;

/**
 * Every campaign task's dispatch deadline: the campaigns function's timeout (terraform/functions.tf). An attempt
 * the function is still working on is then never counted failed and started a second time beside it, which
 * under load (a chunk task creating its 1,000 tasks slowly) would multiply the work it is late with.
 */
export const TASK_DISPATCH_DEADLINE_SECONDS = 300;

export class CampaignTasks {
  private readonly limiter: Limiter;

  constructor(
    private readonly creator: TaskCreator,
    private readonly target: TaskTarget,
    maxInFlight = MAX_TASK_CALLS_IN_FLIGHT,
  ) {
    this.limiter = new Limiter(maxInFlight);
  }

  createChunkTask(body: EnqueueTaskBody, scheduleTime: Date): Promise<TaskCreation> {
    return this.create({
      name: chunkTaskName(this.creator.queue, body.campaignId, body.chunk, body.generation),
      scheduleTime,
      url: `${this.target.dispatchUrl}${enqueuePath(body.campaignId)}`,
      body,
      serviceAccountEmail: this.target.serviceAccountEmail,
      audience: this.target.dispatchUrl,
    });
  }

  createRecipientTask(body: DispatchTaskBody, scheduleTime: Date): Promise<TaskCreation> {
    const messageId = campaignMessageId(body.campaignId, body.phoneNumber);
    return this.create({
      name: recipientTaskName(this.creator.queue, messageId),
      scheduleTime,
      url: `${this.target.dispatchUrl}${dispatchPath(body.campaignId)}`,
      body,
      serviceAccountEmail: this.target.serviceAccountEmail,
      audience: this.target.dispatchUrl,
    });
  }

  private async create(spec: Omit<TaskSpec, 'dispatchDeadlineSeconds'>): Promise<TaskCreation> {
    const task = { ...spec, dispatchDeadlineSeconds: TASK_DISPATCH_DEADLINE_SECONDS };
    const outcome = await this.limiter.run(() => this.creator.createTask(task));
    switch (outcome.kind) {
      case 'created':
      case 'alreadyExists':
        return { kind: 'done' };
      case 'unavailable':
        return { kind: 'unavailable', message: outcome.error.message };
      case 'rejected':
        return {
          kind: 'rejected',
          status: outcome.status,
          googleStatus: outcome.error.status,
          message: outcome.error.message,
        };
    }
  }
}

/** A task body as parsed: valid, or every violation found. */
export type ParsedTaskBody<T> =
  { kind: 'valid'; body: T } | { kind: 'invalid'; violations: FieldViolation[] };

/** A recipient task's body, for the campaign of the path. */
export function parseDispatchBody(
  body: Record<string, unknown>,
  campaignId: string,
): ParsedTaskBody<DispatchTaskBody> {
  const violations = checkCampaignId(body, campaignId);
  if (typeof body.phoneNumber !== 'string' || !isE164(body.phoneNumber)) {
    violations.push({ field: 'phoneNumber', description: 'must be an E.164 number.' });
  }
  if (!isPosition(body.position)) {
    violations.push({ field: 'position', description: 'must be a whole number, 0 or more.' });
  }
  if (violations.length > 0) return { kind: 'invalid', violations };
  return {
    kind: 'valid',
    body: { campaignId, phoneNumber: body.phoneNumber as string, position: body.position as number },
  };
}

/** A chunk task's body, for the campaign of the path. */
export function parseEnqueueBody(
  body: Record<string, unknown>,
  campaignId: string,
): ParsedTaskBody<EnqueueTaskBody> {
  const violations = checkCampaignId(body, campaignId);
  if (!isPosition(body.chunk))
    violations.push({ field: 'chunk', description: 'must be a whole number, 0 or more.' });
  const generation = body.generation ?? 0;
  if (!isPosition(generation)) {
    violations.push({ field: 'generation', description: 'must be a whole number, 0 or more.' });
  }
  if (violations.length > 0) return { kind: 'invalid', violations };
  return {
    kind: 'valid',
    body: { campaignId, chunk: body.chunk as number, generation: generation as number },
  };
}

function checkCampaignId(body: Record<string, unknown>, campaignId: string): FieldViolation[] {
  if (!isJsonObject(body) || body.campaignId !== campaignId || !isCampaignId(campaignId)) {
    return [{ field: 'campaignId', description: 'must be the campaign id of the path.' }];
  }
  return [];
}

function isPosition(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
