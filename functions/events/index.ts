/** events (HTTP): POST /v1/phones/{E.164}/agentEvents (docs/conversation-api.md#events). */
import {
  EVENT_ID_HEADER,
  sendAgentEvent,
  type AgentEventOutcome,
} from '../../shared/agent-events/send-agent-event.js';
import { rbmUnavailableResult, type HttpResult } from '../../shared/http/response.js';
import { rbmCaller } from '../../shared/rbm/caller.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy } from '../../shared/runtime/platform.js';
import { withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { recordReadByAgent } from '../../shared/store/user-message-reads.js';
import { eventsSpec } from './spec.js';

serveHttp(
  eventsSpec,
  (platform) => {
    const caller = rbmCaller(platform);
    return {
      ...caller,
      // A hung Firestore answers 503 within the function's budget, not after minutes.
      reads: lazy(() =>
        withStorageDeadline(
          { record: (messageId: string, at: Date) => recordReadByAgent(caller.db(), messageId, at) },
          caller.storageDeadlineMs,
          'userMessages',
        ),
      ),
    };
  },
  {
    create: async (call, deps) =>
      eventAnswer(
        await sendAgentEvent(
          {
            phoneNumber: call.params.phoneNumber ?? '',
            query: call.request.query,
            idempotencyKey: call.header('idempotency-key'),
            body: await call.json(),
          },
          {
            agentId: deps.agentId,
            rbm: deps.rbm(),
            recordReadByAgent: (messageId, at) => deps.reads().record(messageId, at),
            logger: deps.logger,
          },
        ),
      ),
  },
);

function eventAnswer(outcome: AgentEventOutcome): HttpResult {
  const headers = { [EVENT_ID_HEADER]: outcome.eventId };
  switch (outcome.kind) {
    case 'sent':
      return { status: 200, body: outcome.body, headers };
    case 'rejected':
      return { status: outcome.status, body: { error: outcome.error }, headers };
    case 'rbmUnavailable':
      return rbmUnavailableResult(outcome, 'the event was not sent. Retry with the same eventId.', headers);
  }
}
