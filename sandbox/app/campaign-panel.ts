/**
 * The page's campaign panel: generates N sandbox phones (some offline, some not on RCS, some unsubscribed),
 * creates a PROMOTION campaign to them through the campaigns function over HTTP (docs/campaigns.md), and
 * relays its progress and cancel.
 *
 *   POST /sandbox/api/campaigns               {count?, ratePerSecond?}: prepare phones, create the campaign
 *   GET  /sandbox/api/campaigns/{id}          the campaign's document and counts
 *   POST /sandbox/api/campaigns/{id}:cancel   cancel it
 */
import { randomInt } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeRbm } from '../fake-rbm/index.js';
import { ApiError, badRequest, notFound, optionalNumber, readJsonObject, sendJson } from './http-io.js';
import { configurePhone } from './phone-settings.js';
import type { UserActions } from './user-actions.js';

export const MAX_CAMPAIGN_PHONES = 100;
export const DEFAULT_CAMPAIGN_PHONES = 20;
export const DEFAULT_CAMPAIGN_RATE = 5;
const CAMPAIGN_TEXT = 'Sandbox sale: 20% off everything today';
const CAMPAIGN_ID = /^[a-z0-9-]{1,64}$/;

/** How a generated phone is set up before the campaign starts. */
export type RecipientSetup = 'online' | 'offline' | 'not-on-rcs' | 'unsubscribed';

export interface PlannedRecipient {
  readonly phone: string;
  readonly setup: RecipientSetup;
}

/**
 * `count` phones `+1555{block}{0000…}`, one in ten of each special setup, spread through the list so every part
 * of the campaign meets them.
 */
export function planRecipients(count: number, block: number): PlannedRecipient[] {
  const special: Partial<Record<number, RecipientSetup>> = {
    3: 'offline',
    6: 'not-on-rcs',
    9: 'unsubscribed',
  };
  return Array.from({ length: count }, (_, i) => ({
    phone: `+1555${String(block).padStart(3, '0')}${String(i).padStart(4, '0')}`,
    setup: special[i % 10] ?? 'online',
  }));
}

export function setupCounts(plan: readonly PlannedRecipient[]): Record<RecipientSetup, number> {
  const counts: Record<RecipientSetup, number> = { online: 0, offline: 0, 'not-on-rcs': 0, unsubscribed: 0 };
  for (const { setup } of plan) counts[setup] += 1;
  return counts;
}

export interface CampaignPanelContext {
  readonly rbm: FakeRbm;
  readonly actions: UserActions;
  /** The campaigns function's base URL; without it the panel's routes answer NOT_FOUND. */
  readonly campaignsUrl: string | undefined;
  readonly defaultDelayMs: number;
}

interface Relayed {
  readonly status: number;
  readonly body: unknown;
}

async function callCampaigns(url: string, init: { method: string; body?: unknown }): Promise<Relayed> {
  const response = await fetch(url, {
    method: init.method,
    ...(init.body === undefined
      ? {}
      : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  try {
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as unknown) };
  } catch {
    throw new ApiError(502, 'UNAVAILABLE', `campaigns answered HTTP ${response.status} without JSON`);
  }
}

function integerIn(value: number | undefined, field: string, min: number, max: number, fallback: number) {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badRequest(`${field} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A 3-digit block no sandbox phone uses yet (never 010, where the tests' phones live). */
function freeBlock(rbm: FakeRbm): number {
  const used = new Set(rbm.phones().map((info) => info.phone.slice(0, 8)));
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const block = randomInt(200, 1000);
    if (!used.has(`+1555${block}`)) return block;
  }
  throw new ApiError(429, 'RESOURCE_EXHAUSTED', 'no free block of sandbox phone numbers left');
}

async function preparePhones(context: CampaignPanelContext, plan: readonly PlannedRecipient[]) {
  const state = {
    online: 'reachable',
    offline: 'offline',
    'not-on-rcs': 'unreachable',
    unsubscribed: 'reachable',
  };
  for (const { phone, setup } of plan) {
    await configurePhone(context.rbm, phone, { state: state[setup] }, context.defaultDelayMs);
  }
  for (const { phone } of plan.filter(({ setup }) => setup === 'unsubscribed')) {
    const tap = await context.actions.tapConsent(phone, 'unsubscribe');
    if (tap.eventWebhookStatus < 200 || tap.eventWebhookStatus >= 300) {
      throw new ApiError(
        502,
        'UNAVAILABLE',
        `the webhook answered the unsubscribe with ${tap.eventWebhookStatus}`,
      );
    }
  }
}

async function startCampaign(context: CampaignPanelContext, baseUrl: string, req: IncomingMessage) {
  const body = await readJsonObject(req);
  const count = integerIn(
    optionalNumber(body, 'count'),
    'count',
    1,
    MAX_CAMPAIGN_PHONES,
    DEFAULT_CAMPAIGN_PHONES,
  );
  const ratePerSecond = integerIn(
    optionalNumber(body, 'ratePerSecond'),
    'ratePerSecond',
    1,
    500,
    DEFAULT_CAMPAIGN_RATE,
  );
  const plan = planRecipients(count, freeBlock(context.rbm));
  await preparePhones(context, plan);
  const created = await callCampaigns(`${baseUrl}/v1/campaigns`, {
    method: 'POST',
    body: {
      agentMessage: { contentMessage: { text: CAMPAIGN_TEXT }, messageTrafficType: 'PROMOTION' },
      recipients: plan.map(({ phone }) => phone),
      ratePerSecond,
    },
  });
  const ok = created.status >= 200 && created.status < 300;
  return {
    status: created.status,
    body: ok ? { campaign: created.body, phones: setupCounts(plan) } : created.body,
  };
}

/** Handles `/sandbox/api/campaigns…`; `segments` is the path after `/sandbox/api/campaigns`. */
export async function campaignRoute(
  context: CampaignPanelContext,
  req: IncomingMessage,
  res: ServerResponse,
  segments: readonly string[],
): Promise<void> {
  const baseUrl = context.campaignsUrl;
  if (baseUrl === undefined) {
    throw notFound('this sandbox has no campaigns function');
  }
  const [target, ...rest] = segments;
  let answer: Relayed;
  if (rest.length > 0) throw notFound('no such route');
  if (target === undefined && req.method === 'POST') {
    answer = await startCampaign(context, baseUrl, req);
  } else if (target !== undefined && req.method === 'GET' && CAMPAIGN_ID.test(target)) {
    answer = await callCampaigns(`${baseUrl}/v1/campaigns/${target}`, { method: 'GET' });
  } else if (target?.endsWith(':cancel') && req.method === 'POST' && CAMPAIGN_ID.test(target.slice(0, -7))) {
    answer = await callCampaigns(`${baseUrl}/v1/campaigns/${target}`, { method: 'POST' });
  } else {
    throw notFound('no such route');
  }
  sendJson(res, answer.status, answer.body);
}
