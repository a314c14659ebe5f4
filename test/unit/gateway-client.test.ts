/**
 * The dev clients (CLI, demo) go through the gateway when the environment names it: its URL replaces each
 * function's, and its key goes with every call to it and with no call anywhere else.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { callFunction } from '../../devtools/clients/functions-client.js';
import { gatewayCredentials, MissingStackEnvError, routesUrl } from '../../devtools/clients/stack-env.js';
import { startRecordingServer } from '../support/recording-server.js';

const gateway = await startRecordingServer();
const elsewhere = await startRecordingServer();
afterAll(() => Promise.all([gateway.close(), elsewhere.close()]));

describe('routesUrl', () => {
  it.each([
    [{ RBM_API_URL: 'http://gw', RBM_SEND_URL: 'http://send' }, 'http://gw'],
    [{ RBM_SEND_URL: 'http://send' }, 'http://send'],
    [{ RBM_API_URL: '', RBM_SEND_URL: 'http://send' }, 'http://send'],
  ])('%j → %s', (env, url) => {
    expect(routesUrl('RBM_SEND_URL', env)).toBe(url);
  });

  it('names the missing variable when neither is set', () => {
    expect(() => routesUrl('RBM_SEND_URL', {})).toThrow(MissingStackEnvError);
  });
});

describe('gatewayCredentials', () => {
  it.each([
    [
      { RBM_API_URL: 'http://gw', RBM_API_KEY: 'k' },
      { url: 'http://gw', apiKey: 'k' },
    ],
    [{ RBM_API_URL: 'http://gw' }, undefined],
    [{ RBM_API_KEY: 'k' }, undefined],
  ])('%j → %j', (env, credentials) => {
    expect(gatewayCredentials(env)).toEqual(credentials);
  });
});

describe('callFunction', () => {
  const credentials = { url: gateway.url.replace(/\/$/, ''), apiKey: 'local-key' };

  it('sends the key to the gateway, as x-api-key', async () => {
    await callFunction(`${credentials.url}/v1/files`, { method: 'POST', body: '{}' }, credentials);
    expect(gateway.requests.at(-1)?.headers['x-api-key']).toBe('local-key');
  });

  it('never sends it to another origin', async () => {
    await callFunction(`${elsewhere.url}v1/files`, { method: 'POST', body: '{}' }, credentials);
    expect(elsewhere.requests.at(-1)?.headers['x-api-key']).toBeUndefined();
  });

  it('keeps a key the caller set', async () => {
    await callFunction(
      `${credentials.url}/v1/files`,
      { method: 'POST', headers: { 'x-api-key': 'mine' } },
      credentials,
    );
    expect(gateway.requests.at(-1)?.headers['x-api-key']).toBe('mine');
  });
});
