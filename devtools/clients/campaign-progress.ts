/** A campaign's progress as one line of text with a bar, for the CLI and the scripts. Pure. */
import type { CampaignView } from './campaigns-client.js';

const FINAL_STATES = new Set(['COMPLETED', 'CANCELLED']);

/** COMPLETED or CANCELLED: nothing more will happen. */
export function isFinished(view: Pick<CampaignView, 'state'>): boolean {
  return FINAL_STATES.has(view.state);
}

/** Recipients with a record (any state): the dispatched ones. */
export function dispatchedOf(view: Pick<CampaignView, 'recipientCount' | 'counts'>): number {
  const notDispatched = view.counts?.NOT_DISPATCHED ?? view.recipientCount;
  return Math.max(0, view.recipientCount - notDispatched);
}

/** `[########------------]` for a fraction from 0 to 1. */
export function progressBar(fraction: number, width = 24): string {
  const bounded = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(bounded * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

const number = (value: number): string => value.toLocaleString('en');

/**
 * `RUNNING    [#####-------]  42%  4,200/10,000 dispatched · chunks 10/10 enqueued · SENT 4,150 FAILED 50`
 */
export function progressLine(view: CampaignView, width = 24): string {
  const dispatched = dispatchedOf(view);
  const fraction = view.recipientCount === 0 ? 1 : dispatched / view.recipientCount;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const parts = [
    `${view.state.padEnd(9)} ${progressBar(fraction, width)} ${percent}`,
    `${number(dispatched)}/${number(view.recipientCount)} dispatched`,
  ];
  if (view.enqueuedChunks !== undefined && view.enqueuedChunks < view.chunkCount) {
    parts.push(`chunks ${number(view.enqueuedChunks)}/${number(view.chunkCount)} enqueued`);
  }
  const states = Object.entries(view.counts ?? {})
    .filter(([state, count]) => state !== 'NOT_DISPATCHED' && count > 0)
    .map(([state, count]) => `${state} ${number(count)}`);
  if (states.length > 0) parts.push(states.join(' '));
  return parts.join(' · ');
}
