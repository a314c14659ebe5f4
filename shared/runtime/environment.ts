/** The environment a function may read: exactly what its spec declares, so an undeclared read is a bug a test finds. */
import type { Env } from '../config/env.js';
import type { FunctionSpec } from './spec.js';

export function declaredEnv(spec: FunctionSpec, env: Env): Env {
  const declared = new Set(spec.env);
  return new Proxy(Object.freeze({ ...env }), {
    get(target, name) {
      return typeof name === 'string' && declared.has(name) ? target[name] : undefined;
    },
    has(target, name) {
      return typeof name === 'string' && declared.has(name) && name in target;
    },
  });
}
