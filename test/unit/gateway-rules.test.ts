/** The gateway's pure rules: which operation a request reaches, the backend URL, and the API-key verdicts. */
import { describe, expect, it } from 'vitest';
import { apiKeyOf, apiKeyRefusal, checkApiKey } from '../../devtools/gateway/api-key.js';
import { backendUrl, gatewayRoutes, matchGatewayRoute } from '../../devtools/gateway/routing.js';
import { loadOpenApiDocument } from '../../devtools/openapi/document.js';
import { renderGatewayDocument } from '../../devtools/openapi/gateway-document.js';

const routes = gatewayRoutes(renderGatewayDocument(await loadOpenApiDocument(), (fn) => `http://${fn}.test`));

describe('matchGatewayRoute', () => {
  it.each([
    ['POST', '/v1/phones/+15551234567/agentMessages', 'sendAgentMessage'],
    ['POST', '/v1/phones/%2B15551234567/agentMessages', 'sendAgentMessage'],
    ['GET', '/v1/phones/%2b15551234567/agentMessages', 'listPhoneAgentMessages'],
    [
      'DELETE',
      '/v1/phones/+15551234567/agentMessages/6f1c2b8e-3f7a-4c1e-9a55-2d7b8c9e0f11',
      'revokeAgentMessage',
    ],
    ['GET', '/v1/phones/+15551234567/agentMessages/abc', 'getAgentMessage'],
    ['POST', '/v1/phones/+15551234567/agentEvents', 'createAgentEvent'],
    ['GET', '/v1/phones/+15551234567/capabilities', 'getCapabilities'],
    ['POST', '/v1/users:batchGet', 'batchGetUsers'],
    ['POST', '/v1/files', 'createFile'],
    ['GET', '/v1/agentMessages', 'listAgentMessages'],
    ['PUT', '/v1/consents/%2B15551234567', 'putConsent'],
    ['POST', '/v1/campaigns', 'createCampaign'],
    ['GET', '/v1/campaigns/spring-sale', 'getCampaign'],
    ['POST', '/v1/campaigns/spring-sale:cancel', 'cancelCampaign'],
  ])('%s %s → %s', (method, path, operationId) => {
    const match = matchGatewayRoute(routes, method, path);
    expect(match.kind).toBe('matched');
    expect(match.kind === 'matched' ? match.route : undefined).toBe(routes[operationId]);
  });

  it.each([
    ['POST', '/'],
    ['POST', '/v1/campaigns/spring-sale:dispatch'],
    ['POST', '/v1/campaigns/spring-sale:enqueue'],
    ['GET', '/v1/phones'],
    ['POST', '/v1/users:batchDelete'],
  ])('%s %s is not a gateway route: 404', (method, path) => {
    expect(matchGatewayRoute(routes, method, path)).toEqual({ kind: 'notFound' });
  });

  it('a known path with another method lists the methods it takes', () => {
    const match = matchGatewayRoute(routes, 'PATCH', '/v1/phones/+15551234567/agentMessages');
    expect(match.kind).toBe('methodNotAllowed');
    expect(match.kind === 'methodNotAllowed' ? [...match.allowed].sort() : []).toEqual(['GET', 'POST']);
  });
});

describe('backendUrl (APPEND_PATH_TO_ADDRESS)', () => {
  const backend = routes.sendAgentMessage!.backend;
  it.each([
    ['/v1/phones/+15551234567/agentMessages', '', 'http://send.test/v1/phones/+15551234567/agentMessages'],
    [
      '/v1/phones/%2B15551234567/agentMessages',
      '?messageId=x&key=k',
      'http://send.test/v1/phones/+15551234567/agentMessages?messageId=x&key=k',
    ],
    ['/v1/phones/%2b1555/agentMessages', '', 'http://send.test/v1/phones/+1555/agentMessages'],
  ])('%s%s → %s', (path, search, url) => {
    expect(backendUrl(backend, path, search)).toBe(url);
  });

  it('does not double the slash of an address that ends with one', () => {
    expect(backendUrl({ ...backend, address: 'http://send.test/' }, '/v1/files', '')).toBe(
      'http://send.test/v1/files',
    );
  });
});

describe('the API key', () => {
  it.each([
    ['?key=abc', undefined, 'abc'],
    ['', 'abc', 'abc'],
    ['?key=abc', 'other', 'abc'],
    ['?key=', 'abc', 'abc'],
    ['', undefined, undefined],
    ['?other=1', '', undefined],
  ])('query %j, header %j → %j', (query, header, key) => {
    expect(apiKeyOf(new URLSearchParams(query), header)).toBe(key);
  });

  it.each([
    [undefined, 'missing'],
    ['secret', 'accepted'],
    ['secret ', 'invalid'],
    ['SECRET', 'invalid'],
    ['', 'invalid'],
  ] as const)('%j against "secret" → %s', (given, verdict) => {
    expect(checkApiKey(given, 'secret')).toBe(verdict);
  });

  it('refuses a missing key 401 and an invalid one 400 API_KEY_INVALID, in Google’s error shape', () => {
    expect(apiKeyRefusal('missing').toBody()).toMatchObject({
      error: {
        code: 401,
        status: 'UNAUTHENTICATED',
        message: expect.stringContaining('unregistered callers'),
      },
    });
    expect(apiKeyRefusal('invalid').toBody()).toEqual({
      error: {
        code: 400,
        status: 'INVALID_ARGUMENT',
        message: 'API key not valid. Please pass a valid API key.',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'API_KEY_INVALID',
            domain: 'googleapis.com',
          },
        ],
      },
    });
  });
});
