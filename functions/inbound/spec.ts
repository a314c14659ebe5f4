import { PLATFORM_ENV, cloudEventFunction } from '../../shared/runtime/spec.js';

export const inboundSpec = cloudEventFunction({
  name: 'inbound',
  description:
    'Applies each RBM callback from Pub/Sub to durable state and publishes user messages (docs/data-model.md).',
  env: [
    ...PLATFORM_ENV,
    'RBM_AGENT_ID',
    'RBM_USER_MESSAGES_TOPIC',
    'INBOUND_PUBLISH_LEASE_MS',
    'INBOUND_DEADLINE_MS',
  ],
  pathCarriesPhoneNumbers: false,
});
