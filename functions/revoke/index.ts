/** revoke (HTTP): DELETE /v1/phones/{E.164}/agentMessages/{messageId} (docs/http-api.md#revoke). */
import { loadEventTopics } from '../../shared/config/functions.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import { ApiError } from '../../shared/errors.js';
import { errorResult, rbmUnavailableResult, type HttpResult } from '../../shared/http/response.js';
import { revokeMessage, type RevokeOutcome } from '../../shared/outbound/revoke-message.js';
import { withInjectedPublishFaults } from '../../shared/pubsub/fault-injection.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { firestore } from '../../shared/store/firestore.js';
import { storageDeadlineMs, withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { revokeSpec } from './spec.js';

serveHttp(
  revokeSpec,
  (platform) => {
    const config = loadConfig(platform, (env) => ({
      rbm: loadRbmConfig(env),
      topics: loadEventTopics(env),
      storageDeadlineMs: storageDeadlineMs(env),
    }));
    return lazy(() => {
      // A hung Firestore answers 503 within the function's budget, not after minutes.
      const store = withStorageDeadline(
        new AgentMessageStore(firestore(platform.projectId)),
        config.storageDeadlineMs,
        'agentMessages',
      );
      const { logger } = platform;
      return {
        agentId: config.rbm.agentId,
        logger,
        store,
        rbm: new RbmClient(config.rbm, { logger }),
        events: new OutcomePublisher({
          publish: withInjectedPublishFaults(platform.publisher(), platform.env, logger),
          topics: config.topics,
          store,
          logger,
        }),
      };
    });
  },
  {
    revoke: async (call, deps) =>
      revokeAnswer(
        await revokeMessage(
          {
            phoneNumber: call.params.phoneNumber ?? '',
            messageId: call.params.messageId ?? '',
            agentId: call.query('agentId'),
          },
          deps(),
        ),
      ),
  },
);

function revokeAnswer(outcome: RevokeOutcome): HttpResult {
  switch (outcome.kind) {
    case 'revoked':
      return { status: 200, body: {} };
    case 'alreadyDelivered':
      return errorResult(
        new ApiError(404, 'The message was already delivered; it cannot be revoked.', 'NOT_FOUND'),
      );
    case 'rejected':
      return { status: outcome.status, body: { error: outcome.error } };
    case 'rbmUnavailable':
      return rbmUnavailableResult(outcome, 'the message was not revoked.');
  }
}
