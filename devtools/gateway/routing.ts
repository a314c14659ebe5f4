/**
 * How the gateway routes a request, read from its rendered document (devtools/openapi/gateway-document.ts):
 * the operation whose path template and method match, and the backend URL the request goes to, the way API
 * Gateway's APPEND_PATH_TO_ADDRESS builds it. Pure.
 */
import { matchRoute } from '../../shared/runtime/routes.js';
import type { RouteSpec } from '../../shared/runtime/spec.js';
import type { GatewayBackend, GatewayDocument } from '../openapi/gateway-document.js';

export interface GatewayRoute extends RouteSpec {
  readonly functionName: string;
  readonly backend: GatewayBackend;
}

export type GatewayRoutes = Readonly<Record<string, GatewayRoute>>;

export type GatewayMatch =
  | { readonly kind: 'matched'; readonly route: GatewayRoute }
  | { readonly kind: 'methodNotAllowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'notFound' };

const METHODS: ReadonlySet<string> = new Set<RouteSpec['method']>(['GET', 'POST', 'PUT', 'DELETE']);

/** Every operation of the document, by operationId. */
export function gatewayRoutes(document: GatewayDocument): GatewayRoutes {
  const routes: Record<string, GatewayRoute> = {};
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const upper = method.toUpperCase();
      if (!METHODS.has(upper))
        throw new Error(`${method} ${path}: the gateway routes GET, POST, PUT and DELETE`);
      routes[operation.operationId] = {
        method: upper as RouteSpec['method'],
        path,
        summary: operation.summary,
        functionName: operation['x-rbm-function'],
        backend: operation['x-google-backend'],
      };
    }
  }
  return routes;
}

/** `path` is the request's path as sent (percent-encoded); a `+` may come as `%2B`. */
export function matchGatewayRoute(routes: GatewayRoutes, method: string, path: string): GatewayMatch {
  const match = matchRoute(routes, method, path);
  if (match.kind === 'matched') {
    const route = routes[match.route];
    return route ? { kind: 'matched', route } : { kind: 'notFound' };
  }
  return match;
}

/**
 * APPEND_PATH_TO_ADDRESS: the backend's address followed by the request's path and query. `%2B` is passed on
 * as `+`, the form RBM's own paths use.
 */
export function backendUrl(backend: GatewayBackend, path: string, search: string): string {
  return `${backend.address.replace(/\/+$/, '')}${path.replace(/%2B/gi, '+')}${search}`;
}
