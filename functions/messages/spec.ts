import { PLATFORM_ENV, httpFunction } from '../../shared/runtime/spec.js';

export const messagesSpec = httpFunction({
  name: 'messages',
  description: 'Reads message state, user messages and consents, and sets consents (docs/query-api.md).',
  env: [
    ...PLATFORM_ENV,
    'RBM_AGENT_ID',
    'RBM_CONSENT_TOPIC',
    'RBM_PAGE_TOKEN_KEY',
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
  ],
  secrets: ['RBM_PAGE_TOKEN_KEY'],
  pathCarriesPhoneNumbers: true,
  routes: {
    getAgentMessage: {
      method: 'GET',
      path: '/v1/phones/{phoneNumber}/agentMessages/{messageId}',
      summary: 'Get one agent message record',
    },
    listPhoneAgentMessages: {
      method: 'GET',
      path: '/v1/phones/{phoneNumber}/agentMessages',
      summary: "List a phone's agent messages, newest first",
    },
    listAgentMessages: {
      method: 'GET',
      path: '/v1/agentMessages',
      summary: 'List agent messages across phones by state or campaign',
    },
    listUserMessages: {
      method: 'GET',
      path: '/v1/phones/{phoneNumber}/userMessages',
      summary: "List a phone's user messages, newest first",
    },
    getConsent: { method: 'GET', path: '/v1/consents/{phoneNumber}', summary: "Get a phone's consent" },
    putConsent: { method: 'PUT', path: '/v1/consents/{phoneNumber}', summary: "Set a phone's consent" },
  },
});
