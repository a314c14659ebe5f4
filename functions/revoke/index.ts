/** revoke (HTTP): DELETE /v1/phones/{E.164}/agentMessages/{messageId} (docs/http-api.md#revoke). */
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { ApiError } from '../../shared/errors.js';
import { errorResult, type HttpResult } from '../../shared/http/response.js';
import { revokeMessage, type RevokeOutcome } from '../../shared/outbound/revoke-message.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { revokeSpec } from './spec.js';

serveHttp(
  revokeSpec,
  (platform) => {
    const rbmConfig = loadConfig(platform, loadRbmConfig);
    return {
      agentId: rbmConfig.agentId,
      logger: platform.logger,
      store: lazy(() => new AgentMessageStore(platform.firestore())),
      rbm: lazy(() => new RbmClient(rbmConfig, { logger: platform.logger })),
    };
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
          { agentId: deps.agentId, store: deps.store(), rbm: deps.rbm(), logger: deps.logger },
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
      return errorResult(
        new ApiError(
          503,
          `RBM API unavailable after ${outcome.attempts} attempt(s); the message was not revoked.`,
          'UNAVAILABLE',
        ),
      );
  }
}
