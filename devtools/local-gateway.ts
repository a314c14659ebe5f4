/**
 * The gateway on this machine: one loopback port serving every gateway route of docs/openapi.yaml with the
 * same API-key check as Google Cloud API Gateway, each request forwarded to the function that serves it. It
 * routes from the same rendered document Terraform deploys, with the local functions' URLs as backends
 * (docs/gateway.md). Used by the local stack (`RBM_API_URL`, `RBM_API_KEY`).
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../shared/errors.js';
import { apiKeyOf, apiKeyRefusal, checkApiKey } from './gateway/api-key.js';
import { backendUrl, gatewayRoutes, matchGatewayRoute, type GatewayRoute } from './gateway/routing.js';
import { loadOpenApiDocument, type OpenApiDocument } from './openapi/document.js';
import { API_KEY_HEADER, renderGatewayDocument, type GatewayDocument } from './openapi/gateway-document.js';

export interface LocalGatewayOptions {
  /** The URL of each function the gateway routes to, by function name. */
  readonly backends: Readonly<Record<string, string>>;
  /** Default: a new random key. */
  readonly apiKey?: string;
  /** Default: a free port. */
  readonly port?: number;
  /** Default: docs/openapi.yaml. */
  readonly document?: OpenApiDocument;
}

export interface LocalGateway {
  /** `http://127.0.0.1:PORT` (no trailing slash): the rootUrl of every route. */
  readonly url: string;
  readonly apiKey: string;
  /** The rendered document it routes from, with the local backends. */
  readonly document: GatewayDocument;
  close(): Promise<void>;
}

/** A key for one local run; it only guards a loopback port, so it is printed for the developer to use. */
export function generateLocalApiKey(): string {
  return `local-${randomBytes(18).toString('base64url')}`;
}

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are never forwarded.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEndHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) kept[name] = value;
  }
  return kept;
}

function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  error: ApiError,
  headers: OutgoingHttpHeaders = {},
): void {
  req.resume();
  res.writeHead(error.code, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(error.toBody()));
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  route: GatewayRoute,
  path: string,
  search: string,
): void {
  const target = new URL(backendUrl(route.backend, path, search));
  const upstream = httpRequest(
    target,
    {
      method: req.method,
      headers: { ...endToEndHeaders(req.headers), host: target.host },
      timeout: route.backend.deadline * 1000,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
      answer.pipe(res);
    },
  );
  upstream.on('timeout', () =>
    upstream.destroy(new ApiError(504, `${route.functionName} did not answer in time.`, 'DEADLINE_EXCEEDED')),
  );
  upstream.on('error', (error) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const refusal =
      error instanceof ApiError
        ? error
        : new ApiError(503, `${route.functionName} is not reachable: ${error.message}`, 'UNAVAILABLE');
    refuse(req, res, refusal);
  });
  req.pipe(upstream);
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  routes: ReturnType<typeof gatewayRoutes>,
  apiKey: string,
): void {
  const raw = req.url ?? '/';
  const queryAt = raw.indexOf('?');
  const path = queryAt < 0 ? raw : raw.slice(0, queryAt);
  const search = queryAt < 0 ? '' : raw.slice(queryAt);
  const match = matchGatewayRoute(routes, req.method ?? 'GET', path);
  if (match.kind === 'notFound') {
    refuse(req, res, new ApiError(404, 'The current request is not defined by this API.', 'NOT_FOUND'));
    return;
  }
  if (match.kind === 'methodNotAllowed') {
    const allowed = [...new Set(match.allowed)].join(', ');
    refuse(
      req,
      res,
      new ApiError(405, `Method ${req.method} is not allowed; use ${allowed}.`, 'UNIMPLEMENTED'),
      {
        Allow: allowed,
      },
    );
    return;
  }
  const verdict = checkApiKey(apiKeyOf(new URLSearchParams(search), req.headers[API_KEY_HEADER]), apiKey);
  if (verdict !== 'accepted') {
    refuse(req, res, apiKeyRefusal(verdict));
    return;
  }
  forward(req, res, match.route, path, search);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const source = options.document ?? (await loadOpenApiDocument());
  const document = renderGatewayDocument(source, (functionName) => {
    const url = options.backends[functionName];
    if (url === undefined) throw new Error(`the gateway routes to ${functionName}, which has no local URL`);
    return url;
  });
  const routes = gatewayRoutes(document);
  const apiKey = options.apiKey ?? generateLocalApiKey();
  const server = createServer((req, res) => handle(req, res, routes, apiKey));
  const port = await listen(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    document,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
