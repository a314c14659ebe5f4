/**
 * campaigns (HTTP): POST /v1/campaigns, GET /v1/campaigns/{id}, POST /v1/campaigns/{id}:cancel, and the two
 * routes the campaign's Cloud Tasks call, :enqueue and :dispatch (docs/campaigns.md). Each outcome of the domain
 * becomes an HTTP answer here; for the task routes, 2xx means done (a permanent refusal included) and 5xx
 * means "retry me".
 */
import { campaignView } from '../../shared/campaign-record.js';
import { createCampaign, type CreateCampaignOutcome } from '../../shared/campaigns/create-campaign.js';
import { dispatchRecipient } from '../../shared/campaigns/dispatch-recipient.js';
import { enqueueChunk } from '../../shared/campaigns/enqueue-chunk.js';
import {
  cancelCampaign,
  readCampaign,
  type CancelCampaignOutcome,
  type ReadCampaignOutcome,
} from '../../shared/campaigns/read-campaign.js';
import {
  dispatchTaskAnswer,
  enqueueTaskAnswer,
  malformedTaskAnswer,
  type TaskAnswer,
  type TaskRoute,
} from '../../shared/campaigns/task-answers.js';
import { parseDispatchBody, parseEnqueueBody, type ParsedTaskBody } from '../../shared/campaigns/tasks.js';
import { campaignsPath } from '../../shared/campaigns/wiring.js';
import { ApiError } from '../../shared/errors.js';
import { errorResult, storageUnavailableResult, type HttpResult } from '../../shared/http/response.js';
import { logAt, type Logger } from '../../shared/log/logger.js';
import type { HttpCall } from '../../shared/runtime/http.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { campaignsSpec } from './spec.js';

serveHttp(campaignsSpec, campaignsPath, {
  create: async (call, deps) => createAnswer(await createCampaign(await call.json(), deps())),
  get: async (call, deps) => readAnswer(await readCampaign(call.params.campaignId ?? '', deps())),
  cancel: async (call, deps) => cancelAnswer(await cancelCampaign(call.params.campaignId ?? '', deps())),
  enqueue: (call, deps) =>
    taskRoute(call, deps().logger, 'enqueue', parseEnqueueBody, async (body) =>
      enqueueTaskAnswer(await enqueueChunk(body, deps())),
    ),
  dispatch: (call, deps) =>
    taskRoute(call, deps().logger, 'dispatch', parseDispatchBody, async (body) =>
      dispatchTaskAnswer(await dispatchRecipient(body, deps())),
    ),
});

/** A task route: its body read and parsed (a malformed one answered 200, as it never changes), then run. */
async function taskRoute<Body>(
  call: HttpCall,
  parentLogger: Logger,
  route: TaskRoute,
  parse: (json: Record<string, unknown>, campaignId: string) => ParsedTaskBody<Body>,
  run: (body: Body) => Promise<TaskAnswer>,
): Promise<HttpResult> {
  const logger = parentLogger.child({ campaignId: call.params.campaignId });
  const body = await taskBody(call, route, logger);
  if (body.kind === 'refused') return body.http;
  const parsed = parse(body.json, call.params.campaignId ?? '');
  if (parsed.kind === 'invalid') return written(malformedTaskAnswer(route, parsed.violations), logger);
  return written(await run(parsed.body), logger);
}

/** A task's JSON body; one that is not JSON (or too large) comes back the same on every retry: answered 200. */
async function taskBody(
  call: HttpCall,
  route: TaskRoute,
  logger: Logger,
): Promise<{ kind: 'json'; json: Record<string, unknown> } | { kind: 'refused'; http: HttpResult }> {
  try {
    return { kind: 'json', json: await call.json() };
  } catch (error) {
    if (!(error instanceof ApiError) || error.code >= 500) throw error;
    return { kind: 'refused', http: written(malformedTaskAnswer(route, error), logger) };
  }
}

function written(answer: TaskAnswer, logger: Logger): HttpResult {
  const { log } = answer;
  if (log) logAt(logger, log.severity, log.message, log.fields);
  return answer.http;
}

function createAnswer(outcome: CreateCampaignOutcome): HttpResult {
  switch (outcome.kind) {
    case 'created':
      return { status: 202, body: campaignView(outcome.campaign) };
    case 'replayed':
      return { status: 200, body: campaignView(outcome.campaign) };
    case 'conflict':
      return errorResult(
        new ApiError(
          409,
          `Campaign ${outcome.campaignId} already exists with a different request.`,
          'ALREADY_EXISTS',
        ),
      );
    case 'tasksUnavailable':
      return errorResult(
        new ApiError(
          503,
          `Campaign ${outcome.campaignId} is stored but not fully enqueued (Cloud Tasks: ${outcome.message}). Send the same request again to finish: nothing is enqueued or sent twice.`,
          'UNAVAILABLE',
        ),
      );
    case 'tasksRejected':
      return errorResult(
        new ApiError(
          500,
          `Campaign ${outcome.campaignId} is stored but Cloud Tasks refused its tasks (${outcome.status}: ${outcome.message}).`,
          'INTERNAL',
        ),
      );
    case 'storageUnavailable':
      return storageUnavailableResult(
        'send the same request again (same campaignId): nothing is sent twice.',
      );
  }
}

function notFound(): HttpResult {
  return errorResult(new ApiError(404, 'No such campaign.', 'NOT_FOUND'));
}

function readAnswer(outcome: ReadCampaignOutcome): HttpResult {
  if (outcome.kind === 'notFound') return notFound();
  return { status: 200, body: campaignView(outcome.campaign, outcome.progress) };
}

/** A campaign already COMPLETED stays so: the answer shows it, as it shows a repeated cancel. */
function cancelAnswer(outcome: CancelCampaignOutcome): HttpResult {
  if (outcome.kind === 'notFound') return notFound();
  return { status: 200, body: campaignView(outcome.campaign, outcome.progress) };
}
