import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const eventsSpec = httpFunction({
  name: 'events',
  description: 'Sends READ and IS_TYPING agent events through RBM (docs/conversation-api.md#events).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: true,
  routes: {
    create: {
      method: 'POST',
      path: '/v1/phones/{phoneNumber}/agentEvents',
      summary: 'Send an agent event (READ or IS_TYPING)',
    },
  },
});
