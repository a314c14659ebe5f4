/** dispatchRecipient against in-memory storage, a scripted RBM and a recording publisher, on a controlled clock. */
import { describe, expect, it } from 'vitest';
import { transitionCampaign, type CampaignRecord } from '../../../shared/campaign-record.js';
import {
  CampaignContentCache,
  dispatchRecipient,
  EXPIRED_BEFORE_DISPATCH,
  type DispatchDeps,
} from '../../../shared/campaigns/dispatch-recipient.js';
import { campaignMessageId } from '../../../shared/campaigns/ids.js';
import { createLogger } from '../../../shared/log/logger.js';
import { OutcomePublisher } from '../../../shared/publishing/outcome-publisher.js';
import { ScriptedRbm, unavailable } from '../../support/fake-rbm-port.js';
import { InMemoryAgentMessages } from '../../support/in-memory-agent-messages.js';
import { recordingPublisher } from '../../support/recording-publisher.js';

const CAMPAIGN = 'spring-sale';
const PHONE = '+15550101234';
const ID = campaignMessageId(CAMPAIGN, PHONE);
const START = new Date('2030-03-01T09:00:00Z');
const EXPIRE = new Date('2030-03-01T09:10:00Z');
const silent = createLogger({}, () => undefined);

function harness() {
  let now = START;
  const clock = () => now;
  const messages = new InMemoryAgentMessages(clock);
  const rbm = new ScriptedRbm();
  const { publish, published } = recordingPublisher();
  const events = new OutcomePublisher({
    publish,
    topics: { status: 'status', fallback: 'fallback' },
    store: messages,
    logger: silent,
  });
  let campaign: CampaignRecord = {
    campaignId: CAMPAIGN,
    state: 'SCHEDULED',
    recipientCount: 1,
    ratePerSecond: 10,
    startTime: START,
    createdAt: START,
    updatedAt: START,
    contentType: 'text',
    trafficType: 'PROMOTION',
    // A fallback would be published under `safe`: a message expired before dispatch must still make none.
    fallbackPolicy: 'safe',
    chunkCount: 1,
    chunkSize: 1000,
    requestSha256: 'sha',
    agentMessageJson: JSON.stringify({
      contentMessage: { text: 'Spring sale' },
      messageTrafficType: 'PROMOTION',
      expireTime: EXPIRE.toISOString(),
    }),
  };
  const deps: DispatchDeps = {
    store: {
      get: async () => campaign,
      getState: async () => campaign.state,
      transition: async (_id, to, at) => {
        const next = transitionCampaign(campaign, to, at);
        if (next !== undefined) campaign = next;
        return { record: campaign, changed: next !== undefined };
      },
      countRecords: async (id) => [...messages.records.values()].filter((r) => r.campaignId === id).length,
    },
    send: { agentId: 'agent', store: messages, rbm, logger: silent, events, now: clock },
    content: new CampaignContentCache(),
    logger: silent,
    now: clock,
  };
  return {
    messages,
    rbm,
    published,
    campaign: () => campaign,
    at: (time: Date) => void (now = time),
    cancel: () => deps.store.transition(CAMPAIGN, 'CANCELLED', now),
    dispatch: () => dispatchRecipient({ campaignId: CAMPAIGN, phoneNumber: PHONE, position: 0 }, deps),
  };
}

const afterExpiry = new Date(EXPIRE.getTime() + 1);

describe('dispatchRecipient', () => {
  it('before expireTime: sent through the send path', async () => {
    const h = harness();
    expect(await h.dispatch()).toMatchObject({ kind: 'sendOutcome', outcome: { kind: 'sent' } });
    expect(h.rbm.creates).toHaveLength(1);
    expect(h.campaign().state).toBe('COMPLETED');
  });

  it('after expireTime: recorded FAILED (attempts 0, campaignId), counted, one status event, RBM never called', async () => {
    const h = harness();
    h.at(afterExpiry);
    const outcome = await h.dispatch();
    expect(outcome).toMatchObject({
      kind: 'undeliverable',
      messageId: ID,
      replayed: false,
      error: { code: 400, status: 'FAILED_PRECONDITION', reason: EXPIRED_BEFORE_DISPATCH },
    });
    expect(h.rbm.creates).toEqual([]);
    const record = h.messages.records.get(ID);
    expect(record).toMatchObject({
      state: 'FAILED',
      attempts: 0,
      campaignId: CAMPAIGN,
      phoneNumber: PHONE,
      error: { reason: EXPIRED_BEFORE_DISPATCH },
    });
    expect(record?.fallback).toBeUndefined();
    expect(h.published.map((p) => p.topic)).toEqual(['status']);
    expect(h.published[0]?.json).toMatchObject({
      messageId: ID,
      state: 'FAILED',
      previousState: null,
      campaignId: CAMPAIGN,
      error: { reason: EXPIRED_BEFORE_DISPATCH },
    });
    // The last recipient has its record: the campaign completes.
    expect(h.campaign().state).toBe('COMPLETED');
  });

  it('a duplicated dispatch replays the FAILED record: no second event, RBM still never called', async () => {
    const h = harness();
    h.at(afterExpiry);
    await h.dispatch();
    expect(await h.dispatch()).toMatchObject({ kind: 'undeliverable', replayed: true });
    expect(h.messages.records.size).toBe(1);
    expect(h.published).toHaveLength(1);
    expect(h.rbm.creates).toEqual([]);
  });

  it('an earlier attempt left PENDING (RBM unavailable) is left to reconcile, not reported sent', async () => {
    const h = harness();
    h.rbm.answerCreates(unavailable());
    expect(await h.dispatch()).toMatchObject({ outcome: { kind: 'rbmUnavailable' } });
    h.at(afterExpiry);
    expect(await h.dispatch()).toMatchObject({
      kind: 'undeliverable',
      replayed: false,
      error: { reason: EXPIRED_BEFORE_DISPATCH },
    });
    expect(h.messages.records.get(ID)).toMatchObject({ state: 'PENDING', attempts: 3 });
    expect(h.rbm.creates).toHaveLength(1);
  });

  it('a cancelled campaign records nothing, even with its message expired', async () => {
    const h = harness();
    h.at(afterExpiry);
    await h.cancel();
    expect(await h.dispatch()).toMatchObject({ kind: 'cancelled' });
    expect(h.messages.records.size).toBe(0);
    expect(h.published).toEqual([]);
  });
});
