/** Reading and cancelling a campaign: the document with its counts (docs/campaigns.md#progress). */
import type { CampaignProgress, CampaignRecord } from '../campaign-record.js';
import { isCampaignId } from './ids.js';
import type { CampaignStorePort } from './ports.js';
import { readProgress } from './progress.js';

export interface ReadCampaignDeps {
  store: Pick<CampaignStorePort, 'get' | 'transition' | 'countByState' | 'countEnqueuedChunks'>;
  now?: () => Date;
}

export type ReadCampaignOutcome =
  { kind: 'found'; campaign: CampaignRecord; progress: Required<CampaignProgress> } | { kind: 'notFound' };

export type CancelCampaignOutcome =
  /** Cancelled now, or earlier (`already`): the tasks not yet run send nothing. */
  | { kind: 'cancelled'; already: boolean; campaign: CampaignRecord; progress: Required<CampaignProgress> }
  /** Every recipient was dispatched before the cancel: nothing left to stop, the campaign stays COMPLETED. */
  | { kind: 'completed'; campaign: CampaignRecord; progress: Required<CampaignProgress> }
  | { kind: 'notFound' };

export async function readCampaign(campaignId: string, deps: ReadCampaignDeps): Promise<ReadCampaignOutcome> {
  if (!isCampaignId(campaignId)) return { kind: 'notFound' };
  const record = await deps.store.get(campaignId);
  if (record === undefined) return { kind: 'notFound' };
  const { record: campaign, progress } = await readProgress(deps.store, record, (deps.now ?? now)());
  return { kind: 'found', campaign, progress };
}

export async function cancelCampaign(
  campaignId: string,
  deps: ReadCampaignDeps,
): Promise<CancelCampaignOutcome> {
  if (!isCampaignId(campaignId)) return { kind: 'notFound' };
  const result = await deps.store.transition(campaignId, 'CANCELLED', (deps.now ?? now)());
  if (result.record === undefined) return { kind: 'notFound' };
  const { record: campaign, progress } = await readProgress(deps.store, result.record, (deps.now ?? now)());
  if (campaign.state === 'COMPLETED') return { kind: 'completed', campaign, progress };
  return { kind: 'cancelled', already: !result.changed, campaign, progress };
}

const now = (): Date => new Date();
