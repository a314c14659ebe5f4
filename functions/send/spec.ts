import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const sendSpec = httpFunction({
  name: 'send',
  description: 'Sends an agent message through RBM, once, with durable state (docs/http-api.md#send).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    'RBM_STATUS_TOPIC',
    'RBM_FALLBACK_TOPIC',
    // Test fault injection on status and fallback events; inert unless the Pub/Sub emulator is in use.
    'RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE',
    'RBM_CONSENT_MODE',
    'RBM_CAPABILITY_TTL_S',
    'RBM_CAPABILITY_NEGATIVE_TTL_S',
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
    // deleteAt of new records, for the Firestore TTL policy (shared/store/retention.ts).
    'RBM_AGENT_MESSAGE_RETENTION_DAYS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: true,
  routes: {
    send: {
      method: 'POST',
      path: '/v1/phones/{phoneNumber}/agentMessages',
      summary: 'Send an agent message',
    },
  },
});
