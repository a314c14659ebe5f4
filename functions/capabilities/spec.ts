import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const capabilitiesSpec = httpFunction({
  name: 'capabilities',
  description:
    "Checks a phone's RCS capabilities and reachability through RBM, cached (docs/conversation-api.md#capabilities).",
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    'RBM_CAPABILITY_TTL_S',
    'RBM_CAPABILITY_NEGATIVE_TTL_S',
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: true,
  routes: {
    get: {
      method: 'GET',
      path: '/v1/phones/{phoneNumber}/capabilities',
      summary: "Get a phone's capabilities",
    },
    batchGet: {
      method: 'POST',
      path: '/v1/users:batchGet',
      summary: 'Which of many phones are reachable over RBM',
    },
  },
});
