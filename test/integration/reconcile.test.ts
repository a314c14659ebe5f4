/**
 * The served reconcile bundle: its JSON summary, idempotence, the batch bound, the unconfirmed events it
 * publishes, the consent changes a caller left unpublished, and the local stack's timer that calls it as Cloud
 * Scheduler does.
 */
import { describe, expect, it } from 'vitest';
import type { FunctionServer } from '../../devtools/function-server.js';
import { FAULT_SHARE_VARIABLE } from '../../shared/pubsub/fault-injection.js';
import { applyConsentChange } from '../../shared/store/consents.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { request } from '../support/http.js';
import {
  eventsOf,
  sendTo,
  settledCount,
  storedRecord,
  useOutcomeStack,
  waitForEvents,
  waitForRecord,
} from '../support/outcome-stack.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

const stack = useOutcomeStack({ autoDeliver: false });
const withFaults = { [FAULT_SHARE_VARIABLE]: '1' };
let faultySend: FunctionServer | undefined;

/** Sends through an instance whose event publishes all fail the first time: the events stay queued. */
async function sendUnconfirmed(): Promise<string> {
  faultySend ??= await stack().extra('send', withFaults);
  const { id, answer } = await sendTo(faultySend.url, testPhone());
  expect(answer.status).toBe(200);
  expect(await storedRecord(id)).toMatchObject({ outbox: [{ eventKey: `${id}/SENT` }] });
  return id;
}

/** Waits until the oldest queued event of each record is old enough for reconcile (one second here). */
async function queuedLongEnough(ids: readonly string[]): Promise<void> {
  const records = await Promise.all(ids.map(storedRecord));
  const newest = Math.max(
    ...records.map((record) =>
      Date.parse((record?.outbox as Array<{ queuedAt: string }>)[0]?.queuedAt ?? ''),
    ),
  );
  await pollUntil(() => (Date.now() > newest + 1_100 ? true : undefined), {
    description: 'the events to be a second old',
  });
}

describe('reconcile', () => {
  it('answers a JSON summary of its work, and a second call does nothing new', async () => {
    const unconfirmed = await sendUnconfirmed();
    const phone = testPhone();
    const { id: sent } = await sendTo(stack().local.functions.send.url, phone, {
      headers: { 'Fallback-Policy': 'safe' },
    });
    stack().local.rbm.failNext(1, { status: 404 }, { only: 'delete' });
    const revoke = await request(
      `${stack().local.functions.revoke.url}/v1/phones/${phone}/agentMessages/${sent}`,
      { method: 'DELETE' },
    );
    expect(revoke.status).toBe(404);
    const failedAt = (await waitForRecord(sent, (r) => r.revokeFailed === true)).revokeFailedAt as Date;
    await queuedLongEnough([unconfirmed]);
    await pollUntil(() => (Date.now() > failedAt.getTime() + 1_100 ? true : undefined), {
      description: 'the grace to pass',
    });

    const answer = await request(`${stack().local.functions.reconcile.url}/`, { method: 'POST' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.json).toEqual({
      unconfirmed: { records: 1, published: 1, failed: 0 },
      consents: { phones: 0, published: 0, heldByAnother: 0, failed: 0 },
      timers: {
        afterFailedRevoke: { due: 1, revoked: 1, notFound: 0, deferred: 0 },
        afterExpireTime: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
        pendingTimeout: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
      },
      revokeRequests: { due: 0, revoked: 0, notFound: 0, refused: 0, deferred: 0 },
      moreWork: false,
    });
    await waitForEvents(stack().status, unconfirmed, [`${unconfirmed}/SENT`]);
    await waitForEvents(stack().status, sent, [`${sent}/REVOKED`]);
    await waitForEvents(stack().fallback, sent, [`${sent}/fallback`]);
    const deletes = stack().local.rbm.deletes().length;

    const again = await stack().reconcile();
    expect(again).toEqual({
      unconfirmed: { records: 0, published: 0, failed: 0 },
      consents: { phones: 0, published: 0, heldByAnother: 0, failed: 0 },
      timers: {
        afterFailedRevoke: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
        afterExpireTime: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
        pendingTimeout: { due: 0, revoked: 0, notFound: 0, deferred: 0 },
      },
      revokeRequests: { due: 0, revoked: 0, notFound: 0, refused: 0, deferred: 0 },
      moreWork: false,
    });
    expect(stack().local.rbm.deletes()).toHaveLength(deletes);
    expect(await settledCount(stack().status, unconfirmed)).toBe(1);
    expect(eventsOf(stack().status, sent)).toHaveLength(2); // SENT, REVOKED
    expect(eventsOf(stack().fallback, sent)).toHaveLength(1);
  });

  it('does at most RBM_RECONCILE_BATCH_SIZE records per call, oldest first, and says when more waits', async () => {
    const small = await stack().extra('reconcile', {
      RBM_FALLBACK_GRACE_S: '1',
      RBM_PENDING_TIMEOUT_S: '1',
      RBM_RECONCILE_UNCONFIRMED_AFTER_S: '1',
      RBM_RECONCILE_BATCH_SIZE: '2',
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await sendUnconfirmed());
    await queuedLongEnough(ids);

    const passes = [await stack().reconcile(small.url)];
    // Oldest first: the first pass took the first two messages sent.
    const confirmed = async () =>
      Promise.all(ids.map(async (id) => (await storedRecord(id))?.outbox === undefined));
    expect(await confirmed()).toEqual([true, true, false, false, false]);
    for (let i = 0; i < 2; i++) passes.push(await stack().reconcile(small.url));
    expect(passes.map((pass) => pass.unconfirmed.records)).toEqual([2, 2, 1]);
    expect(passes.map((pass) => pass.moreWork)).toEqual([true, true, false]);
    expect(await confirmed()).toEqual([true, true, true, true, true]);
    for (const id of ids) await waitForEvents(stack().status, id, [`${id}/SENT`]);
    for (const id of ids) expect(await settledCount(stack().status, id, 300)).toBe(1);
  });

  it('publishes a consent change its caller left unpublished once, after the grace', async () => {
    const phone = testPhone();
    // Applied through the store and never published: what a caller that crashed right after leaves.
    const { history } = await applyConsentChange(firestoreAdmin(), {
      phoneNumber: phone,
      agentId: TEST_AGENT_ID,
      subscribed: false,
      changedAt: new Date(),
      source: 'API',
    });
    const changeId = `${phone}/${history?.id}`;
    const consentDoc = async () =>
      (await firestoreAdmin().collection('consents').doc(phone).get()).data() as Record<string, unknown>;
    const since = (await consentDoc()).unpublishedSince as { toMillis(): number };
    expect(typeof since.toMillis()).toBe('number');
    await pollUntil(() => (Date.now() > since.toMillis() + 1_100 ? true : undefined), {
      description: 'the change to be a second old',
    });

    const first = await stack().reconcile();
    expect(first.consents).toEqual({ phones: 1, published: 1, heldByAnother: 0, failed: 0 });
    const ofChange = () => stack().consent.messages.filter((m) => m.attributes.changeId === changeId);
    await pollUntil(() => (ofChange().length > 0 ? true : undefined), {
      description: 'the consent change on the topic',
    });
    expect(JSON.parse(ofChange()[0]!.data.toString('utf8'))).toMatchObject({
      phoneNumber: phone,
      subscribed: false,
    });
    const after = await consentDoc();
    expect(after.unpublishedChangeIds).toEqual([]);
    expect(after.unpublishedSince).toBeUndefined();
    expect(after.publishClaim).toBeUndefined();

    const second = await stack().reconcile();
    expect(second.consents).toEqual({ phones: 0, published: 0, heldByAnother: 0, failed: 0 });
    // Nothing more arrives over a window (a duplicate from either pass would land in it).
    expect(await settledPasses(() => ofChange().length)).toBe(1);
    expect(stack().consent.messages).toHaveLength(1);
  });

  it('answers 405 to anything but POST', async () => {
    const answer = await request(`${stack().local.functions.reconcile.url}/`, { method: 'GET' });
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
  });
});

describe('the local stack’s reconcile timer', () => {
  it('calls reconcile on its interval and stops with the stack', async () => {
    const local = await startStackOnTestEmulators({ agentId: TEST_AGENT_ID, reconcileIntervalMs: 300 });
    let stopped = false;
    try {
      const timer = local.reconcileTimer;
      expect(timer).toBeDefined();
      await pollUntil(() => ((timer?.passes ?? 0) >= 2 ? true : undefined), {
        description: 'two timed reconcile passes',
        timeoutMs: 20_000,
      });
      const logged = local.functions.reconcile
        .logs()
        .filter((line) => line.includes('Reconcile pass finished'));
      expect(logged.length).toBeGreaterThanOrEqual(2);
      await local.stop();
      stopped = true;
      const after = timer?.passes;
      expect(await settledPasses(() => timer?.passes)).toBe(after);
    } finally {
      if (!stopped) await local.stop();
    }
  });
});

/** The count after a window of several intervals (reconcile passes, or tapped messages). */
async function settledPasses(passes: () => number | undefined): Promise<number | undefined> {
  const until = Date.now() + 1_200;
  await pollUntil(() => (Date.now() >= until ? true : undefined), { description: 'observation window' });
  return passes();
}
