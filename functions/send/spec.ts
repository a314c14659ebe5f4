import { SEND_PATH_ENV } from '../../shared/outbound/send-path-env.js';
import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const sendSpec = httpFunction({
  name: 'send',
  description: 'Sends an agent message through RBM, once, with durable state (docs/http-api.md#send).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    ...SEND_PATH_ENV,
    'RBM_CAPABILITY_TTL_S',
    'RBM_CAPABILITY_NEGATIVE_TTL_S',
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
