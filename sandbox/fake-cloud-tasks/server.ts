/**
 * A fake of the Cloud Tasks REST API (v2 tasks.create and tasks.delete with HTTP targets) on loopback, with a
 * dispatcher that pushes tasks to their targets like a Cloud Tasks queue: name de-duplication, scheduleTime,
 * rate and concurrency limits, retries with backoff, OIDC and `X-CloudTasks-*` headers, and injected faults.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../shared/errors.js';
import { parseQueueName, parseTaskName } from '../../shared/tasks/names.js';
import { Dispatcher } from './dispatcher.js';
import { FaultQueue } from './faults.js';
import { parseQueueSettings } from './queue-config.js';
import { QueueRegistry } from './queues.js';
import { errorAnswer, requestListener, type Answer, type TasksApi } from './routes.js';
import { TaskStore, isLive, taskResource } from './state.js';
import { parseCreateTaskRequest } from './task-request.js';
import type { ApiCall, FakeCloudTasks, FakeCloudTasksControl, FakeCloudTasksOptions } from './types.js';

const NOT_FOUND = 'Requested entity was not found.';
const TASK_GONE =
  'The task no longer exists, though a task with this name existed recently. The task either successfully completed or was deleted.';

export async function startFakeCloudTasks(options: FakeCloudTasksOptions = {}): Promise<FakeCloudTasks> {
  const queues = new QueueRegistry(
    options.defaultQueue ?? {},
    options.queues ?? {},
    options.knownQueuesOnly ?? false,
  );
  const store = new TaskStore(options.nameRetentionMs);
  const faults = new FaultQueue();
  const calls: ApiCall[] = [];
  const dispatcher = new Dispatcher({
    store,
    faults,
    configFor: (queue) => queues.config(queue),
    startPaused: options.paused ?? false,
    maxRecords: options.maxDispatchRecords ?? 20_000,
  });

  const api: TasksApi = {
    createTask: (queue, body): Answer => {
      if (!parseQueueName(queue)) {
        return errorAnswer(
          ApiError.invalidArgument([
            { field: 'parent', description: 'Must be "projects/P/locations/L/queues/Q".' },
          ]),
        );
      }
      if (!queues.accepts(queue)) return errorAnswer(new ApiError(404, NOT_FOUND, 'NOT_FOUND'));
      const now = new Date();
      const request = parseCreateTaskRequest(queue, body, now);
      if (request instanceof ApiError) return errorAnswer(request);
      const created = store.create(queue, request, now);
      if (created.kind === 'exists') {
        return errorAnswer(new ApiError(409, 'Requested entity already exists', 'ALREADY_EXISTS'));
      }
      const resource = taskResource(created.task); // before a dispatch can start
      dispatcher.enqueue(created.task);
      return { status: 200, body: resource };
    },
    deleteTask: (name): Answer => {
      if (!parseTaskName(name)) {
        return errorAnswer(
          ApiError.invalidArgument([{ field: 'name', description: 'Must be a full task name.' }]),
        );
      }
      const result = store.delete(name, new Date());
      if (result === 'deleted') return { status: 200, body: {} };
      return errorAnswer(new ApiError(404, result === 'finished' ? TASK_GONE : NOT_FOUND, 'NOT_FOUND'));
    },
  };

  const control: FakeCloudTasksControl = {
    tasks: (queue) =>
      store
        .all()
        .filter((task) => queue === undefined || task.queue === queue)
        .map((task) => ({ ...task })),
    task: (name) => {
      const task = store.get(name);
      return task && { ...task };
    },
    dispatches: () => dispatcher.records.map((record) => ({ ...record })),
    calls: () => [...calls],
    pending: (queue) =>
      store.all().filter((task) => isLive(task) && (queue === undefined || task.queue === queue)).length,
    queueConfig: (queue) => queues.config(queue),
    configureQueue: (queue, settings) => {
      if (!parseQueueName(queue)) throw new Error(`fake Cloud Tasks: "${queue}" is not a queue name`);
      const parsed = parseQueueSettings(settings);
      if ('problems' in parsed) throw new Error(`fake Cloud Tasks: ${parsed.problems.join('; ')}`);
      const config = queues.configure(queue, parsed.settings);
      dispatcher.reconfigure(queue);
      return config;
    },
    injectFault: (fault, scope) => faults.addDispatchFault(fault, scope),
    failNextCalls: (count, fault) => faults.addCallFaults(count, fault),
    pause: (queue) => dispatcher.pause(queue),
    resume: (queue) => dispatcher.resume(queue),
    isPaused: (queue) => dispatcher.isPaused(queue),
    reset: () => {
      dispatcher.clear();
      store.clear();
      faults.clear();
      queues.reset();
      calls.length = 0;
    },
  };

  const server = createServer(
    requestListener({ api, control, faults, calls, requireToken: options.requireToken }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ...control,
    stop: async () => {
      dispatcher.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
