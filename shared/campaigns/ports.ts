/** What the campaign operations need from storage and from Cloud Tasks (the store and CampaignTasks satisfy them). */
import type { CampaignStore } from '../store/campaigns.js';
import type { CampaignTasks } from './tasks.js';

export type CampaignStorePort = Pick<
  CampaignStore,
  | 'create'
  | 'get'
  | 'getState'
  | 'getChunk'
  | 'markChunkEnqueued'
  | 'markChunkTasksCreated'
  | 'transition'
  | 'countByState'
  | 'countRecords'
  | 'countEnqueuedChunks'
>;

export type CampaignTaskPort = Pick<CampaignTasks, 'createChunkTask' | 'createRecipientTask'>;
