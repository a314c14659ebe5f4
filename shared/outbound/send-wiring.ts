/**
 * The dependencies of the send path, built once per instance from the platform: shared by the `send`
 * function and campaign dispatch, which run the same path.
 */
import { loadConsentMode, loadEventTopics } from '../config/functions.js';
import { loadRbmConfig } from '../config/rbm.js';
import { OutcomePublisher } from '../publishing/outcome-publisher.js';
import { withInjectedPublishFaults } from '../pubsub/fault-injection.js';
import { RbmClient } from '../rbm/client.js';
import { lazy, loadConfig, type Platform } from '../runtime/platform.js';
import { AgentMessageStore } from '../store/agent-messages.js';
import { capabilityCache } from '../store/capabilities.js';
import { getConsent } from '../store/consents.js';
import { firestore } from '../store/firestore.js';
import { retentionDays } from '../store/retention.js';
import { storageDeadlineMs, withStorageDeadline } from '../store/storage-deadline.js';
import type { SendDeps } from './send-message.js';

export function sendPath(platform: Platform): () => SendDeps {
  const config = loadConfig(platform, (env) => ({
    rbm: loadRbmConfig(env),
    topics: loadEventTopics(env),
    consentMode: loadConsentMode(env),
    storageDeadlineMs: storageDeadlineMs(env),
    retentionDays: retentionDays(env, 'agentMessages'),
  }));
  return lazy(() => {
    const db = firestore(platform.projectId);
    // A hung Firestore answers 503 (with the message id) within the function's budget, not after minutes.
    const bounded = config.storageDeadlineMs;
    const store = withStorageDeadline(
      new AgentMessageStore(db, { retentionDays: config.retentionDays }),
      bounded,
      'agentMessages',
    );
    const consents = withStorageDeadline(
      { get: (phone: string) => getConsent(db, phone) },
      bounded,
      'consents',
    );
    const capabilities = withStorageDeadline(capabilityCache(db), bounded, 'capabilities');
    return {
      agentId: config.rbm.agentId,
      store,
      rbm: new RbmClient(config.rbm, { logger: platform.logger }),
      logger: platform.logger,
      consent: { mode: config.consentMode, get: (phoneNumber) => consents.get(phoneNumber) },
      // A create answered 404 is RBM saying the phone is not on RCS: the capability cache learns it too.
      onNotReachable: (phoneNumber) => capabilities.recordNotReachable(phoneNumber, 'SEND', new Date()),
      events: new OutcomePublisher({
        publish: withInjectedPublishFaults(platform.publisher(), platform.env, platform.logger),
        topics: config.topics,
        store,
        logger: platform.logger,
      }),
    };
  });
}
