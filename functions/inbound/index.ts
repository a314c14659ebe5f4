/** inbound (CloudEvent, Pub/Sub messagePublished): RBM callbacks → durable state — CONTRACT §5–6. */
import * as functions from '@google-cloud/functions-framework';
import { positiveInteger } from '../../shared/config/env.js';
import { loadInboundConfig } from '../../shared/config/functions.js';
import { loadAtStartup } from '../../shared/config/startup.js';
import { withDeadline } from '../../shared/deadline.js';
import { processInbound } from '../../shared/inbound/process-inbound.js';
import { createLogger } from '../../shared/log/logger.js';
import { createPublisher } from '../../shared/pubsub/publisher.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { firestore } from '../../shared/store/firestore.js';

const logger = createLogger({ function: 'inbound' });
const config = loadAtStartup(logger, () => ({
  ...loadInboundConfig(process.env),
  // How long an unfinished user-message publish is protected from takeover by a redelivery.
  claimLeaseMs: positiveInteger(process.env, 'INBOUND_PUBLISH_LEASE_MS', 30_000),
  // A message not processed by then fails fast (and is redelivered) instead of waiting out client retries.
  deadlineMs: positiveInteger(process.env, 'INBOUND_DEADLINE_MS', 20_000),
}));
const publish = createPublisher(config.projectId);

function redeliveryRequested(): Error {
  const error = new Error('inbound processing failed; redelivery requested (see the structured log)');
  error.stack = error.message;
  return error;
}

functions.cloudEvent('inbound', async (event: functions.CloudEvent<unknown>) => {
  const db = firestore(config.projectId);
  const work = processInbound(event.data, event.id, {
    db,
    store: new AgentMessageStore(db),
    publish,
    agentId: config.agentId,
    userMessagesTopic: config.userMessagesTopic,
    logger,
    now: () => new Date(),
    claimLeaseMs: config.claimLeaseMs,
  });
  try {
    await withDeadline(work, config.deadlineMs, 'inbound processing');
  } catch (error) {
    logger.warn('Inbound failed; Pub/Sub will redeliver', { pubsubMessageId: event.id, err: error });
    // Thrown on purpose: the push gets a 500, Pub/Sub redelivers, and dead-letters after its attempts. The
    // framework prints what is thrown, stack and all, outside our redacting logger: throw only a fixed text.
    throw redeliveryRequested();
  }
});
