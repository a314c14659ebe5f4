/**
 * The fake's HTTP surface: the Cloud Tasks REST subset under `/v2/` (recorded, optionally token-checked and
 * fault-injected), and admin routes under `/_admin/` so a separately running process can be inspected and set up.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ApiError } from '../../shared/errors.js';
import { isJsonObject } from '../../shared/json-values.js';
import { parseDispatchFault, type CallFault, type FaultQueue } from './faults.js';
import { parseQueueSettings } from './queue-config.js';
import type { ApiCall, FakeCloudTasksControl } from './types.js';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** The REST semantics, behind the HTTP plumbing. */
export interface TasksApi {
  createTask(queue: string, body: unknown): Answer;
  deleteTask(name: string): Answer;
}

export interface RoutesContext {
  readonly api: TasksApi;
  readonly control: FakeCloudTasksControl;
  readonly faults: FaultQueue;
  readonly calls: ApiCall[];
  readonly requireToken: string | undefined;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const ADMIN_PREFIX = '/_admin/';
const CREATE_PATH = /^\/v2\/(.+)\/tasks$/;
const CALL_FAULT_STATUSES: readonly CallFault['status'][] = [429, 500, 503];

export function requestListener(context: RoutesContext): RequestListener {
  return (req, res) => {
    handle(context, req, res).catch((error: unknown) => {
      const failure =
        error instanceof ApiError ? error : new ApiError(500, `fake Cloud Tasks: ${String(error)}`);
      writeJson(res, { status: failure.code, body: failure.toBody() });
    });
  };
}

async function handle(context: RoutesContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://fake-cloud-tasks.invalid');
  const path = safeDecode(url.pathname);
  const method = req.method ?? '';
  const body = await readJson(req);
  if (path.startsWith(ADMIN_PREFIX)) {
    writeJson(
      res,
      admin(context.control, context.faults, method, path.slice(ADMIN_PREFIX.length), url, body),
    );
    return;
  }
  const authorization = req.headers.authorization;
  const token = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
  const { answer, fault } = answerRestCall(context, method, path, body, token);
  context.calls.push({
    method,
    path,
    status: answer.status,
    hasToken: token !== undefined,
    fault,
    at: new Date(),
  });
  writeJson(res, answer);
}

type RestRoute =
  { readonly kind: 'create'; readonly queue: string } | { readonly kind: 'delete'; readonly name: string };

/** `POST /v2/{queue}/tasks` or `DELETE /v2/{task name}`; the names are checked by the API itself. */
function matchRestRoute(method: string, path: string): RestRoute | undefined {
  const queue = CREATE_PATH.exec(path)?.[1];
  if (method === 'POST' && queue !== undefined) return { kind: 'create', queue };
  if (method === 'DELETE' && path.startsWith('/v2/')) {
    return { kind: 'delete', name: path.slice('/v2/'.length) };
  }
  return undefined;
}

/** The REST call's answer; an injected call fault replaces it (after applying the call when `applied`). */
function answerRestCall(
  context: RoutesContext,
  method: string,
  path: string,
  body: unknown,
  token: string | undefined,
): { answer: Answer; fault: CallFault | undefined } {
  if (context.requireToken !== undefined && token !== context.requireToken) {
    const unauthenticated = new ApiError(
      401,
      'Request had invalid authentication credentials.',
      'UNAUTHENTICATED',
    );
    return { answer: errorAnswer(unauthenticated), fault: undefined };
  }
  const route = matchRestRoute(method, path);
  if (!route) {
    return {
      answer: errorAnswer(new ApiError(404, `No route for ${method} ${path}`, 'NOT_FOUND')),
      fault: undefined,
    };
  }
  const call = (): Answer =>
    route.kind === 'create' ? context.api.createTask(route.queue, body) : context.api.deleteTask(route.name);
  const fault = context.faults.takeCallFault();
  if (!fault) return { answer: call(), fault };
  if (fault.applied) call(); // takes effect; its answer is lost
  return { answer: errorAnswer(new ApiError(fault.status, `Injected fault: ${fault.status}`)), fault };
}

function admin(
  fake: FakeCloudTasksControl,
  faults: FaultQueue,
  method: string,
  route: string,
  url: URL,
  body: unknown,
): Answer {
  const ok = (value: unknown): Answer => ({ status: 200, body: value });
  const request = isJsonObject(body) ? body : {};
  const queueParam = url.searchParams.get('queue') ?? undefined;
  const queueField = typeof request.queue === 'string' ? request.queue : undefined;
  const queueRoute = /^queues\/(.+)$/.exec(route)?.[1];
  const key = `${method} ${queueRoute === undefined ? route : 'queues/*'}`;
  switch (key) {
    case 'GET tasks':
      return ok({ tasks: fake.tasks(queueParam) });
    case 'GET dispatches':
      return ok({ dispatches: fake.dispatches() });
    case 'GET calls':
      return ok({ calls: fake.calls() });
    case 'GET status':
      return ok({ pending: fake.pending(queueParam), pendingFaults: faults.pending() });
    case 'GET queues/*':
      return ok(queueAnswer(fake, queueRoute ?? ''));
    case 'POST queues/*': {
      const parsed = parseQueueSettings(body);
      if ('problems' in parsed) return badRequest(parsed.problems.join('; '));
      try {
        fake.configureQueue(queueRoute ?? '', parsed.settings);
      } catch (error) {
        return badRequest(error instanceof Error ? error.message : String(error));
      }
      return ok(queueAnswer(fake, queueRoute ?? ''));
    }
    case 'POST faults': {
      const fault = parseDispatchFault(request.fault);
      if (typeof fault === 'string') return badRequest(fault);
      const count = typeof request.count === 'number' ? request.count : 1;
      const taskName = typeof request.taskName === 'string' ? request.taskName : undefined;
      fake.injectFault(fault, { count, taskName, queue: queueField });
      return ok({ pendingFaults: faults.pending() });
    }
    case 'POST call-faults': {
      const status = CALL_FAULT_STATUSES.find((s) => s === request.status);
      if (status === undefined) return badRequest(`status must be one of ${CALL_FAULT_STATUSES.join(', ')}`);
      const count = typeof request.count === 'number' ? request.count : 1;
      fake.failNextCalls(count, { status, applied: request.applied === true });
      return ok({ pendingFaults: faults.pending() });
    }
    case 'POST pause':
      fake.pause(queueField);
      return ok({});
    case 'POST resume':
      fake.resume(queueField);
      return ok({});
    case 'POST reset':
      fake.reset();
      return ok({});
    default:
      return errorAnswer(new ApiError(404, `No admin route ${method} ${ADMIN_PREFIX}${route}`, 'NOT_FOUND'));
  }
}

function queueAnswer(fake: FakeCloudTasksControl, queue: string): Record<string, unknown> {
  return { name: queue, config: fake.queueConfig(queue), paused: fake.isPaused(queue) };
}

function badRequest(message: string): Answer {
  return errorAnswer(new ApiError(400, message, 'INVALID_ARGUMENT'));
}

export function errorAnswer(error: ApiError): Answer {
  return { status: error.code, body: error.toBody() };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(413, `Request body exceeds ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'Invalid JSON payload received.', 'INVALID_ARGUMENT');
  }
}

function writeJson(res: ServerResponse, answer: Answer): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(answer.body));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
