/** inbound (CloudEvent, Pub/Sub messagePublished): RBM callbacks → durable state (docs/data-model.md). */
import { positiveInteger } from '../../shared/config/env.js';
import { loadInboundConfig } from '../../shared/config/functions.js';
import { withDeadline } from '../../shared/deadline.js';
import { processInbound } from '../../shared/inbound/process-inbound.js';
import { serveCloudEvent } from '../../shared/runtime/cloud-event.js';
import { loadConfig } from '../../shared/runtime/platform.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { inboundSpec } from './spec.js';

serveCloudEvent(
  inboundSpec,
  (platform) => {
    const config = loadConfig(platform, (env) => ({
      ...loadInboundConfig(env),
      // How long an unfinished user-message publish is protected from takeover by a redelivery.
      claimLeaseMs: positiveInteger(env, 'INBOUND_PUBLISH_LEASE_MS', 30_000),
      // A message not processed by then fails fast (and is redelivered) instead of waiting out client retries.
      deadlineMs: positiveInteger(env, 'INBOUND_DEADLINE_MS', 20_000),
    }));
    return { config, platform };
  },
  async (event, { config, platform }) => {
    const db = platform.firestore();
    const work = processInbound(event.data, event.id, {
      db,
      store: new AgentMessageStore(db),
      publish: platform.publisher(),
      agentId: config.agentId,
      userMessagesTopic: config.userMessagesTopic,
      logger: platform.logger,
      now: () => new Date(),
      claimLeaseMs: config.claimLeaseMs,
    });
    await withDeadline(work, config.deadlineMs, 'inbound processing');
  },
);
