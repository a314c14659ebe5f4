import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const revokeSpec = httpFunction({
  name: 'revoke',
  description: 'Revokes an agent message that is not delivered yet (docs/http-api.md#revoke).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    'RBM_STATUS_TOPIC',
    'RBM_FALLBACK_TOPIC',
    // Test fault injection on status and fallback events; inert unless the Pub/Sub emulator is in use.
    'RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE',
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: true,
  routes: {
    revoke: {
      method: 'DELETE',
      path: '/v1/phones/{phoneNumber}/agentMessages/{messageId}',
      summary: 'Revoke an agent message',
    },
  },
});
