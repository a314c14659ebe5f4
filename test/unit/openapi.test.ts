/**
 * docs/openapi.yaml is valid OpenAPI 3.1 and in step with the functions: every route of every spec is
 * documented with its method, path and function, and nothing else is. The API Gateway rendering of it is valid
 * OpenAPI 2.0 and routes exactly the gateway operations, each to its function's URL.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FUNCTION_SPECS } from '../../functions/catalog.js';
import {
  documentedOperations,
  gatewayFunctions,
  gatewayOperations,
  loadOpenApiDocument,
} from '../../devtools/openapi/document.js';
import {
  BACKEND_DEADLINE_SECONDS,
  gatewayDocumentText,
  renderGatewayDocument,
  terraformPlaceholder,
} from '../../devtools/openapi/gateway-document.js';
import { openApiSchemas } from '../support/openapi-schemas.js';

const document = await loadOpenApiDocument();
const operations = documentedOperations(document);
const schemas = openApiSchemas(document);
const routeKey = (fn: string, method: string, path: string) => `${fn} ${method.toUpperCase()} ${path}`;

const specRoutes = FUNCTION_SPECS.flatMap((spec) =>
  spec.trigger === 'http'
    ? Object.values(spec.routes).map((route) => routeKey(spec.name, route.method, route.path))
    : [],
);

describe('docs/openapi.yaml', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('documents every route of every function spec, with its method, path and function', () => {
    const documented = new Set(operations.map((op) => routeKey(op.functionName, op.method, op.path)));
    expect(specRoutes.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('documents no route that a function spec does not declare', () => {
    const declared = new Set(specRoutes);
    const extra = operations
      .map((op) => routeKey(op.functionName, op.method, op.path))
      .filter((route) => !declared.has(route));
    expect(extra).toEqual([]);
    expect(operations).toHaveLength(specRoutes.length);
  });

  it('gives every operation a unique operationId', () => {
    const ids = operations.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('puts the RBM-compatible and project routes on the gateway, and the platform’s callbacks off it', () => {
    const onGateway = new Set(
      gatewayOperations(document).map((op) => `${op.method.toUpperCase()} ${op.path}`),
    );
    for (const route of [
      'POST /v1/phones/{phoneNumber}/agentMessages',
      'DELETE /v1/phones/{phoneNumber}/agentMessages/{messageId}',
      'POST /v1/phones/{phoneNumber}/agentEvents',
      'GET /v1/phones/{phoneNumber}/capabilities',
      'POST /v1/users:batchGet',
      'POST /v1/files',
      'GET /v1/phones/{phoneNumber}/agentMessages/{messageId}',
      'GET /v1/agentMessages',
      'PUT /v1/consents/{phoneNumber}',
      'POST /v1/campaigns',
      'POST /v1/campaigns/{campaignId}:cancel',
    ]) {
      expect(onGateway, route).toContain(route);
    }
    const offGateway = operations
      .filter((op) => !op.gateway)
      .map((op) => routeKey(op.functionName, op.method, op.path));
    expect(offGateway.sort()).toEqual(
      [
        'campaigns POST /v1/campaigns/{campaignId}:dispatch',
        'campaigns POST /v1/campaigns/{campaignId}:enqueue',
        'reconcile POST /',
        'webhook POST /',
      ].sort(),
    );
  });

  it('compiles every component schema with Ajv (JSON Schema 2020-12)', () => {
    const names = Object.keys((document.components?.schemas ?? {}) as object);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(() => schemas.at(`/components/schemas/${name}`), name).not.toThrow();
  });

  it.each([
    {
      name: 'a text with a chip',
      valid: true,
      body: { contentMessage: { text: 'hi', suggestions: [{ reply: { text: 'Yes' } }] } },
    },
    {
      name: 'two content kinds',
      valid: false,
      body: { contentMessage: { text: 'hi', contentInfo: { fileUrl: 'https://x.test/a.png' } } },
    },
    {
      name: 'ttl and expireTime',
      valid: false,
      body: { contentMessage: { text: 'hi' }, ttl: '10s', expireTime: '2026-01-01T00:00:00Z' },
    },
    {
      name: 'an output-only field',
      valid: false,
      body: { contentMessage: { text: 'hi' }, name: 'phones/+1/agentMessages/x' },
    },
    {
      name: 'a carousel of one card',
      valid: false,
      body: { contentMessage: { richCard: { carouselCard: { cardContents: [{ title: 'a' }] } } } },
    },
    {
      name: 'an unknown traffic type',
      valid: false,
      body: { contentMessage: { text: 'hi' }, messageTrafficType: 'SPAM' },
    },
  ])('the AgentMessage schema takes $name: $valid', ({ body, valid }) => {
    expect(schemas.at('/components/schemas/AgentMessage')(body)).toBe(valid);
  });
});

describe('checking an answer against the document', () => {
  const operation = (id: string) => operations.find((op) => op.operationId === id)!;
  const record = {
    messageId: 'm1',
    phoneNumber: '+15551234567',
    state: 'SENT',
    createdAt: '2026-03-01T09:00:00.120Z',
  };
  const googleError = (code: number, status: string) => ({ error: { code, status, message: 'no' } });

  it.each([
    { name: 'a record', id: 'getAgentMessage', status: 200, body: record, fits: true },
    {
      name: 'a record with bookkeeping',
      id: 'getAgentMessage',
      status: 200,
      body: { ...record, contentSha256: 'x' },
      fits: false,
    },
    {
      name: 'a record with a bad time',
      id: 'getAgentMessage',
      status: 200,
      body: { ...record, createdAt: 'yesterday' },
      fits: false,
    },
    {
      name: 'a Google error',
      id: 'getConsent',
      status: 404,
      body: googleError(404, 'NOT_FOUND'),
      fits: true,
    },
    {
      name: 'another error shape',
      id: 'sendAgentMessage',
      status: 400,
      body: { message: 'bad' },
      fits: false,
    },
    {
      name: 'features that are not a list',
      id: 'getCapabilities',
      status: 200,
      body: { features: 'all' },
      fits: false,
    },
    {
      name: 'the webhook’s 401',
      id: 'rbmCallback',
      status: 401,
      body: googleError(401, 'UNAUTHENTICATED'),
      fits: true,
    },
    {
      name: 'a reconcile summary without timers',
      id: 'runReconcile',
      status: 200,
      body: { unconfirmed: {}, moreWork: false },
      fits: false,
    },
  ])('$name ($id → $status) fits: $fits', ({ id, status, body, fits }) => {
    expect(schemas.responseProblems(operation(id), status, body).length === 0).toBe(fits);
  });
});

describe('the API Gateway rendering (OpenAPI 2.0)', () => {
  const url = (fn: string) => `https://${fn}-123.europe-west1.run.app`;
  const gateway = renderGatewayDocument(document, url);
  const rendered = Object.entries(gateway.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

  it('is a valid OpenAPI 2.0 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(gateway as unknown as Record<string, unknown>);
    expect(result.errors).toBeUndefined();
    expect(validator.version).toBe('2.0');
  });

  it('routes exactly the gateway operations, each to its own function’s URL', () => {
    expect(rendered.map((r) => `${r.method} ${r.path}`).sort()).toEqual(
      gatewayOperations(document)
        .map((op) => `${op.method} ${op.path}`)
        .sort(),
    );
    for (const { path, operation } of rendered) {
      const backend = operation['x-google-backend'];
      expect(backend, path).toEqual({
        address: url(operation['x-rbm-function']),
        path_translation: 'APPEND_PATH_TO_ADDRESS',
        jwt_audience: url(operation['x-rbm-function']),
        deadline: BACKEND_DEADLINE_SECONDS,
      });
    }
  });

  it('asks for an API key in the key query parameter or the x-api-key header', () => {
    expect(gateway.securityDefinitions).toEqual({
      api_key: { type: 'apiKey', name: 'key', in: 'query' },
      api_key_header: { type: 'apiKey', name: 'x-api-key', in: 'header' },
    });
    expect(gateway.security).toEqual([{ api_key: [] }, { api_key_header: [] }]);
  });

  it('declares every path template parameter', () => {
    for (const { path, operation } of rendered) {
      const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(declared.sort(), path).toEqual(templated.sort());
    }
  });

  it('renders Terraform placeholders as the only template sequences of the YAML', () => {
    const placeholders = gatewayFunctions(document).map(terraformPlaceholder);
    const text = gatewayDocumentText(renderGatewayDocument(document, terraformPlaceholder), placeholders);
    const used = new Set([...text.matchAll(/\$\{\w+\}/g)].map((m) => m[0]));
    expect([...used].sort()).toEqual([...placeholders].sort());
    const reparsed = parse(text) as {
      paths: Record<string, Record<string, { 'x-google-backend': { address: string } }>>;
    };
    expect(reparsed.paths['/v1/files']?.post?.['x-google-backend'].address).toBe('${files_url}');
  });

  it.each([
    ['a stray ${…}', '${project}'],
    ['a template directive', '%{if x}'],
  ])('refuses to render a document that would make templatefile() interpolate %s', (_name, sequence) => {
    const tampered = renderGatewayDocument(document, terraformPlaceholder);
    const withSequence = { ...tampered, info: { ...tampered.info, description: `see ${sequence}` } };
    expect(() =>
      gatewayDocumentText(withSequence, gatewayFunctions(document).map(terraformPlaceholder)),
    ).toThrow(/templatefile/);
  });
});
