/** inbound (CloudEvent, Pub/Sub messagePublished): RBM callbacks → durable state (docs/data-model.md). */
import { sendReadEvent } from '../../shared/agent-events/send-agent-event.js';
import { publishConsentChanges } from '../../shared/publishing/consent-publisher.js';
import {
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  consentKeywords,
  parseKeywordList,
} from '../../shared/consent/keywords.js';
import { ConfigError, optionalString, positiveInteger, type Env } from '../../shared/config/env.js';
import { loadConsentTopic, loadEventTopics, loadInboundConfig } from '../../shared/config/functions.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { withDeadline } from '../../shared/deadline.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import { withInboundStorageDeadline } from '../../shared/inbound/bounded-storage.js';
import { processInbound } from '../../shared/inbound/process-inbound.js';
import { TransientError } from '../../shared/inbound/transient-error.js';
import { withInjectedPublishFaults } from '../../shared/pubsub/fault-injection.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { serveCloudEvent } from '../../shared/runtime/cloud-event.js';
import { lazy, loadConfig, type Platform } from '../../shared/runtime/platform.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { firestore } from '../../shared/store/firestore.js';
import { firestoreInboundStorage } from '../../shared/store/inbound-storage.js';
import { capabilityCache } from '../../shared/store/capabilities.js';
import { consentStore } from '../../shared/store/consents.js';
import { retentionDays } from '../../shared/store/retention.js';
import { storageDeadlineMs, withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { recordReadByAgent } from '../../shared/store/user-message-reads.js';
import { inboundSpec } from './spec.js';

function autoRead(env: Env): boolean {
  const value = optionalString(env, 'RBM_AUTO_READ')?.toLowerCase();
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ConfigError('RBM_AUTO_READ', 'must be true or false.');
}

function loadInbound(env: Env) {
  const read = autoRead(env);
  return {
    ...loadInboundConfig(env),
    topics: loadEventTopics(env),
    consentTopic: loadConsentTopic(env),
    keywords: consentKeywords(
      parseKeywordList(optionalString(env, 'RBM_OPT_OUT_KEYWORDS'), DEFAULT_OPT_OUT_KEYWORDS),
      parseKeywordList(optionalString(env, 'RBM_OPT_IN_KEYWORDS'), DEFAULT_OPT_IN_KEYWORDS),
    ),
    // Only automatic READs call RBM: without them the RBM settings are not needed.
    rbm: read ? loadRbmConfig(env) : undefined,
    // How long an unfinished user-message or consent-change publish is protected from takeover.
    claimLeaseMs: positiveInteger(env, 'INBOUND_PUBLISH_LEASE_MS', 30_000),
    // A message not processed by then fails fast (and is redelivered) instead of waiting out client retries.
    deadlineMs: positiveInteger(env, 'INBOUND_DEADLINE_MS', 20_000),
    // Each storage call's own deadline: a hung Firestore fails the message sooner, into a redelivery.
    storageDeadlineMs: storageDeadlineMs(env),
    retention: {
      agentMessages: retentionDays(env, 'agentMessages'),
      userMessages: retentionDays(env, 'userMessages'),
    },
  };
}

function setup(platform: Platform) {
  const config = loadConfig(platform, loadInbound);
  const deps = lazy(() => {
    const db = firestore(platform.projectId);
    const store = new AgentMessageStore(db, { retentionDays: config.retention.agentMessages });
    // Every storage call is bounded; past its deadline the message is redelivered, never kept as a reject.
    const ms = config.storageDeadlineMs;
    const records = withStorageDeadline(store, ms, 'agentMessages');
    const consents = withStorageDeadline(consentStore(db), ms, 'consents');
    const capabilities = withStorageDeadline(capabilityCache(db), ms, 'capabilities');
    const reads = withStorageDeadline(
      { record: (id: string, at: Date) => recordReadByAgent(db, id, at) },
      ms,
      'userMessages',
    );
    const publish = platform.publisher();
    const { logger } = platform;
    const rbm = config.rbm ? new RbmClient(config.rbm, { logger }) : undefined;
    const now = () => new Date();
    return {
      storage: withInboundStorageDeadline(firestoreInboundStorage(db, store), ms),
      publish,
      agentId: config.agentId,
      userMessagesTopic: config.userMessagesTopic,
      logger,
      now,
      claimLeaseMs: config.claimLeaseMs,
      userMessageRetentionDays: config.retention.userMessages,
      keywords: config.keywords,
      // Test fault injection reaches only the events, so their redelivery path can be exercised.
      events: new OutcomePublisher({
        publish: withInjectedPublishFaults(publish, platform.env, logger),
        topics: config.topics,
        store: records,
        logger,
      }),
      recordConsent: async (change: Parameters<typeof consents.applyChange>[0], pubsubMessageId?: string) => {
        const result = await consents.applyChange(change, now);
        await publishConsentChanges(result, {
          consents,
          publish,
          topicId: config.consentTopic,
          // The same lease as user messages: both protect a publish bounded to a third of it.
          claimLeaseMs: config.claimLeaseMs,
          ...(pubsubMessageId ? { holder: pubsubMessageId } : {}),
        });
        return result.applied;
      },
      onNewUserMessage: async (message: { messageId: string; phoneNumber: string }) => {
        await capabilities.recordReachable(message.phoneNumber, 'INBOUND', now());
        if (rbm === undefined) return;
        const read = await sendReadEvent(
          { phoneNumber: message.phoneNumber, userMessageId: message.messageId },
          {
            agentId: config.agentId,
            rbm,
            logger,
            now,
            recordReadByAgent: (id, at) => reads.record(id, at),
          },
        );
        if (read.kind === 'rbmUnavailable')
          throw new TransientError('automatic READ not sent; redelivery retries it');
      },
    };
  });
  return { config, deps };
}

serveCloudEvent(inboundSpec, setup, async (event, { config, deps }) => {
  await withDeadline(processInbound(event.data, event.id, deps()), config.deadlineMs, 'inbound processing');
});
