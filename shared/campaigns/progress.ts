/**
 * How far a campaign got, read with aggregation queries whatever its size, and the move to COMPLETED once every
 * recipient has a record (docs/campaigns.md#progress).
 */
import {
  campaignCounts,
  FINAL_CAMPAIGN_STATES,
  type CampaignProgress,
  type CampaignRecord,
} from '../campaign-record.js';
import type { CampaignStorePort } from './ports.js';

/** The counts by state (NOT_DISPATCHED included) and the enqueued chunks; completes the campaign when due. */
export async function readProgress(
  store: Pick<CampaignStorePort, 'countByState' | 'countEnqueuedChunks' | 'transition'>,
  record: CampaignRecord,
  now: Date,
): Promise<{ record: CampaignRecord; progress: Required<CampaignProgress> }> {
  const [byState, enqueuedChunks] = await Promise.all([
    store.countByState(record.campaignId),
    store.countEnqueuedChunks(record.campaignId),
  ]);
  const counts = campaignCounts(byState, record.recipientCount);
  let current = record;
  if (!FINAL_CAMPAIGN_STATES.includes(record.state) && counts.NOT_DISPATCHED === 0) {
    current = (await store.transition(record.campaignId, 'COMPLETED', now)).record ?? record;
  }
  return { record: current, progress: { counts, enqueuedChunks } };
}

/**
 * Completes the campaign if every recipient has a record: one aggregation query. A dispatch that finishes after
 * the last recipient was due runs it, so the dispatch that writes the last record always sees it.
 */
export async function completeIfDispatched(
  store: Pick<CampaignStorePort, 'countRecords' | 'transition'>,
  campaign: Pick<CampaignRecord, 'campaignId' | 'recipientCount'>,
  now: Date,
): Promise<boolean> {
  const records = await store.countRecords(campaign.campaignId);
  if (records < campaign.recipientCount) return false;
  return (await store.transition(campaign.campaignId, 'COMPLETED', now)).changed;
}
