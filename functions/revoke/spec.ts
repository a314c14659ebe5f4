import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const revokeSpec = httpFunction({
  name: 'revoke',
  description: 'Revokes an agent message that is not delivered yet (docs/http-api.md#revoke).',
  env: [...PLATFORM_ENV, ...RBM_CLIENT_ENV, 'RBM_STATUS_TOPIC', 'RBM_FALLBACK_TOPIC'],
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
