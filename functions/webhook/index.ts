/** webhook (HTTP): RBM's signed callbacks and verification handshake (docs/http-api.md#webhook). */
import { loadWebhookConfig } from '../../shared/config/functions.js';
import { ApiError } from '../../shared/errors.js';
import { errorResult, type HttpResult } from '../../shared/http/response.js';
import { withInjectedPublishFaults } from '../../shared/pubsub/fault-injection.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { loadConfig } from '../../shared/runtime/platform.js';
import { handleWebhook, type WebhookOutcome } from '../../shared/webhook/handle-webhook.js';
import { webhookSpec } from './spec.js';

serveHttp(
  webhookSpec,
  (platform) => {
    const config = loadConfig(platform, loadWebhookConfig);
    return {
      ...config,
      logger: platform.logger,
      // Soak-test faults: active only with RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE set on the Pub/Sub emulator.
      publish: withInjectedPublishFaults(platform.publisher(), platform.env, platform.logger),
    };
  },
  {
    callback: async (call, deps) =>
      webhookAnswer(
        await handleWebhook({ body: await call.json(), signature: call.header('x-goog-signature') }, deps),
      ),
  },
);

function webhookAnswer(outcome: WebhookOutcome): HttpResult {
  switch (outcome.kind) {
    case 'handshakeAnswered':
      return { status: 200, text: outcome.secret };
    case 'handshakeRefused':
      return errorResult(new ApiError(403, 'Client token does not match.', 'PERMISSION_DENIED'));
    case 'signatureInvalid':
      return errorResult(new ApiError(401, 'Missing or invalid X-Goog-Signature.', 'UNAUTHENTICATED'));
    case 'published':
      return { status: 200, body: {} };
    case 'publishFailed':
      return errorResult(
        new ApiError(500, 'Could not hand the callback over to Pub/Sub; retry later.', 'INTERNAL'),
      );
  }
}
