import { SEND_PATH_ENV } from '../../shared/outbound/send-path-env.js';
import {
  ONE_MIB,
  PLATFORM_ENV,
  RBM_CLIENT_ENV,
  RBM_CLIENT_SECRETS,
  httpFunction,
} from '../../shared/runtime/spec.js';

export const campaignsSpec = httpFunction({
  name: 'campaigns',
  description:
    'One agent message to many phones, paced through Cloud Tasks, resumable and never sent twice (docs/campaigns.md).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    // Dispatch runs the send path.
    ...SEND_PATH_ENV,
    'CLOUD_TASKS_QUEUE',
    'CLOUD_TASKS_ENDPOINT',
    'CLOUD_TASKS_AUTH',
    'CAMPAIGNS_DISPATCH_URL',
    'CAMPAIGNS_TASKS_SERVICE_ACCOUNT',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: false,
  // Up to 100,000 recipients in one request.
  maxBodyBytes: 4 * ONE_MIB,
  routes: {
    create: { method: 'POST', path: '/v1/campaigns', summary: 'Create a campaign' },
    get: { method: 'GET', path: '/v1/campaigns/{campaignId}', summary: 'Read a campaign and its counts' },
    cancel: { method: 'POST', path: '/v1/campaigns/{campaignId}:cancel', summary: 'Cancel a campaign' },
    dispatch: {
      method: 'POST',
      path: '/v1/campaigns/{campaignId}:dispatch',
      summary: 'Send to one recipient (called by the campaign’s Cloud Tasks queue)',
    },
    enqueue: {
      method: 'POST',
      path: '/v1/campaigns/{campaignId}:enqueue',
      summary: 'Enqueue one chunk of recipients (called by the campaign’s Cloud Tasks queue)',
    },
  },
});
