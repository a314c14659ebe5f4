import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readPlaceholderOidcToken,
  startFakeCloudTasks,
  type FakeCloudTasks,
  type FakeCloudTasksOptions,
} from '../../sandbox/fake-cloud-tasks/index.js';
import { resolveQueueConfig, retryBackoffMs } from '../../sandbox/fake-cloud-tasks/queue-config.js';
import { parseCreateTaskRequest } from '../../sandbox/fake-cloud-tasks/task-request.js';
import { TokenBucket } from '../../sandbox/fake-cloud-tasks/token-bucket.js';
import { ApiError } from '../../shared/errors.js';
import { pollUntil } from '../support/poll.js';

const QUEUE = 'projects/demo-project/locations/us-central1/queues/rbm-campaigns';
const OTHER_QUEUE = 'projects/demo-project/locations/us-central1/queues/other';
const SERVICE_ACCOUNT = 'tasks@demo-project.iam.gserviceaccount.com';

describe('token bucket', () => {
  it.each([
    // rate/s, capacity, takes at t=0, then at time t: expected take result
    { rate: 10, capacity: 2, takenAtStart: 2, at: 0, expected: false },
    { rate: 10, capacity: 2, takenAtStart: 2, at: 99, expected: false },
    { rate: 10, capacity: 2, takenAtStart: 2, at: 100, expected: true },
    { rate: 10, capacity: 2, takenAtStart: 1, at: 0, expected: true },
    { rate: 500, capacity: 1, takenAtStart: 1, at: 2, expected: true },
  ])('rate $rate, capacity $capacity: after $takenAtStart takes, a take at $at ms is $expected', (row) => {
    const bucket = new TokenBucket(row.rate, row.capacity, 0);
    for (let i = 0; i < row.takenAtStart; i++) expect(bucket.take(0)).toBe(true);
    expect(bucket.take(row.at)).toBe(row.expected);
  });

  it('says how long until the next token, and never holds more than its capacity', () => {
    const bucket = new TokenBucket(50, 3, 0);
    for (let i = 0; i < 3; i++) bucket.take(0);
    expect(bucket.msUntilToken(0)).toBe(20);
    expect(bucket.msUntilToken(10)).toBe(10);
    const taken = [0, 1, 2, 3].map(() => bucket.take(10_000)).filter(Boolean).length;
    expect(taken).toBe(3);
  });
});

describe('queue config', () => {
  it.each([
    // minBackoff 100, maxBackoff 1000, maxDoublings 2: 100, 200, 400, then +400 each retry, capped
    { retry: 1, expected: 100 },
    { retry: 2, expected: 200 },
    { retry: 3, expected: 400 },
    { retry: 4, expected: 800 },
    { retry: 5, expected: 1000 },
  ])('retry $retry waits $expected ms', ({ retry, expected }) => {
    const config = resolveQueueConfig({ minBackoffMs: 100, maxBackoffMs: 1000, maxDoublings: 2 });
    expect(retryBackoffMs(config, retry)).toBe(expected);
  });

  it('derives the burst size from the rate unless one is given', () => {
    expect(resolveQueueConfig({ maxDispatchesPerSecond: 50 }).maxBurstSize).toBe(5);
    expect(resolveQueueConfig({ maxDispatchesPerSecond: 3 }).maxBurstSize).toBe(1);
    expect(resolveQueueConfig({ maxDispatchesPerSecond: 50, maxBurstSize: 20 }).maxBurstSize).toBe(20);
  });
});

describe('create request validation', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const target = { url: 'https://example.test/dispatch' };
  it.each([
    [{ task: { httpRequest: { url: 'ftp://x' } } }, 'task.httpRequest.url'],
    [{ task: { name: `${OTHER_QUEUE}/tasks/a`, httpRequest: target } }, 'task.name'],
    [{ task: { name: `${QUEUE}/tasks/bad id`, httpRequest: target } }, 'task.name'],
    [{ task: { scheduleTime: 'tomorrow', httpRequest: target } }, 'task.scheduleTime'],
    [{ task: { scheduleTime: '2030-02-15T00:00:00Z', httpRequest: target } }, 'task.scheduleTime'],
    [{ task: { dispatchDeadline: '14s', httpRequest: target } }, 'task.dispatchDeadline'],
    [{ task: { dispatchDeadline: '1801s', httpRequest: target } }, 'task.dispatchDeadline'],
    [{ task: { dispatchDeadline: 'soon', httpRequest: target } }, 'task.dispatchDeadline'],
    [{ task: { httpRequest: { ...target, body: '***' } } }, 'task.httpRequest.body'],
    [{ task: { httpRequest: { ...target, httpMethod: 'GET', body: 'eA==' } } }, 'task.httpRequest.body'],
    [
      { task: { httpRequest: { ...target, oidcToken: {} } } },
      'task.httpRequest.oidcToken.serviceAccountEmail',
    ],
    [{ task: {} }, 'task.httpRequest'],
    [{}, 'task'],
  ])('%j is refused on %s', (body, field) => {
    const result = parseCreateTaskRequest(QUEUE, body, now);
    expect(result).toBeInstanceOf(ApiError);
    const details = (result as ApiError).toBody().error.details as Array<{
      fieldViolations: { field: string }[];
    }>;
    expect(details[0]?.fieldViolations.map((v) => v.field)).toContain(field);
  });

  it.each([
    [undefined, undefined],
    ['15s', 15_000],
    ['600s', 600_000],
    ['20.5s', 20_500],
    ['1800s', 1_800_000],
  ])('reads dispatchDeadline %j as %j ms', (dispatchDeadline, ms) => {
    const result = parseCreateTaskRequest(QUEUE, { task: { dispatchDeadline, httpRequest: target } }, now);
    expect(result).toMatchObject({ dispatchDeadlineMs: ms });
  });

  it('defaults the method to POST and the OIDC audience to the URL', () => {
    const result = parseCreateTaskRequest(
      QUEUE,
      { task: { httpRequest: { ...target, oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT } } } },
      now,
    );
    expect(result).toMatchObject({
      taskId: undefined,
      httpRequest: {
        httpMethod: 'POST',
        oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT, audience: target.url },
      },
    });
  });
});

/** A task handler on loopback that records each request and answers as the test says. */
interface Arrival {
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  /** A slow handler: answer this much later. */
  readonly afterMs?: number;
}

interface Target {
  readonly url: string;
  readonly arrivals: Arrival[];
  /** Most requests in flight at once. */
  peakInFlight(): number;
  close(): Promise<void>;
}

async function startTarget(reply: (index: number) => Reply = () => ({ status: 200 })): Promise<Target> {
  const arrivals: Arrival[] = [];
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const index =
        arrivals.push({
          at: Date.now(),
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }) - 1;
      const { status, afterMs = 0 } = reply(index);
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(status).end();
      }, afterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dispatch`,
    arrivals,
    peakInFlight: () => peak,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function fakeAndTarget(
  options: FakeCloudTasksOptions = {},
  reply?: (index: number) => Reply,
): Promise<{ fake: FakeCloudTasks; target: Target }> {
  const fake = await startFakeCloudTasks(options);
  cleanups.push(() => fake.stop());
  const target = await startTarget(reply);
  cleanups.push(() => target.close());
  return { fake, target };
}

interface TaskInput {
  readonly name?: string;
  readonly scheduleTime?: Date;
  readonly dispatchDeadline?: string;
  readonly url: string;
  readonly body?: unknown;
  readonly queue?: string;
}

async function createTask(
  fake: FakeCloudTasks,
  input: TaskInput,
): Promise<{ status: number; body: unknown }> {
  const task = {
    ...(input.name === undefined ? {} : { name: input.name }),
    ...(input.scheduleTime === undefined ? {} : { scheduleTime: input.scheduleTime.toISOString() }),
    ...(input.dispatchDeadline === undefined ? {} : { dispatchDeadline: input.dispatchDeadline }),
    httpRequest: {
      url: input.url,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify(input.body ?? {})).toString('base64'),
      oidcToken: { serviceAccountEmail: SERVICE_ACCOUNT, audience: 'https://campaigns.example.test' },
    },
  };
  const response = await fetch(`${fake.url}/v2/${input.queue ?? QUEUE}/tasks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ task }),
  });
  return { status: response.status, body: await response.json() };
}

async function deleteTask(fake: FakeCloudTasks, name: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}/v2/${name}`, { method: 'DELETE' });
  return { status: response.status, body: await response.json() };
}

async function admin(
  fake: FakeCloudTasks,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${fake.url}/_admin/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: await response.json() };
}

const taskName = (id: string, queue = QUEUE) => `${queue}/tasks/${id}`;

function arrivals(target: Target, count: number, description: string): Promise<Arrival[]> {
  return pollUntil(() => (target.arrivals.length >= count ? [...target.arrivals] : undefined), {
    description,
    timeoutMs: 10_000,
    intervalMs: 10,
  });
}

describe('fake Cloud Tasks: the REST subset', () => {
  it('creates a named task (200, Task JSON) and answers 409 ALREADY_EXISTS for the same name', async () => {
    const { fake, target } = await fakeAndTarget({ paused: true });
    const first = await createTask(fake, { name: taskName('t-1'), url: target.url });
    expect(first).toEqual({
      status: 200,
      body: expect.objectContaining({
        name: taskName('t-1'),
        scheduleTime: expect.any(String),
        createTime: expect.any(String),
        httpRequest: { url: target.url, httpMethod: 'POST' },
      }),
    });
    expect(await createTask(fake, { name: taskName('t-1'), url: target.url })).toEqual({
      status: 409,
      body: { error: { code: 409, status: 'ALREADY_EXISTS', message: 'Requested entity already exists' } },
    });
    expect(fake.tasks()).toHaveLength(1);
  });

  it('keeps a name taken after its task ran, until the retention passes', async () => {
    const { fake, target } = await fakeAndTarget({ nameRetentionMs: 300 });
    await createTask(fake, { name: taskName('t-ran'), url: target.url });
    await pollUntil(() => (fake.task(taskName('t-ran'))?.state === 'succeeded' ? true : undefined), {
      description: 'the task to run',
    });
    expect((await createTask(fake, { name: taskName('t-ran'), url: target.url })).status).toBe(409);
    await pollUntil(
      async () =>
        (await createTask(fake, { name: taskName('t-ran'), url: target.url })).status === 200
          ? true
          : undefined,
      { description: 'the name to be released', timeoutMs: 3_000 },
    );
  });

  it('gives unnamed tasks distinct generated names', async () => {
    const { fake, target } = await fakeAndTarget({ paused: true });
    const a = await createTask(fake, { url: target.url });
    const b = await createTask(fake, { url: target.url });
    expect([a.status, b.status]).toEqual([200, 200]);
    const names = [a.body, b.body].map((body) => (body as { name: string }).name);
    expect(names[0]).toMatch(new RegExp(`^${QUEUE}/tasks/\\d+$`));
    expect(names[0]).not.toBe(names[1]);
  });

  it('deletes a waiting task (200 {}), which then never runs; a second delete is 404', async () => {
    const { fake, target } = await fakeAndTarget({ paused: true });
    await createTask(fake, { name: taskName('doomed'), url: target.url, body: { which: 'doomed' } });
    await createTask(fake, { name: taskName('kept'), url: target.url, body: { which: 'kept' } });
    expect(await deleteTask(fake, taskName('doomed'))).toEqual({ status: 200, body: {} });
    fake.resume();
    await arrivals(target, 1, 'the kept task');
    // Created first and due as early, the deleted task would have gone out before the kept one.
    expect(target.arrivals.map((a) => JSON.parse(a.body))).toEqual([{ which: 'kept' }]);
    expect(fake.dispatches().map((d) => d.taskName)).toEqual([taskName('kept')]);
    expect(await deleteTask(fake, taskName('doomed'))).toMatchObject({
      status: 404,
      body: { error: { code: 404, status: 'NOT_FOUND' } },
    });
    expect((await deleteTask(fake, taskName('never'))).status).toBe(404);
    expect((await createTask(fake, { name: taskName('doomed'), url: target.url })).status).toBe(409);
  });

  it('validates the queue path and the task name against it', async () => {
    const { fake, target } = await fakeAndTarget({ paused: true });
    const response = await fetch(`${fake.url}/v2/projects/demo-project/queues/q/tasks`, {
      method: 'POST',
      body: JSON.stringify({ task: { httpRequest: { url: target.url } } }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
    const misplaced = await createTask(fake, { name: taskName('x', OTHER_QUEUE), url: target.url });
    expect(misplaced).toMatchObject({
      status: 400,
      body: { error: { details: [{ fieldViolations: [{ field: 'task.name' }] }] } },
    });
    expect((await deleteTask(fake, 'projects/demo-project/tasks/x')).status).toBe(400);
  });

  it('answers 404 for a queue it does not know when told to know only configured queues', async () => {
    const { fake, target } = await fakeAndTarget({
      paused: true,
      knownQueuesOnly: true,
      queues: { [QUEUE]: {} },
    });
    expect((await createTask(fake, { url: target.url, queue: OTHER_QUEUE })).status).toBe(404);
    expect((await createTask(fake, { url: target.url, queue: QUEUE })).status).toBe(200);
  });
});

describe('fake Cloud Tasks: dispatch', () => {
  it('sends the body, the task headers, X-CloudTasks-* headers and a placeholder OIDC token', async () => {
    const { fake, target } = await fakeAndTarget();
    const scheduleTime = new Date(Date.now() + 50);
    await createTask(fake, {
      name: taskName('headers-1'),
      url: target.url,
      scheduleTime,
      body: { hello: 1 },
    });
    const [arrival] = await arrivals(target, 1, 'the dispatch');
    expect(JSON.parse(arrival?.body ?? '')).toEqual({ hello: 1 });
    expect(arrival?.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Google-Cloud-Tasks',
      'x-cloudtasks-queuename': 'rbm-campaigns',
      'x-cloudtasks-taskname': 'headers-1',
      'x-cloudtasks-taskretrycount': '0',
      'x-cloudtasks-taskexecutioncount': '0',
      'x-cloudtasks-tasketa': (scheduleTime.getTime() / 1000).toFixed(6),
    });
    expect(readPlaceholderOidcToken(arrival?.headers.authorization)).toMatchObject({
      email: SERVICE_ACCOUNT,
      aud: 'https://campaigns.example.test',
      iss: 'https://accounts.google.com',
    });
  });

  it('holds a task until its scheduleTime, while an earlier one goes first', async () => {
    const { fake, target } = await fakeAndTarget();
    const later = new Date(Date.now() + 600);
    await createTask(fake, { url: target.url, scheduleTime: later, body: { which: 'later' } });
    const created = await createTask(fake, { url: target.url, body: { which: 'now' } });
    expect(created.body).toMatchObject({ dispatchCount: 0 }); // answered before its dispatch starts
    const [first, second] = await arrivals(target, 2, 'both tasks');
    expect([first, second].map((a) => JSON.parse(a?.body ?? '').which)).toEqual(['now', 'later']);
    expect(second?.at).toBeGreaterThanOrEqual(later.getTime());
  });

  it("keeps to the queue's rate: 200 tasks at 50/s take about 4 s, never over 50 + burst in any second", async () => {
    const { fake, target } = await fakeAndTarget({
      paused: true,
      queues: { [QUEUE]: { maxDispatchesPerSecond: 50 } },
    });
    await Promise.all(Array.from({ length: 200 }, () => createTask(fake, { url: target.url })));
    fake.resume();
    const all = await pollUntil(() => (target.arrivals.length >= 200 ? target.arrivals : undefined), {
      description: '200 dispatches',
      timeoutMs: 15_000,
      intervalMs: 20,
    });
    const times = all.map((a) => a.at).sort((a, b) => a - b);
    const span = (times.at(-1) ?? 0) - (times[0] ?? 0);
    expect(span).toBeGreaterThanOrEqual(3_500);
    expect(span).toBeLessThan(8_000);
    // The fake's own send times: at most rate + burst in any second (+1 for millisecond rounding).
    const sent = fake
      .dispatches()
      .map((d) => d.startedAt.getTime())
      .sort((a, b) => a - b);
    const limit = 50 + fake.queueConfig(QUEUE).maxBurstSize + 1;
    let windowStart = 0;
    let busiest = 0;
    for (let i = 0; i < sent.length; i++) {
      while ((sent[i] ?? 0) - (sent[windowStart] ?? 0) >= 1000) windowStart++;
      busiest = Math.max(busiest, i - windowStart + 1);
    }
    expect(busiest).toBeLessThanOrEqual(limit);
  }, 20_000);

  it('never has more than maxConcurrentDispatches requests in flight', async () => {
    const { fake, target } = await fakeAndTarget(
      { paused: true, queues: { [QUEUE]: { maxConcurrentDispatches: 3 } } },
      () => ({ status: 200, afterMs: 100 }),
    );
    await Promise.all(Array.from({ length: 9 }, () => createTask(fake, { url: target.url })));
    fake.resume();
    await pollUntil(() => (fake.pending() === 0 ? true : undefined), { description: 'all 9 tasks to run' });
    expect(target.arrivals).toHaveLength(9);
    expect(target.peakInFlight()).toBe(3);
  });

  it('retries 5xx and 4xx answers with exponential backoff, counting retries and executions', async () => {
    const statuses = [500, 404, 200];
    const { fake, target } = await fakeAndTarget(
      { defaultQueue: { minBackoffMs: 100, maxBackoffMs: 1_000 } },
      (index) => ({ status: statuses[index] ?? 200 }),
    );
    await createTask(fake, { name: taskName('flaky'), url: target.url });
    const all = await arrivals(target, 3, 'three attempts');
    expect(all.map((a) => a.headers['x-cloudtasks-taskretrycount'])).toEqual(['0', '1', '2']);
    // A 5xx answer does not count as an execution; the 404 does.
    expect(all.map((a) => a.headers['x-cloudtasks-taskexecutioncount'])).toEqual(['0', '0', '1']);
    expect(all.map((a) => a.headers['x-cloudtasks-taskpreviousresponse'])).toEqual([undefined, '500', '404']);
    const gaps = [(all[1]?.at ?? 0) - (all[0]?.at ?? 0), (all[2]?.at ?? 0) - (all[1]?.at ?? 0)];
    expect(gaps[0]).toBeGreaterThanOrEqual(98);
    expect(gaps[1]).toBeGreaterThanOrEqual(198);
    await pollUntil(() => (fake.task(taskName('flaky'))?.state === 'succeeded' ? true : undefined), {
      description: 'the task to succeed',
    });
    expect(fake.task(taskName('flaky'))).toMatchObject({
      dispatchCount: 3,
      responseCount: 3,
      executionCount: 2,
    });
  });

  it('gives up after maxAttempts, also when the target cannot be reached', async () => {
    const { fake, target } = await fakeAndTarget({ defaultQueue: { maxAttempts: 2, minBackoffMs: 10 } });
    const unreachable = target.url;
    await target.close();
    await createTask(fake, { name: taskName('lost'), url: unreachable });
    await pollUntil(() => (fake.task(taskName('lost'))?.state === 'failed' ? true : undefined), {
      description: 'the task to fail',
    });
    expect(fake.dispatches().map((d) => [d.attempt, d.status, d.outcome])).toEqual([
      [1, 0, 'failed'],
      [2, 0, 'failed'],
    ]);
  });

  it("waits for a task's own dispatchDeadline, else the queue's, before counting an attempt failed", async () => {
    const { fake, target } = await fakeAndTarget(
      { defaultQueue: { dispatchDeadlineMs: 50, maxAttempts: 1 } },
      () => ({ status: 200, afterMs: 300 }),
    );
    await createTask(fake, { name: taskName('patient'), url: target.url, dispatchDeadline: '15s' });
    await createTask(fake, { name: taskName('hasty'), url: target.url });
    const finished = (name: string) => {
      const state = fake.task(taskName(name))?.state;
      return state === 'succeeded' || state === 'failed' ? state : undefined;
    };
    await pollUntil(() => (finished('patient') && finished('hasty') ? true : undefined), {
      description: 'both tasks to finish',
    });
    expect([finished('patient'), finished('hasty')]).toEqual(['succeeded', 'failed']);
  });

  it('keeps only the most recent dispatch records', async () => {
    const { fake, target } = await fakeAndTarget({ paused: true, maxDispatchRecords: 10 });
    for (let i = 0; i < 15; i++) await createTask(fake, { name: taskName(`kept-${i}`), url: target.url });
    fake.resume();
    await arrivals(target, 15, 'all 15 dispatches');
    await pollUntil(() => (fake.pending() === 0 ? true : undefined), { description: 'the last answers' });
    const names = fake.dispatches().map((d) => d.taskName);
    expect(names.length).toBeGreaterThanOrEqual(10);
    expect(names.length).toBeLessThanOrEqual(11);
    expect(names.at(-1)).toBe(taskName('kept-14'));
  });

  it('pauses and resumes one queue without holding up another', async () => {
    const { fake, target } = await fakeAndTarget();
    fake.pause(QUEUE);
    await createTask(fake, { url: target.url, body: { which: 'paused' } });
    await createTask(fake, { url: target.url, queue: OTHER_QUEUE, body: { which: 'running' } });
    await arrivals(target, 1, 'the running queue');
    expect(target.arrivals.map((a) => JSON.parse(a.body).which)).toEqual(['running']);
    expect(fake.pending(QUEUE)).toBe(1);
    fake.resume(QUEUE);
    await arrivals(target, 2, 'the resumed queue');
    expect(JSON.parse(target.arrivals[1]?.body ?? '').which).toBe('paused');
  });
});

describe('fake Cloud Tasks: faults', () => {
  it('duplicate: one attempt reaches the handler twice', async () => {
    const { fake, target } = await fakeAndTarget();
    fake.injectFault({ kind: 'duplicate' });
    await createTask(fake, { name: taskName('twice'), url: target.url });
    const all = await arrivals(target, 2, 'both copies');
    expect(all.map((a) => a.headers['x-cloudtasks-taskretrycount'])).toEqual(['0', '0']);
    await pollUntil(() => (fake.task(taskName('twice'))?.state === 'succeeded' ? true : undefined), {
      description: 'the task to succeed',
    });
    expect(fake.task(taskName('twice'))?.dispatchCount).toBe(1);
    expect(fake.dispatches().map((d) => [d.fault, d.duplicate])).toEqual([
      ['duplicate', false],
      ['duplicate', true],
    ]);
  });

  it('loseResponse: the handler answered 200, yet the task is retried', async () => {
    const { fake, target } = await fakeAndTarget({ defaultQueue: { minBackoffMs: 20 } });
    fake.injectFault({ kind: 'loseResponse' }, { taskName: 'lost-answer' });
    await createTask(fake, { name: taskName('lost-answer'), url: target.url });
    const all = await arrivals(target, 2, 'the retry');
    expect(all.map((a) => a.headers['x-cloudtasks-taskretrycount'])).toEqual(['0', '1']);
    await pollUntil(() => (fake.task(taskName('lost-answer'))?.state === 'succeeded' ? true : undefined), {
      description: 'the task to succeed',
    });
    expect(fake.dispatches().map((d) => [d.status, d.outcome, d.fault])).toEqual([
      [200, 'failed', 'loseResponse'],
      [200, 'succeeded', undefined],
    ]);
  });

  it('delay: the attempt goes out late', async () => {
    const { fake, target } = await fakeAndTarget();
    fake.injectFault({ kind: 'delay', ms: 300 });
    const created = Date.now();
    await createTask(fake, { name: taskName('slow'), url: target.url });
    const [arrival] = await arrivals(target, 1, 'the delayed dispatch');
    expect((arrival?.at ?? 0) - created).toBeGreaterThanOrEqual(300);
    expect(fake.dispatches()[0]?.fault).toBe('delay');
  });
});

describe('fake Cloud Tasks: admin routes', () => {
  it('configures a queue, injects a fault and pauses through HTTP', async () => {
    const { fake, target } = await fakeAndTarget();
    const path = `queues/${QUEUE}`;
    expect(await admin(fake, path, { maxDispatchesPerSecond: 5, maxAttempts: 3 })).toMatchObject({
      status: 200,
      body: {
        name: QUEUE,
        config: { maxDispatchesPerSecond: 5, maxBurstSize: 1, maxAttempts: 3 },
        paused: false,
      },
    });
    expect(fake.queueConfig(QUEUE).maxDispatchesPerSecond).toBe(5);
    expect(await admin(fake, path, { maxDispatchesPerSecond: 501, colour: 'red' })).toMatchObject({
      status: 400,
      body: {
        error: {
          status: 'INVALID_ARGUMENT',
          message: expect.stringMatching(/maxDispatchesPerSecond.*colour/),
        },
      },
    });
    expect((await admin(fake, 'faults', { fault: { kind: 'duplicate' } })).body).toEqual({
      pendingFaults: 1,
    });
    expect((await admin(fake, 'faults', { fault: { kind: 'explode' } })).status).toBe(400);
    expect((await admin(fake, 'pause', { queue: QUEUE })).status).toBe(200);
    expect(fake.isPaused(QUEUE)).toBe(true);
    await createTask(fake, { name: taskName('via-admin'), url: target.url });
    expect(await admin(fake, `tasks?queue=${encodeURIComponent(QUEUE)}`)).toMatchObject({
      body: { tasks: [{ name: taskName('via-admin'), state: 'scheduled' }] },
    });
    await admin(fake, 'resume', {});
    await arrivals(target, 2, 'the duplicated dispatch');
    const dispatches = (await admin(fake, 'dispatches')).body as { dispatches: unknown[] };
    expect(dispatches.dispatches).toHaveLength(2);
  });

  it('answers injected errors on REST calls, applying the call first when asked', async () => {
    const { fake, target } = await fakeAndTarget({ paused: true });
    await admin(fake, 'call-faults', { status: 503, applied: true });
    expect((await createTask(fake, { name: taskName('applied'), url: target.url })).status).toBe(503);
    expect(fake.task(taskName('applied'))?.state).toBe('scheduled');
    fake.failNextCalls(1, { status: 429 });
    expect((await createTask(fake, { name: taskName('refused'), url: target.url })).status).toBe(429);
    expect(fake.task(taskName('refused'))).toBeUndefined();
    expect(fake.calls().map((c) => c.status)).toEqual([503, 429]);
  });
});
