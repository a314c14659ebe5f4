/**
 * Turns an HTTP function spec and its route handlers into a registered functions-framework function. The
 * runtime owns what every HTTP function shares: configuration at start-up, the body limits, routing with
 * 404/405, writing every outcome and error in Google's error shape, and one request log line per answer.
 */
import * as functions from '@google-cloud/functions-framework';
import type { Request } from '@google-cloud/functions-framework';
import { ApiError } from '../errors.js';
import { installRequestBodyLimits } from '../http/body-limits.js';
import { logAnsweredRequest } from '../http/request-log.js';
import { jsonObjectBody, queryParam } from '../http/request.js';
import { errorResult, respond, type HttpResult } from '../http/response.js';
import { createPlatform, type Platform } from './platform.js';
import { matchRoute } from './routes.js';
import type { HttpFunctionSpec } from './spec.js';

/** One request as a handler sees it. */
export interface HttpCall {
  /** Decoded path parameters of the matched route. */
  readonly params: Readonly<Record<string, string>>;
  query(name: string): string | undefined;
  /** Every query parameter name present, for handlers that refuse unknown ones. */
  queryNames(): string[];
  header(name: string): string | undefined;
  /** The body as a JSON object, bounded by the spec's limit; 400/413 otherwise. */
  json(): Promise<Record<string, unknown>>;
  readonly request: Request;
}

export type HttpHandler<D> = (call: HttpCall, deps: D) => Promise<HttpResult>;

export function serveHttp<R extends string, D>(
  spec: HttpFunctionSpec<R>,
  setup: (platform: Platform) => D,
  handlers: Readonly<Record<R, HttpHandler<D>>>,
): void {
  const platform = createPlatform(spec);
  const { logger, projectId } = platform;
  // A body refused before the function runs (413, 415, corrupt encoding) still leaves its request line.
  installRequestBodyLimits({
    maxBytes: spec.maxBodyBytes,
    onRefused: (req, res) => logAnsweredRequest(logger, req, res, { projectId }),
  });
  const deps = setup(platform);
  functions.http(spec.name, async (req, res) => {
    let route: string | undefined;
    await respond(res, logger, async () => {
      const match = matchRoute(spec.routes, req.method, req.path);
      if (match.kind === 'notFound') return notFound(spec);
      if (match.kind === 'methodNotAllowed') return methodNotAllowed(req.method, match.allowed);
      route = match.route;
      return handlers[match.route](httpCall(req, match.params, spec.maxBodyBytes), deps);
    });
    // The one request line; a 5xx may also have an explaining line (the error itself) from respond or the handler.
    logAnsweredRequest(logger, req, res, { ...(route === undefined ? {} : { route }), projectId });
  });
}

function httpCall(req: Request, params: Record<string, string>, maxBodyBytes: number): HttpCall {
  return {
    params,
    query: (name) => queryParam(req, name),
    queryNames: () => Object.keys(req.query),
    header: (name) => req.get(name),
    json: () => jsonObjectBody(req, maxBodyBytes),
    request: req,
  };
}

function notFound(spec: HttpFunctionSpec): HttpResult {
  const routes = Object.values(spec.routes).map((route) => `${route.method} ${route.path}`);
  return errorResult(new ApiError(404, `Not found: use ${routes.join(', or ')}.`, 'NOT_FOUND'));
}

function methodNotAllowed(method: string, allowed: string[]): HttpResult {
  const list = [...new Set(allowed)].join(', ');
  return errorResult(new ApiError(405, `Method ${method} is not allowed; use ${list}.`, 'UNIMPLEMENTED'), {
    Allow: list,
  });
}
