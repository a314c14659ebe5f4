import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const reconcileSpec = httpFunction({
  name: 'reconcile',
  description:
    'Scheduled: publishes unconfirmed events and consent changes left unpublished, and runs the fallback timer rules (docs/status-and-fallback.md).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    'RBM_STATUS_TOPIC',
    'RBM_FALLBACK_TOPIC',
    'RBM_CONSENT_TOPIC',
    'RBM_FALLBACK_GRACE_S',
    'RBM_PENDING_TIMEOUT_S',
    'RBM_RECONCILE_UNCONFIRMED_AFTER_S',
    'RBM_RECONCILE_BATCH_SIZE',
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: false,
  routes: {
    run: { method: 'POST', path: '/', summary: 'Run one bounded reconcile pass and answer its summary' },
  },
});
