/** Matching a request path against a function's route templates: pure, so 404 and 405 are decided in one place. */
import type { RouteSpec } from './spec.js';

export type RouteMatch<R extends string> =
  | { kind: 'matched'; route: R; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allowed: string[] }
  | { kind: 'notFound' };

interface CompiledRoute<R extends string> {
  name: R;
  method: string;
  pattern: RegExp;
  params: string[];
}

const cache = new WeakMap<object, CompiledRoute<string>[]>();

function compile<R extends string>(routes: Readonly<Record<R, RouteSpec>>): CompiledRoute<R>[] {
  const known = cache.get(routes);
  if (known) return known as CompiledRoute<R>[];
  const compiled = (Object.entries(routes) as Array<[R, RouteSpec]>).map(([name, route]) => {
    const params: string[] = [];
    const source = route.path
      .split('/')
      .map((segment) =>
        segment.replace(/\{(\w+)\}|[^{}]+/g, (part, param: string | undefined) => {
          if (param === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
          params.push(param);
          return '([^/:]+)';
        }),
      )
      .join('/');
    return { name, method: route.method, pattern: new RegExp(`^${source}/?$`), params };
  });
  cache.set(routes, compiled);
  return compiled;
}

/** Path parameters are percent-decoded, so `%2B15551234567` and `+15551234567` are the same phone. */
export function matchRoute<R extends string>(
  routes: Readonly<Record<R, RouteSpec>>,
  method: string,
  path: string,
): RouteMatch<R> {
  const allowed: string[] = [];
  for (const route of compile(routes)) {
    const found = route.pattern.exec(path);
    if (!found) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    const params: Record<string, string> = {};
    route.params.forEach((name, i) => {
      params[name] = safeDecode(found[i + 1] ?? '');
    });
    return { kind: 'matched', route: route.name, params };
  }
  return allowed.length > 0 ? { kind: 'methodNotAllowed', allowed } : { kind: 'notFound' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
