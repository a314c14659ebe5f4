/**
 * The dependencies of the send path, built once per instance from the platform: shared by the `send`
 * function and campaign dispatch, which run the same path.
 */
import { loadConsentMode, loadEventTopics } from '../config/functions.js';
import { loadRbmConfig } from '../config/rbm.js';
import { OutcomePublisher } from '../events/outcome-publisher.js';
import { withInjectedPublishFaults } from '../pubsub/fault-injection.js';
import { RbmClient } from '../rbm/client.js';
import { lazy, loadConfig, type Platform } from '../runtime/platform.js';
import { AgentMessageStore } from '../store/agent-messages.js';
import { getConsent } from '../store/consents.js';
import type { SendDeps } from './send-message.js';

export function sendPath(platform: Platform): () => SendDeps {
  const config = loadConfig(platform, (env) => ({
    rbm: loadRbmConfig(env),
    topics: loadEventTopics(env),
    consentMode: loadConsentMode(env),
  }));
  return lazy(() => {
    const db = platform.firestore();
    const store = new AgentMessageStore(db);
    return {
      agentId: config.rbm.agentId,
      store,
      rbm: new RbmClient(config.rbm, { logger: platform.logger }),
      logger: platform.logger,
      consent: { mode: config.consentMode, get: (phoneNumber) => getConsent(db, phoneNumber) },
      events: new OutcomePublisher({
        publish: withInjectedPublishFaults(platform.publisher(), platform.env, platform.logger),
        topics: config.topics,
        store,
        logger: platform.logger,
      }),
    };
  });
}
