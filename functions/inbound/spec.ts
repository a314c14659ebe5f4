import {
  PLATFORM_ENV,
  RBM_CLIENT_ENV,
  RBM_CLIENT_SECRETS,
  cloudEventFunction,
} from '../../shared/runtime/spec.js';

export const inboundSpec = cloudEventFunction({
  name: 'inbound',
  description:
    'Applies each RBM callback from Pub/Sub to durable state and publishes what changed (docs/data-model.md).',
  env: [
    ...PLATFORM_ENV,
    // The RBM client is used only for automatic READ events (RBM_AUTO_READ).
    ...RBM_CLIENT_ENV,
    'RBM_USER_MESSAGES_TOPIC',
    'RBM_STATUS_TOPIC',
    'RBM_FALLBACK_TOPIC',
    // Test fault injection on status and fallback events; inert unless the Pub/Sub emulator is in use.
    'RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE',
    'RBM_CONSENT_TOPIC',
    'RBM_OPT_OUT_KEYWORDS',
    'RBM_OPT_IN_KEYWORDS',
    'RBM_AUTO_READ',
    'INBOUND_PUBLISH_LEASE_MS',
    // Test fault injection: holds each message's first publish (shared/pubsub/publish-delay.ts); emulator only.
    'RBM_FAULT_PUBLISH_DELAY_FIRST_MS',
    'INBOUND_DEADLINE_MS',
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
    // deleteAt of new user messages and records, for the Firestore TTL policies (shared/store/retention.ts).
    'RBM_USER_MESSAGE_RETENTION_DAYS',
    'RBM_AGENT_MESSAGE_RETENTION_DAYS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: false,
});
