import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeCloudTasks, type FakeCloudTasks } from '../../sandbox/fake-cloud-tasks/index.js';
import { createLogger } from '../../shared/log/logger.js';
import { CloudTasksClient, type TaskSpec } from '../../shared/tasks/client.js';
import { loadCloudTasksConfig, type CloudTasksConfig } from '../../shared/tasks/config.js';
import { parseQueueName, parseTaskName, taskNameFor } from '../../shared/tasks/names.js';

const QUEUE = 'projects/demo-project/locations/us-central1/queues/rbm-campaigns';
const MESSAGE_ID = '6f1c2b8e-3f7a-4c1e-9a55-2d7b8c9e0f11';

describe('Cloud Tasks config', () => {
  it('defaults to Google’s endpoint with application default credentials', () => {
    expect(loadCloudTasksConfig({ CLOUD_TASKS_QUEUE: QUEUE })).toMatchObject({
      queue: QUEUE,
      endpoint: 'https://cloudtasks.googleapis.com',
      auth: { kind: 'applicationDefault' },
    });
  });

  it('allows CLOUD_TASKS_AUTH=none on a loopback http endpoint (a trailing slash dropped)', () => {
    for (const endpoint of ['http://127.0.0.1:9999/', 'http://localhost:1', 'http://[::1]:8080']) {
      const config = loadCloudTasksConfig({
        CLOUD_TASKS_QUEUE: QUEUE,
        CLOUD_TASKS_ENDPOINT: endpoint,
        CLOUD_TASKS_AUTH: 'none',
      });
      expect(config.auth).toEqual({ kind: 'none' });
      expect(config.endpoint).toBe(endpoint.replace(/\/$/, ''));
    }
  });

  it.each([
    [{ CLOUD_TASKS_QUEUE: undefined }, /CLOUD_TASKS_QUEUE is required/],
    [{ CLOUD_TASKS_QUEUE: 'rbm-campaigns' }, /CLOUD_TASKS_QUEUE must be a full queue name/],
    [{ CLOUD_TASKS_QUEUE: `${QUEUE}/tasks/x` }, /CLOUD_TASKS_QUEUE must be a full queue name/],
    [{ CLOUD_TASKS_AUTH: 'none' }, /CLOUD_TASKS_AUTH.*loopback/],
    [
      { CLOUD_TASKS_AUTH: 'none', CLOUD_TASKS_ENDPOINT: 'http://10.0.0.5:8123' },
      /CLOUD_TASKS_AUTH.*loopback/,
    ],
    [
      { CLOUD_TASKS_AUTH: 'none', CLOUD_TASKS_ENDPOINT: 'https://127.0.0.1:8123' },
      /CLOUD_TASKS_AUTH.*loopback/,
    ],
    [{ CLOUD_TASKS_AUTH: 'maybe' }, /CLOUD_TASKS_AUTH must be/],
    [
      { CLOUD_TASKS_ENDPOINT: 'http://127.0.0.1:8123' },
      /CLOUD_TASKS_ENDPOINT .*refusing to send a Google OAuth token/,
    ],
    [{ CLOUD_TASKS_ENDPOINT: 'https://tasks.example.com' }, /CLOUD_TASKS_ENDPOINT .*refusing/],
    [{ CLOUD_TASKS_ENDPOINT: 'not a url' }, /CLOUD_TASKS_ENDPOINT must be an absolute/],
  ])('%j is refused: %s', (env, message) => {
    expect(() => loadCloudTasksConfig({ CLOUD_TASKS_QUEUE: QUEUE, ...env })).toThrow(message);
  });
});

describe('Cloud Tasks names', () => {
  it.each([
    [QUEUE, { project: 'demo-project', location: 'us-central1', queue: 'rbm-campaigns' }],
    [
      'projects/123456789/locations/europe-west1/queues/Q-1',
      { project: '123456789', location: 'europe-west1', queue: 'Q-1' },
    ],
    [
      'projects/example.com:my-project/locations/us-east1/queues/q',
      { project: 'example.com:my-project', location: 'us-east1', queue: 'q' },
    ],
    ['projects/demo-project/queues/q', undefined],
    ['projects/demo-project/locations/us-central1/queues/bad_queue', undefined],
    ['projects/Demo/locations/us-central1/queues/q', undefined],
    [`${QUEUE}/`, undefined],
  ])('parseQueueName(%s)', (name, expected) => {
    expect(parseQueueName(name)).toEqual(expected);
  });

  it('derives a hashed, stable task id from the message id', () => {
    const name = taskNameFor(QUEUE, MESSAGE_ID);
    expect(name).toMatch(new RegExp(`^${QUEUE}/tasks/[0-9a-f]{32}$`));
    expect(parseTaskName(name)).toEqual({ queue: QUEUE, taskId: name.split('/').at(-1) });
    expect(name).not.toContain(MESSAGE_ID.slice(0, 8));
    expect(taskNameFor(QUEUE, MESSAGE_ID.toUpperCase())).toBe(name);
    expect(taskNameFor(QUEUE, MESSAGE_ID)).toBe(name);
  });

  it('spreads similar message ids over unrelated task ids (no shared prefix to hot-spot on)', () => {
    const ids = Array.from(
      { length: 16 },
      (_, i) => `00000000-0000-4000-8000-0000000000${i.toString(16).padStart(2, '0')}`,
    );
    const firstDigits = new Set(ids.map((id) => taskNameFor(QUEUE, id).split('/tasks/')[1]?.slice(0, 2)));
    expect(firstDigits.size).toBeGreaterThan(12);
  });
});

describe('CloudTasksClient against the fake', () => {
  let fake: FakeCloudTasks;

  beforeEach(async () => {
    // Paused: the tasks are only looked at, never dispatched.
    fake = await startFakeCloudTasks({ paused: true, requireToken: 'test-token' });
  });
  afterEach(() => fake.stop());

  function client(tokens: () => Promise<string | undefined> = async () => 'test-token', deadlineMs = 2_000) {
    const config: CloudTasksConfig = {
      ...loadCloudTasksConfig({
        CLOUD_TASKS_QUEUE: QUEUE,
        CLOUD_TASKS_ENDPOINT: fake.url,
        CLOUD_TASKS_AUTH: 'none',
      }),
      retry: { deadlineMs, initialBackoffMs: 10, maxBackoffMs: 50, attemptTimeoutMs: 1_000 },
    };
    return new CloudTasksClient(config, { tokens, logger: createLogger({}, () => {}) });
  }

  const scheduleTime = new Date(Date.now() + 24 * 60 * 60 * 1000);
  const spec = (overrides: Partial<TaskSpec> = {}): TaskSpec => ({
    name: taskNameFor(QUEUE, MESSAGE_ID),
    scheduleTime,
    url: 'https://campaigns.example.test/v1/campaigns:dispatch',
    body: { campaignId: 'spring', phone: '+15551234567' },
    serviceAccountEmail: 'tasks@demo-project.iam.gserviceaccount.com',
    audience: 'https://campaigns.example.test',
    dispatchDeadlineSeconds: 300,
    ...overrides,
  });

  it('creates the task: name, schedule, deadline, JSON body (base64), OIDC token, with the bearer token', async () => {
    const outcome = await client().createTask(spec());
    expect(outcome).toMatchObject({ kind: 'created', attempts: 1, task: { name: spec().name } });
    const task = fake.task(spec().name);
    expect(task?.scheduleTime.toISOString()).toBe(scheduleTime.toISOString());
    expect(task?.dispatchDeadlineMs).toBe(300_000);
    expect(task?.httpRequest).toMatchObject({
      url: spec().url,
      httpMethod: 'POST',
      headers: { 'Content-Type': 'application/json' },
      oidcToken: { serviceAccountEmail: spec().serviceAccountEmail, audience: spec().audience },
    });
    expect(JSON.parse(Buffer.from(task?.httpRequest.body ?? '', 'base64').toString('utf8'))).toEqual(
      spec().body,
    );
    expect(fake.calls()).toMatchObject([
      { method: 'POST', path: `/v2/${QUEUE}/tasks`, hasToken: true, status: 200 },
    ]);
  });

  it('reports alreadyExists (done) when the name was used', async () => {
    expect((await client().createTask(spec())).kind).toBe('created');
    expect(await client().createTask(spec())).toEqual({ kind: 'alreadyExists', attempts: 1 });
    expect(fake.tasks()).toHaveLength(1);
  });

  it('retries 503 and 429, then creates', async () => {
    fake.failNextCalls(2, { status: 503 });
    fake.failNextCalls(1, { status: 429 });
    expect(await client().createTask(spec())).toMatchObject({ kind: 'created', attempts: 4 });
    expect(fake.calls().map((call) => call.status)).toEqual([503, 503, 429, 200]);
  });

  it('counts a create whose answer was lost as done: the retry meets 409', async () => {
    fake.failNextCalls(1, { status: 503, applied: true });
    expect(await client().createTask(spec())).toEqual({ kind: 'alreadyExists', attempts: 2 });
    expect(fake.tasks()).toHaveLength(1);
  });

  it('gives up as unavailable once the retry budget is spent', async () => {
    fake.failNextCalls(1_000, { status: 503 });
    // Waits run on a virtual clock, so a busy machine cannot change how many attempts the budget allows.
    let clock = 0;
    const config: CloudTasksConfig = {
      ...loadCloudTasksConfig({
        CLOUD_TASKS_QUEUE: QUEUE,
        CLOUD_TASKS_ENDPOINT: fake.url,
        CLOUD_TASKS_AUTH: 'none',
      }),
      retry: { deadlineMs: 300, initialBackoffMs: 10, maxBackoffMs: 50, attemptTimeoutMs: 1_000 },
    };
    const outcome = await new CloudTasksClient(config, {
      tokens: async () => 'test-token',
      logger: createLogger({}, () => {}),
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 1,
    }).createTask(spec());
    expect(outcome).toMatchObject({ kind: 'unavailable', error: { code: 503, status: 'UNAVAILABLE' } });
    // Backoff 10, 20, 40, then 50 ms each: 7 waits (270 ms) fit the 300 ms budget, an eighth would not.
    expect(outcome.attempts).toBe(8);
    expect(clock).toBe(270);
    expect(fake.calls().map((call) => call.status)).toEqual(Array(8).fill(503));
    expect(fake.tasks()).toHaveLength(0);
  });

  it('reports an unreachable endpoint as unavailable, with the cause', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const config: CloudTasksConfig = {
      ...loadCloudTasksConfig({
        CLOUD_TASKS_QUEUE: QUEUE,
        CLOUD_TASKS_ENDPOINT: `http://127.0.0.1:${port}`,
        CLOUD_TASKS_AUTH: 'none',
      }),
      retry: { deadlineMs: 200, initialBackoffMs: 10, maxBackoffMs: 50, attemptTimeoutMs: 100 },
    };
    const outcome = await new CloudTasksClient(config, { logger: createLogger({}, () => {}) }).createTask(
      spec(),
    );
    expect(outcome).toMatchObject({
      kind: 'unavailable',
      error: {
        code: 503,
        status: 'UNAVAILABLE',
        message: expect.stringMatching(/^Cloud Tasks unreachable: .*ECONNREFUSED/),
      },
    });
    expect(outcome.attempts).toBeGreaterThan(1);
  });

  it('does not retry a refusal: a task name outside the queue is rejected with the field named', async () => {
    const foreign = 'projects/demo-project/locations/us-central1/queues/other/tasks/abc';
    const outcome = await client().createTask(spec({ name: foreign }));
    expect(outcome).toMatchObject({
      kind: 'rejected',
      status: 400,
      attempts: 1,
      error: { status: 'INVALID_ARGUMENT', details: [{ fieldViolations: [{ field: 'task.name' }] }] },
    });
  });

  it('rejects with 401 when the fake wants a token and none is sent', async () => {
    const outcome = await client(async () => undefined).createTask(spec());
    expect(outcome).toMatchObject({ kind: 'rejected', status: 401, error: { status: 'UNAUTHENTICATED' } });
    expect(fake.calls()[0]?.hasToken).toBe(false);
  });

  it('deletes a task, then finds it gone', async () => {
    await client().createTask(spec());
    expect(await client().deleteTask(spec().name)).toEqual({ kind: 'deleted', attempts: 1 });
    expect(fake.task(spec().name)?.state).toBe('deleted');
    expect(await client().deleteTask(spec().name)).toEqual({ kind: 'notFound', attempts: 1 });
  });
});
