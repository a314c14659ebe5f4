/**
 * campaigns (HTTP): POST /v1/campaigns, GET /v1/campaigns/{id}, POST /v1/campaigns/{id}:cancel, and the two
 * routes the campaign's Cloud Tasks call, :enqueue and :dispatch (docs/campaigns.md). Each outcome of the domain
 * becomes an HTTP answer here; for the task routes, 2xx means done (a permanent refusal included) and 5xx
 * means "retry me".
 */
import { campaignView } from '../../shared/campaign-record.js';
import { createCampaign, type CreateCampaignOutcome } from '../../shared/campaigns/create-campaign.js';
import { dispatchRecipient, type DispatchOutcome } from '../../shared/campaigns/dispatch-recipient.js';
import { enqueueChunk, type EnqueueChunkOutcome } from '../../shared/campaigns/enqueue-chunk.js';
import {
  cancelCampaign,
  readCampaign,
  type CancelCampaignOutcome,
  type ReadCampaignOutcome,
} from '../../shared/campaigns/read-campaign.js';
import { parseDispatchBody, parseEnqueueBody } from '../../shared/campaigns/tasks.js';
import { campaignsPath } from '../../shared/campaigns/wiring.js';
import { ApiError } from '../../shared/errors.js';
import {
  errorResult,
  rbmUnavailableResult,
  storageUnavailableResult,
  type HttpResult,
} from '../../shared/http/response.js';
import { MESSAGE_ID_HEADER } from '../../shared/outbound/headers.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { campaignsSpec } from './spec.js';

serveHttp(campaignsSpec, campaignsPath, {
  create: async (call, deps) => createAnswer(await createCampaign(await call.json(), deps())),
  get: async (call, deps) => readAnswer(await readCampaign(call.params.campaignId ?? '', deps())),
  cancel: async (call, deps) => cancelAnswer(await cancelCampaign(call.params.campaignId ?? '', deps())),
  enqueue: async (call, deps) => {
    const parsed = parseEnqueueBody(await call.json(), call.params.campaignId ?? '');
    if (parsed.kind === 'invalid') throw ApiError.invalidArgument(parsed.violations);
    return enqueueAnswer(await enqueueChunk(parsed.body, deps()));
  },
  dispatch: async (call, deps) => {
    const parsed = parseDispatchBody(await call.json(), call.params.campaignId ?? '');
    if (parsed.kind === 'invalid') throw ApiError.invalidArgument(parsed.violations);
    return dispatchAnswer(await dispatchRecipient(parsed.body, deps()));
  },
});

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

/** The queue retries anything but 2xx: only what a retry can fix answers 5xx. */
function enqueueAnswer(outcome: EnqueueChunkOutcome): HttpResult {
  switch (outcome.kind) {
    case 'enqueued':
      return { status: 200, body: { outcome: outcome.kind, tasks: outcome.tasks } };
    case 'deferred':
      return { status: 200, body: { outcome: outcome.kind, until: outcome.until.toISOString() } };
    case 'alreadyEnqueued':
    case 'cancelled':
      return { status: 200, body: { outcome: outcome.kind } };
    case 'notFound':
      return notFound();
    case 'tasksUnavailable':
      return errorResult(new ApiError(503, `Cloud Tasks unavailable: ${outcome.message}`, 'UNAVAILABLE'));
    case 'tasksRejected':
      return errorResult(
        new ApiError(500, `Cloud Tasks refused a task (${outcome.status}): ${outcome.message}`, 'INTERNAL'),
      );
    case 'storageUnavailable':
      return storageUnavailableResult();
  }
}

function dispatchAnswer(outcome: DispatchOutcome): HttpResult {
  const headers = { [MESSAGE_ID_HEADER]: outcome.messageId };
  switch (outcome.kind) {
    case 'notFound':
      return errorResult(new ApiError(404, 'No such campaign.', 'NOT_FOUND'), headers);
    case 'cancelled':
      return { status: 200, body: { outcome: 'cancelled' }, headers };
    case 'undeliverable':
      return { status: 200, body: { outcome: 'undeliverable', violations: outcome.violations }, headers };
    case 'sendOutcome':
      break;
  }
  const send = outcome.outcome;
  switch (send.kind) {
    case 'sent':
    case 'rejected':
    case 'unsubscribed':
    case 'idConflict':
      // Permanent: RBM took it (or took it earlier), refused it, or consent forbids it. No retry.
      return { status: 200, body: { outcome: send.kind }, headers };
    case 'rbmUnavailable':
      return rbmUnavailableResult(send, 'the queue retries this recipient.', headers);
    case 'storageUnavailable':
      return storageUnavailableResult(undefined, headers);
  }
}
