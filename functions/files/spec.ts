import { PLATFORM_ENV, RBM_CLIENT_ENV, RBM_CLIENT_SECRETS, httpFunction } from '../../shared/runtime/spec.js';

export const filesSpec = httpFunction({
  name: 'files',
  description: 'Creates RBM files from URLs, once per URL (docs/conversation-api.md#files).',
  env: [
    ...PLATFORM_ENV,
    ...RBM_CLIENT_ENV,
    // Deadline of each Firestore call (shared/store/storage-deadline.ts).
    'FIRESTORE_DEADLINE_MS',
  ],
  secrets: RBM_CLIENT_SECRETS,
  pathCarriesPhoneNumbers: false,
  routes: {
    create: { method: 'POST', path: '/v1/files', summary: 'Create an RBM file from a URL' },
  },
});
