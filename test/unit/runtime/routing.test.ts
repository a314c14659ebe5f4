/**
 * Every HTTP function of the catalog, served in-process by functions-framework's own test server: the
 * runtime answers unknown paths 404, wrong methods 405 with Allow, and bodies over the spec's limit 413,
 * all in Google's error shape, before any handler or backend is reached (no emulator needed).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { campaignsSettings, localValue, stackTopics } from '../../../devtools/local-stack.js';
import { FUNCTION_SPECS } from '../../../functions/catalog.js';
import type { HttpFunctionSpec } from '../../../shared/runtime/spec.js';
import { request } from '../../support/http.js';

const httpSpecs = FUNCTION_SPECS.filter(
  (spec): spec is Extract<typeof spec, { trigger: 'http' }> => spec.trigger === 'http',
);

/** Every declared variable gets the local stack's value; backends point at a closed port, never reached. */
function environmentFor(spec: HttpFunctionSpec): Record<string, string> {
  const settings = {
    agentId: 'routing-agent',
    clientToken: 'routing-token',
    rbmUrl: 'http://127.0.0.1:9',
    topics: stackTopics(''),
    campaigns: campaignsSettings('routing-project', 'http://127.0.0.1:9', 'http://127.0.0.1:9'),
  };
  const env: Record<string, string> = {
    GOOGLE_CLOUD_PROJECT: 'routing-project',
    FIRESTORE_EMULATOR_HOST: '127.0.0.1:9',
    PUBSUB_EMULATOR_HOST: '127.0.0.1:9',
  };
  for (const variable of spec.env) {
    const value = localValue(variable, settings);
    if (value !== undefined) env[variable] = value;
  }
  return env;
}

const servers: Server[] = [];

async function serve(spec: HttpFunctionSpec): Promise<string> {
  Object.assign(process.env, environmentFor(spec));
  await import(`../../../functions/${spec.name}/index.ts`);
  const server = getTestServer(spec.name);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A concrete path for a route template. */
const concrete = (path: string) =>
  path.replace('{phoneNumber}', '+15550100200').replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');

const ALL_METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

describe.each(httpSpecs.map((spec) => [spec.name, spec] as const))('%s', (_name, spec) => {
  let base: string | undefined;
  const url = async (path: string) => `${(base ??= await serve(spec))}${path}`;

  it('answers an unknown path 404 NOT_FOUND naming its routes', async () => {
    const answer = await request(await url('/v1/no-such-resource/x/y'), { method: 'POST', body: {} });
    expect(answer.status).toBe(404);
    expect(answer.json).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    for (const route of Object.values(spec.routes)) {
      expect((answer.json as { error: { message: string } }).error.message).toContain(route.path);
    }
  });

  it.each(Object.entries(spec.routes))(
    'route %s: other methods answer 405 with Allow',
    async (_route, route) => {
      const allowedHere = new Set(
        Object.values(spec.routes)
          .filter((other) => concrete(other.path) === concrete(route.path))
          .map((other) => other.method),
      );
      for (const method of ALL_METHODS.filter((m) => !allowedHere.has(m))) {
        const answer = await request(await url(concrete(route.path)), { method });
        expect(answer.status, `${method} ${route.path}`).toBe(405);
        expect(answer.json).toMatchObject({ error: { code: 405 } });
        expect(answer.headers.get('allow')?.split(', ').sort()).toEqual([...allowedHere].sort());
      }
    },
  );

  it.each(
    Object.entries(spec.routes).filter(([, route]) => route.method !== 'GET' && route.method !== 'DELETE'),
  )('route %s: a body over the limit answers 413 OUT_OF_RANGE', async (_route, route) => {
    const answer = await request(await url(concrete(route.path)), {
      method: route.method,
      headers: { 'content-type': 'application/json' },
      rawBody: `{"x":"${'a'.repeat(spec.maxBodyBytes)}"}`,
    });
    expect(answer.status).toBe(413);
    expect(answer.json).toMatchObject({ error: { code: 413, status: 'OUT_OF_RANGE' } });
  });
});
