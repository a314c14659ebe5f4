/** webhook (HTTP): RBM's signed callbacks and verification handshake — CONTRACT §4. */
import * as functions from '@google-cloud/functions-framework';
import { loadWebhookConfig } from '../../shared/config/functions.js';
import { loadAtStartup } from '../../shared/config/startup.js';
import { installBodyParseErrorPassthrough } from '../../shared/http/body-parse-errors.js';
import { jsonObjectBody } from '../../shared/http/request.js';
import { methodNotAllowed, respond } from '../../shared/http/response.js';
import { createLogger } from '../../shared/log/logger.js';
import { withInjectedPublishFaults } from '../../shared/pubsub/fault-injection.js';
import { createPublisher } from '../../shared/pubsub/publisher.js';
import { handleWebhook } from '../../shared/webhook/handle-webhook.js';

installBodyParseErrorPassthrough();
const logger = createLogger({ function: 'webhook' });
const config = loadAtStartup(logger, () => loadWebhookConfig(process.env));
// Soak-test faults: active only with RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE set on the Pub/Sub emulator.
const publish = withInjectedPublishFaults(createPublisher(config.projectId), process.env, logger);

functions.http('webhook', (req, res) =>
  respond(res, logger, async () => {
    if (req.method !== 'POST') return methodNotAllowed(req.method, 'POST');
    return handleWebhook(
      { body: await jsonObjectBody(req), signature: req.get('x-goog-signature') },
      { clientToken: config.clientToken, inboundTopic: config.inboundTopic, publish, logger },
    );
  }),
);
