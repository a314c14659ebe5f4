import { PLATFORM_ENV, httpFunction } from '../../shared/runtime/spec.js';

export const webhookSpec = httpFunction({
  name: 'webhook',
  description:
    "RBM's signed webhook: verifies each callback and publishes it to Pub/Sub (docs/http-api.md#webhook).",
  env: [
    ...PLATFORM_ENV,
    'RBM_WEBHOOK_CLIENT_TOKEN',
    'RBM_INBOUND_TOPIC',
    // Soak-test fault injection; inert unless the Pub/Sub emulator is in use.
    'RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE',
  ],
  secrets: ['RBM_WEBHOOK_CLIENT_TOKEN'],
  pathCarriesPhoneNumbers: false,
  routes: {
    callback: { method: 'POST', path: '/', summary: 'RBM callback or verification handshake' },
  },
});
