/** reconcile (HTTP, Cloud Scheduler with OIDC): POST / runs one bounded pass (docs/status-and-fallback.md). */
import { positiveInteger } from '../../shared/config/env.js';
import { loadConsentTopic, loadEventTopics, secondsAsMs } from '../../shared/config/functions.js';
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { DEFAULT_CONSENT_CLAIM_LEASE_MS } from '../../shared/publishing/consent-publisher.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { reconcile } from '../../shared/reconcile/reconcile.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { AgentMessageStore } from '../../shared/store/agent-messages.js';
import { consentStore } from '../../shared/store/consents.js';
import { storageDeadlineMs, withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { reconcileSpec } from './spec.js';
import { firestore } from '../../shared/store/firestore.js';

serveHttp(
  reconcileSpec,
  (platform) => {
    const config = loadConfig(platform, (env) => ({
      rbm: loadRbmConfig(env),
      topics: loadEventTopics(env),
      consentTopic: loadConsentTopic(env),
      settings: {
        graceMs: secondsAsMs(env, 'RBM_FALLBACK_GRACE_S', 600),
        pendingTimeoutMs: secondsAsMs(env, 'RBM_PENDING_TIMEOUT_S', 3600),
        unconfirmedAfterMs: secondsAsMs(env, 'RBM_RECONCILE_UNCONFIRMED_AFTER_S', 60),
        batchSize: positiveInteger(env, 'RBM_RECONCILE_BATCH_SIZE', 200),
      },
      storageDeadlineMs: storageDeadlineMs(env),
    }));
    const deps = lazy(() => {
      // A hung Firestore fails the pass (503; the next pass catches up) instead of holding it for minutes.
      const store = withStorageDeadline(
        new AgentMessageStore(firestore(platform.projectId)),
        config.storageDeadlineMs,
        'agentMessages',
      );
      const { logger } = platform;
      const publish = platform.publisher();
      const consents = withStorageDeadline(
        consentStore(firestore(platform.projectId)),
        config.storageDeadlineMs,
        'consents',
      );
      return {
        store,
        logger,
        consents: {
          store: consents,
          publish,
          topicId: config.consentTopic,
          claimLeaseMs: DEFAULT_CONSENT_CLAIM_LEASE_MS,
        },
        rbm: new RbmClient(config.rbm, { logger }),
        events: new OutcomePublisher({ publish, topics: config.topics, store, logger }),
      };
    });
    return { settings: config.settings, deps, logger: platform.logger };
  },
  {
    run: async (_call, { settings, deps, logger }) => {
      const summary = await reconcile(settings, deps());
      logger.info('Reconcile pass finished', { summary });
      return { status: 200, body: summary };
    },
  },
);
