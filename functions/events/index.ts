/** events (HTTP): POST /v1/phones/{E.164}/agentEvents (docs/conversation-api.md#events). */
import {
  EVENT_ID_HEADER,
  sendAgentEvent,
  type AgentEventOutcome,
} from '../../shared/agent-events/send-agent-event.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { ApiError } from '../../shared/errors.js';
import { errorResult, type HttpResult } from '../../shared/http/response.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { recordReadByAgent } from '../../shared/store/user-message-reads.js';
import { eventsSpec } from './spec.js';

serveHttp(
  eventsSpec,
  (platform) => {
    const rbmConfig = loadConfig(platform, loadRbmConfig);
    return {
      agentId: rbmConfig.agentId,
      logger: platform.logger,
      db: () => platform.firestore(),
      rbm: lazy(() => new RbmClient(rbmConfig, { logger: platform.logger })),
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
            recordReadByAgent: (messageId, at) => recordReadByAgent(deps.db(), messageId, at),
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
      return errorResult(
        new ApiError(
          503,
          `RBM API unavailable after ${outcome.attempts} attempt(s) (${outcome.rbmStatus}); the event was not sent. Retry with the same eventId.`,
          'UNAVAILABLE',
        ),
        headers,
      );
  }
}
