/**
 * One HTTP request to the fake: extra routes for non-RBM paths, else record the call, apply an injected fault,
 * answer it through the routes, and write the JSON response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiAnswer } from './api-answer.js';
import { recordedCall } from './call-log.js';
import type { CallLog } from './call-log.js';
import { faultAnswer } from './faults.js';
import type { FaultQueue } from './faults.js';
import { matchRoute } from './route-table.js';
import { answerCall } from './routes/index.js';
import type { AccessRules, RouteContext } from './routes/index.js';
import type { ExtraRoutes, RecordedCall } from './types.js';

export interface RequestHandlerDeps {
  readonly context: RouteContext;
  readonly access: AccessRules;
  readonly calls: CallLog;
  readonly faults: FaultQueue;
  readonly extraRoutes: () => ExtraRoutes | undefined;
}

export function requestHandler(
  deps: RequestHandlerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake-rbm.invalid');
    const route = matchRoute(req.method ?? '', url.pathname);
    const extra = deps.extraRoutes();
    if (!route && extra && (await extra(req, res, url))) return;
    const rawBody = await readBody(req);
    const call = recordedCall(req, url, route ?? { kind: 'other' }, rawBody);
    deps.calls.add(call);

    const fault = call.kind === 'other' ? undefined : deps.faults.take(call.kind);
    if (fault && 'hangMs' in fault) {
      call.fault = fault.then === 'destroy' ? 'destroy' : 'hang';
      await new Promise((resolve) => setTimeout(resolve, fault.hangMs));
      if (fault.then === 'destroy') {
        call.status = 0;
        req.socket.destroy();
        return;
      }
    } else if (fault) {
      call.fault = 'status';
      send(res, call, faultAnswer(fault));
      return;
    }
    send(res, call, answerCall(deps.context, deps.access, call));
  };
}

function send(res: ServerResponse, call: RecordedCall, answer: ApiAnswer): void {
  call.status = answer.status;
  if (res.destroyed) return; // the client gave up while we hung; the call is still recorded with its outcome
  res.writeHead(answer.status, { 'Content-Type': 'application/json; charset=utf-8', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
