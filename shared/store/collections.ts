/**
 * Every Firestore collection of the product, named once. Functions, the sandbox, the scripts and the tests
 * all use these names (docs/data-model.md describes each document).
 */
export const COLLECTIONS = {
  agentMessages: 'agentMessages',
  userMessages: 'userMessages',
  consents: 'consents',
  /** Subcollection of `consents/{E.164}`. */
  consentHistory: 'history',
  inboundRejects: 'inboundRejects',
  agentLaunchEvents: 'agentLaunchEvents',
  capabilities: 'capabilities',
  files: 'files',
  campaigns: 'campaigns',
  /** Subcollection of `campaigns/{campaignId}`: the recipient list, in chunks. */
  campaignChunks: 'chunks',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];
