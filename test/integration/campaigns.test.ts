import { describe, expect, it } from 'vitest';
import { campaignMessageId, chunkTaskName, recipientTaskName } from '../../shared/campaigns/ids.js';
import { applyConsentChange } from '../../shared/store/consents.js';
import type { TaskView } from '../../sandbox/fake-cloud-tasks/index.js';
import { readPlaceholderOidcToken } from '../../sandbox/fake-cloud-tasks/index.js';
import { useCampaignsStack } from '../support/campaigns-stack.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request, type HttpAnswer } from '../support/http.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { fullPhonesIn, testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

const stack = useCampaignsStack();
const db = () => firestoreAdmin();
const url = (path = '') => `${stack().campaigns.url}/v1/campaigns${path}`;
const promotion = { contentMessage: { text: 'Spring sale: 20% off' }, messageTrafficType: 'PROMOTION' };
const phones = (count: number) => Array.from({ length: count }, () => testPhone());
const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
let nextCampaign = 0;
const campaignId = () => `spring-${Date.now().toString(36)}-${++nextCampaign}`;

const create = (body: Record<string, unknown>) => request(url(), { method: 'POST', body });
const read = (id: string) => request(url(`/${id}`));
const cancel = (id: string) => request(url(`/${id}:cancel`), { method: 'POST' });

interface CampaignView {
  campaignId: string;
  state: string;
  recipientCount: number;
  ratePerSecond: number;
  startTime: string;
  createdAt: string;
  chunkCount: number;
  enqueuedChunks?: number;
  counts?: Record<string, number>;
}

const view = (answer: HttpAnswer) => answer.json as CampaignView;

async function settled(id: string, state: string, timeoutMs = 30_000): Promise<CampaignView> {
  return pollUntil(
    async () => {
      const answer = view(await read(id));
      return answer.state === state ? answer : undefined;
    },
    { timeoutMs, intervalMs: 100, description: `campaign ${id} ${state}` },
  );
}

function dispatchTasks(queue: string): Array<{ task: TaskView; body: Record<string, unknown> }> {
  return stack()
    .cloudTasks.tasks(queue)
    .filter((task) => task.httpRequest.url.endsWith(':dispatch'))
    .map((task) => ({
      task,
      body: JSON.parse(Buffer.from(task.httpRequest.body, 'base64').toString('utf8')) as Record<
        string,
        unknown
      >,
    }));
}

const recordsOf = async (id: string) =>
  (await db().collection('agentMessages').where('campaignId', '==', id).get()).docs.map((d) => d.data());

const createdAtRbm = (phone: string) =>
  stack()
    .rbm.successfulCreates()
    .filter((call) => call.phone === phone);

describe('campaigns: create', () => {
  it('answers 202 with the document and enqueues each recipient at startTime + position / rate', async () => {
    const id = campaignId();
    const recipients = phones(5);
    const startTime = inAMinute();
    const answer = await create({
      campaignId: id,
      agentMessage: promotion,
      recipients,
      ratePerSecond: 4,
      startTime,
    });

    expect(answer.status).toBe(202);
    expect(answer.json).toMatchObject({
      campaignId: id,
      state: 'SCHEDULED',
      recipientCount: 5,
      ratePerSecond: 4,
      startTime: new Date(startTime).toISOString(),
      contentType: 'text',
      trafficType: 'PROMOTION',
      fallbackPolicy: 'none',
      chunkCount: 1,
    });
    expect(JSON.stringify(answer.json)).not.toContain('Spring sale'); // the message is not part of the view

    const { queue } = stack();
    const tasks = await pollUntil(
      () => (dispatchTasks(queue).length === 5 ? dispatchTasks(queue) : undefined),
      {
        description: 'five dispatch tasks',
      },
    );
    const start = new Date(startTime).getTime();
    for (const { task, body } of tasks) {
      const position = recipients.indexOf(body.phoneNumber as string);
      expect(body).toEqual({ campaignId: id, phoneNumber: recipients[position], position });
      expect(task.scheduleTime.getTime()).toBe(start + position * 250);
      expect(task.name).toBe(recipientTaskName(queue, campaignMessageId(id, recipients[position] ?? '')));
      expect(task.httpRequest.url).toBe(`${stack().campaigns.url}/v1/campaigns/${id}:dispatch`);
      expect(task.httpRequest.oidcToken).toEqual({
        serviceAccountEmail: `rbm-task-invoker@rbm-test.iam.gserviceaccount.com`,
        audience: stack().campaigns.url,
      });
    }
    await pollUntil(
      () =>
        stack().cloudTasks.task(chunkTaskName(queue, id, 0, 0))?.state === 'succeeded' ? true : undefined,
      { description: 'the chunk task succeeded' },
    );
  });

  it('the same campaignId and body again → 200 with the same document; another body → 409', async () => {
    const id = campaignId();
    const body = { campaignId: id, agentMessage: promotion, recipients: phones(3), startTime: inAMinute() };
    const first = await create(body);
    expect(first.status).toBe(202);
    await pollUntil(() => (dispatchTasks(stack().queue).length === 3 ? true : undefined), {
      description: 'three dispatch tasks',
    });

    const again = await create(body);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);

    const other = await create({ ...body, ratePerSecond: 20 });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ error: { code: 409, status: 'ALREADY_EXISTS' } });
    expect(dispatchTasks(stack().queue)).toHaveLength(3);
    expect(view(await read(id)).ratePerSecond).toBe(10);
  });

  it('400 lists every violation and stores nothing', async () => {
    const id = campaignId();
    const answer = await create({
      campaignId: id,
      agentMessage: { contentMessage: { text: '' } },
      recipients: ['+15550100001', 'not-a-phone'],
      ratePerSecond: 501,
      startTime: new Date(Date.now() + 31 * 24 * 3600_000).toISOString(),
      fallbackPolicy: 'maybe',
    });
    expect(answer.status).toBe(400);
    const details = (
      answer.json as { error: { details: Array<{ fieldViolations: Array<{ field: string }> }> } }
    ).error.details;
    expect(details[0]?.fieldViolations.map((v) => v.field)).toEqual([
      'agentMessage.contentMessage.text',
      'recipients[1]',
      'ratePerSecond',
      'startTime',
      'fallbackPolicy',
    ]);
    expect((await read(id)).status).toBe(404);
    expect(stack().cloudTasks.tasks()).toEqual([]);
  });

  it('takes a body over 1 MiB (up to 4 MiB) and refuses a larger one with 413', async () => {
    const [a, b] = phones(2) as [string, string];
    const recipients = Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? a : b)); // ~1.7 MB
    const answer = await create({ agentMessage: promotion, recipients, startTime: inAMinute() });
    expect(answer.status).toBe(202);
    expect(view(answer).recipientCount).toBe(2);

    const tooLarge = await request(url(), {
      method: 'POST',
      rawBody: JSON.stringify({
        agentMessage: promotion,
        recipients: [],
        padding: 'x'.repeat(4 * 1024 * 1024),
      }),
      headers: { 'content-type': 'application/json' },
    });
    expect(tooLarge.status).toBe(413);
  });

  it('a new campaign reads with every count at zero but NOT_DISPATCHED', async () => {
    const answer = await create({ agentMessage: promotion, recipients: phones(3), startTime: inAMinute() });
    const read1 = view(await read(view(answer).campaignId));
    expect(read1.counts).toEqual({
      PENDING: 0,
      SENT: 0,
      DELIVERED: 0,
      READ: 0,
      REVOKED: 0,
      EXPIRED: 0,
      FAILED: 0,
      NOT_DISPATCHED: 3,
    });
    expect(read1.state).toBe('SCHEDULED');
    expect((await read('no-such-campaign')).status).toBe(404);
    expect((await read('Not_An_Id')).status).toBe(404);
  });
});

describe('campaigns: dispatch', () => {
  it('runs the send path with campaignId on each record, paced, and completes', async () => {
    const id = campaignId();
    const recipients = phones(6);
    const unsubscribed = recipients[2] ?? '';
    const unreachable = recipients[4] ?? '';
    await applyConsentChange(db(), {
      phoneNumber: unsubscribed,
      agentId: TEST_AGENT_ID,
      subscribed: false,
      changedAt: new Date(),
      source: 'API',
    });
    await stack().rbm.setPhone(unreachable, 'unreachable');

    const created = view(
      await create({ campaignId: id, agentMessage: promotion, recipients, ratePerSecond: 5 }),
    );
    // COMPLETED once every recipient has a record, in any state; then the last send settles.
    await settled(id, 'COMPLETED');
    const done = await pollUntil(
      async () => {
        const campaign = view(await read(id));
        return campaign.counts?.PENDING === 0 ? campaign : undefined;
      },
      { description: 'no send in flight' },
    );
    expect(done.counts).toEqual({
      PENDING: 0,
      SENT: 4,
      DELIVERED: 0,
      READ: 0,
      REVOKED: 0,
      EXPIRED: 0,
      FAILED: 2,
      NOT_DISPATCHED: 0,
    });

    const records = await recordsOf(id);
    expect(records).toHaveLength(6);
    for (const phone of recipients) {
      const record = records.find((r) => r.phoneNumber === phone);
      expect(record).toMatchObject({
        campaignId: id,
        messageId: campaignMessageId(id, phone),
        agentId: TEST_AGENT_ID,
      });
    }
    expect(records.find((r) => r.phoneNumber === unsubscribed)).toMatchObject({
      state: 'FAILED',
      attempts: 0,
      error: { reason: 'RECIPIENT_UNSUBSCRIBED' },
    });
    expect(records.find((r) => r.phoneNumber === unreachable)).toMatchObject({
      state: 'FAILED',
      error: { code: 404 },
    });
    expect(createdAtRbm(unsubscribed)).toEqual([]); // the consent gate: RBM never called
    for (const phone of recipients.filter((p) => p !== unsubscribed && p !== unreachable)) {
      expect(createdAtRbm(phone).map((call) => call.messageId)).toEqual([campaignMessageId(id, phone)]);
    }

    // Paced: each dispatch went out no sooner than its slot, 200 ms apart at 5/s; permanent refusals were not retried.
    await pollUntil(() => (stack().cloudTasks.pending(stack().queue) === 0 ? true : undefined), {
      description: 'every dispatch answered',
    });
    const start = new Date(created.startTime).getTime();
    const dispatches = stack()
      .cloudTasks.dispatches()
      .filter((d) => d.url.endsWith(':dispatch'));
    expect(dispatches).toHaveLength(6);
    for (const dispatch of dispatches) {
      const task = stack().cloudTasks.task(dispatch.taskName);
      const body = JSON.parse(Buffer.from(task?.httpRequest.body ?? '', 'base64').toString()) as {
        position: number;
      };
      expect(dispatch.startedAt.getTime()).toBeGreaterThanOrEqual(start + body.position * 200 - 5);
      expect(dispatch.status).toBe(200);
      expect(readPlaceholderOidcToken(dispatch.headers.Authorization)?.email).toMatch(/^rbm-task-invoker@/);
    }

    // Status events carry the campaign id.
    await pollUntil(() => (stack().statusTap.messages.length >= 6 ? true : undefined), {
      description: 'six status events',
    });
    for (const message of stack().statusTap.messages) {
      expect(message.json).toMatchObject({ campaignId: id });
    }
  });

  it('a transient RBM failure answers the task 5xx, the queue retries, and RBM gets each phone once', async () => {
    const id = campaignId();
    const recipients = phones(3);
    // More failures than one dispatch's retry budget absorbs: some dispatches answer 503 and are retried.
    stack().rbm.failNext(60, { status: 503 }, { only: 'create' });
    await create({ campaignId: id, agentMessage: promotion, recipients, ratePerSecond: 20 });
    await pollUntil(
      async () => {
        const campaign = view(await read(id));
        return campaign.state === 'COMPLETED' && campaign.counts?.SENT === 3 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'all three SENT' },
    );
    const retried = stack()
      .cloudTasks.dispatches()
      .filter((d) => d.url.endsWith(':dispatch') && d.status === 503);
    expect(retried.length).toBeGreaterThan(0);
    for (const phone of recipients) expect(createdAtRbm(phone)).toHaveLength(1);
  });

  it('duplicated dispatches and lost answers never create a phone’s message at RBM twice', async () => {
    const id = campaignId();
    const recipients = phones(8);
    stack().cloudTasks.injectFault({ kind: 'duplicate' }, { count: 4 });
    stack().cloudTasks.injectFault({ kind: 'loseResponse' }, { count: 4 });
    await create({ campaignId: id, agentMessage: promotion, recipients, ratePerSecond: 20 });
    await settled(id, 'COMPLETED');
    await pollUntil(() => (stack().cloudTasks.pending(stack().queue) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'every task finished',
    });
    const dispatches = stack()
      .cloudTasks.dispatches()
      .filter((d) => d.url.endsWith(':dispatch'));
    expect(dispatches.filter((d) => d.duplicate)).not.toEqual([]);
    expect(dispatches.filter((d) => d.fault === 'loseResponse')).not.toEqual([]);
    for (const phone of recipients) expect(createdAtRbm(phone)).toHaveLength(1);
    expect(view(await read(id)).counts).toMatchObject({ SENT: 8, NOT_DISPATCHED: 0 });
  });
});

describe('campaigns: a message that expires before its last recipients are dispatched', () => {
  it('records those recipients FAILED (EXPIRED_BEFORE_DISPATCH), never calls RBM for them, and completes', async () => {
    const id = campaignId();
    const recipients = phones(4);
    const [onTime, late] = [recipients.slice(0, 2), recipients.slice(2)];
    const startTime = new Date(Date.now() + 3_000);
    // Valid at create: after the last slot (start + 300 ms at 10/s).
    const expireTime = new Date(startTime.getTime() + 3_000);
    // The last two tasks reach the function only after expireTime, as a task held up or retried would.
    for (const phone of late) {
      stack().cloudTasks.injectFault(
        { kind: 'delay', ms: 8_000 },
        { taskName: recipientTaskName(stack().queue, campaignMessageId(id, phone)) },
      );
    }
    const answer = await create({
      campaignId: id,
      agentMessage: { ...promotion, expireTime: expireTime.toISOString() },
      recipients,
      ratePerSecond: 10,
      startTime: startTime.toISOString(),
    });
    expect(answer.status).toBe(202);

    const done = await settled(id, 'COMPLETED', 60_000);
    expect(done.counts).toMatchObject({ PENDING: 0, SENT: 2, FAILED: 2, NOT_DISPATCHED: 0 });
    const records = await recordsOf(id);
    for (const phone of late) {
      expect(records.find((r) => r.phoneNumber === phone)).toMatchObject({
        campaignId: id,
        messageId: campaignMessageId(id, phone),
        state: 'FAILED',
        attempts: 0,
        error: { code: 400, status: 'FAILED_PRECONDITION', reason: 'EXPIRED_BEFORE_DISPATCH' },
      });
      expect(createdAtRbm(phone)).toEqual([]);
    }
    for (const phone of onTime) expect(createdAtRbm(phone)).toHaveLength(1);

    // Permanent: each late task answered 200 once, not retried.
    await pollUntil(() => (stack().cloudTasks.pending(stack().queue) === 0 ? true : undefined), {
      description: 'every dispatch answered',
    });
    for (const phone of late) {
      const name = recipientTaskName(stack().queue, campaignMessageId(id, phone));
      const attempts = stack()
        .cloudTasks.dispatches()
        .filter((d) => d.taskName === name);
      expect(attempts.map((d) => d.status)).toEqual([200]);
    }
    // Each late recipient's record was created FAILED: a status event from previousState null.
    const failedEvents = await pollUntil(
      () => {
        const events = stack()
          .statusTap.messages.map((m) => m.json as Record<string, unknown>)
          .filter((json) => json.campaignId === id && json.state === 'FAILED');
        return events.length === 2 ? events : undefined;
      },
      { description: 'two FAILED status events' },
    );
    for (const event of failedEvents) {
      expect(event).toMatchObject({ previousState: null, error: { reason: 'EXPIRED_BEFORE_DISPATCH' } });
    }
  });
});

describe('campaigns: cancel', () => {
  it('stops the sends not yet made; they stay NOT_DISPATCHED and the state stays CANCELLED', async () => {
    const id = campaignId();
    const recipients = phones(10);
    await create({ campaignId: id, agentMessage: promotion, recipients, ratePerSecond: 2 });
    await pollUntil(async () => ((await recordsOf(id)).length >= 1 ? true : undefined), {
      description: 'a first send',
    });
    const cancelled = await cancel(id);
    expect(cancelled.status).toBe(200);
    expect(view(cancelled).state).toBe('CANCELLED');
    const sentBeforeCancel = stack().rbm.successfulCreates().length;

    await pollUntil(() => (stack().cloudTasks.pending(stack().queue) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      description: 'every remaining task ran',
    });
    const after = view(await read(id));
    expect(after.state).toBe('CANCELLED');
    const records = await recordsOf(id);
    expect(stack().rbm.successfulCreates()).toHaveLength(records.length);
    expect(records.length).toBeLessThanOrEqual(sentBeforeCancel + 1); // at most one was in flight
    expect(after.counts?.NOT_DISPATCHED).toBe(10 - records.length);
    expect(after.counts?.NOT_DISPATCHED).toBeGreaterThanOrEqual(5);

    expect((await cancel(id)).status).toBe(200); // again: no change
    expect((await cancel('no-such-campaign')).status).toBe(404);
  });

  it('cancelling a completed campaign changes nothing: 200, still COMPLETED', async () => {
    const id = campaignId();
    await create({ campaignId: id, agentMessage: promotion, recipients: phones(2), ratePerSecond: 50 });
    await settled(id, 'COMPLETED');
    const answer = await cancel(id);
    expect(answer.status).toBe(200);
    expect(view(answer).state).toBe('COMPLETED');
    expect(view(await read(id)).state).toBe('COMPLETED');
  });
});

describe('campaigns: crash while enqueueing', () => {
  it(
    'a function killed mid-enqueue resumes on the queue’s retry: every recipient gets exactly one task',
    {
      timeout: 240_000,
    },
    async () => {
      const id = campaignId();
      const recipients = Array.from({ length: 1500 }, (_, i) => `+1555020${String(i).padStart(4, '0')}`);
      // Slow the enqueueing down (answers lost after the call took effect: the client retries, 409 = done), so the
      // kill lands part-way through.
      stack().cloudTasks.failNextCalls(100, { status: 503, applied: true });
      const startTime = new Date(Date.now() + 3600_000).toISOString(); // nothing is dispatched meanwhile
      const answer = await create({ campaignId: id, agentMessage: promotion, recipients, startTime });
      expect(answer.status).toBe(202);
      expect(view(answer).chunkCount).toBe(2);
      await pollUntil(() => (dispatchTasks(stack().queue).length >= 100 ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 10,
        description: 'some recipient tasks',
      });
      await stack().restart();
      const beforeRetry = dispatchTasks(stack().queue).length;
      expect(beforeRetry).toBeLessThan(1500);

      const done = await pollUntil(
        async () => {
          const campaign = view(await read(id));
          return campaign.enqueuedChunks === 2 ? campaign : undefined;
        },
        { timeoutMs: 180_000, intervalMs: 500, description: 'both chunks enqueued' },
      );
      expect(done.counts?.NOT_DISPATCHED).toBe(1500);
      const tasks = dispatchTasks(stack().queue);
      expect(tasks).toHaveLength(1500);
      expect(new Set(tasks.map(({ task }) => task.name)).size).toBe(1500);
      expect(new Set(tasks.map(({ body }) => body.phoneNumber)).size).toBe(1500);
      const conflicts = stack()
        .cloudTasks.calls()
        .filter((call) => call.method === 'POST' && call.status === 409);
      expect(conflicts.length).toBeGreaterThan(0); // the retried chunk task met the tasks made before the crash
      await cancel(id);
    },
  );
});

describe('campaigns: logs', () => {
  it('never print a full phone number', () => {
    const logs = stack().logs().join('\n');
    expect(fullPhonesIn(logs)).toEqual([]);
    expect(logs).not.toContain('+15550200001');
  });
});
