/** Calls the running campaigns function (docs/campaigns.md) over HTTP. */
import { callFunction, type FunctionAnswer } from './functions-client.js';

/** What `GET /v1/campaigns/{id}` answers (the fields tools read). */
export interface CampaignView {
  readonly campaignId: string;
  readonly state: 'SCHEDULED' | 'RUNNING' | 'COMPLETED' | 'CANCELLED';
  readonly recipientCount: number;
  readonly ratePerSecond: number;
  readonly startTime: string;
  readonly chunkCount: number;
  readonly enqueuedChunks?: number;
  readonly counts?: Readonly<Record<string, number>>;
}

/** `POST /v1/campaigns`: 202 (accepted), 200 (the same request again), 400, 409. */
export function createCampaign(campaignsUrl: string, body: unknown): Promise<FunctionAnswer> {
  return callFunction(`${campaignsUrl}/v1/campaigns`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function getCampaign(campaignsUrl: string, campaignId: string): Promise<FunctionAnswer> {
  return callFunction(`${campaignsUrl}/v1/campaigns/${encodeURIComponent(campaignId)}`, { method: 'GET' });
}

export function cancelCampaign(campaignsUrl: string, campaignId: string): Promise<FunctionAnswer> {
  return callFunction(`${campaignsUrl}/v1/campaigns/${encodeURIComponent(campaignId)}:cancel`, {
    method: 'POST',
  });
}
