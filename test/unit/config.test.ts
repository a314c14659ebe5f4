import { describe, expect, it } from 'vitest';
import {
  loadInboundConfig,
  loadOutboundConfig,
  loadWebhookConfig,
  secondsAsMs,
} from '../../shared/config/functions.js';

const base = { RBM_AGENT_ID: 'my-agent' };

describe('outbound config', () => {
  it('defaults to the global RBM endpoint with application default credentials', () => {
    const config = loadOutboundConfig(base);
    expect(config.rbm).toMatchObject({
      endpoint: 'https://rcsbusinessmessaging.googleapis.com',
      agentId: 'my-agent',
      auth: { kind: 'applicationDefault' },
    });
  });

  it('accepts a regional endpoint and a service-account key', () => {
    const key = JSON.stringify({ client_email: 'rbm@x.iam.gserviceaccount.com', private_key: 'PEM' });
    const config = loadOutboundConfig({
      ...base,
      RBM_API_ENDPOINT: 'https://europe-rcsbusinessmessaging.googleapis.com/',
      RBM_SERVICE_ACCOUNT_KEY: key,
    });
    expect(config.rbm.endpoint).toBe('https://europe-rcsbusinessmessaging.googleapis.com');
    expect(config.rbm.auth).toMatchObject({
      kind: 'serviceAccountKey',
      key: { client_email: 'rbm@x.iam.gserviceaccount.com' },
    });
  });

  it('normalises an agent id given with @rbm.goog', () => {
    expect(loadOutboundConfig({ RBM_AGENT_ID: 'my-agent@rbm.goog' }).rbm.agentId).toBe('my-agent');
  });

  it('allows RBM_AUTH=none on a loopback http endpoint', () => {
    for (const endpoint of ['http://127.0.0.1:9999', 'http://localhost:1', 'http://[::1]:80']) {
      expect(loadOutboundConfig({ ...base, RBM_AUTH: 'none', RBM_API_ENDPOINT: endpoint }).rbm.auth).toEqual({
        kind: 'none',
      });
    }
  });

  it.each([
    [{ RBM_AGENT_ID: undefined }, /RBM_AGENT_ID is required/],
    [{ RBM_AGENT_ID: 'bad agent/id' }, /RBM_AGENT_ID must be/],
    [
      { RBM_AUTH: 'none', RBM_API_ENDPOINT: 'https://rcsbusinessmessaging.googleapis.com' },
      /RBM_AUTH.*loopback/,
    ],
    [{ RBM_AUTH: 'none', RBM_API_ENDPOINT: 'http://10.0.0.5:8080' }, /RBM_AUTH.*loopback/],
    [{ RBM_AUTH: 'none' }, /RBM_AUTH.*loopback/],
    [{ RBM_AUTH: 'maybe' }, /RBM_AUTH must be/],
    [{ RBM_API_ENDPOINT: 'http://127.0.0.1:9' }, /RBM_API_ENDPOINT .*refusing to send a Google OAuth token/],
    [{ RBM_API_ENDPOINT: 'https://evil.example.com' }, /RBM_API_ENDPOINT .*refusing/],
    [{ RBM_API_ENDPOINT: 'not a url' }, /RBM_API_ENDPOINT must be an absolute/],
    [{ RBM_SERVICE_ACCOUNT_KEY: '{nope' }, /RBM_SERVICE_ACCOUNT_KEY is not valid JSON/],
    [
      { RBM_SERVICE_ACCOUNT_KEY: '{"client_email":"a"}' },
      /RBM_SERVICE_ACCOUNT_KEY must be a service-account key/,
    ],
    [{ RBM_RETRY_DEADLINE_MS: '-1' }, /RBM_RETRY_DEADLINE_MS must be a positive/],
  ])('rejects %j', (overrides, message) => {
    expect(() => loadOutboundConfig({ ...base, ...overrides })).toThrow(message);
  });

  it('never echoes the key in its error', () => {
    const secret = '{"private_key":"-----BEGIN PRIVATE KEY-----SECRET"';
    expect(() => loadOutboundConfig({ ...base, RBM_SERVICE_ACCOUNT_KEY: secret })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRET') }),
    );
  });
});

describe('webhook and inbound config', () => {
  it('webhook requires the client token and defaults the topic', () => {
    expect(() => loadWebhookConfig({})).toThrow(/RBM_WEBHOOK_CLIENT_TOKEN is required/);
    expect(loadWebhookConfig({ RBM_WEBHOOK_CLIENT_TOKEN: 't' }).inboundTopic).toBe('rbm-inbound');
    expect(loadWebhookConfig({ RBM_WEBHOOK_CLIENT_TOKEN: 't', RBM_INBOUND_TOPIC: 'x-in' }).inboundTopic).toBe(
      'x-in',
    );
    expect(() => loadWebhookConfig({ RBM_WEBHOOK_CLIENT_TOKEN: 't', RBM_INBOUND_TOPIC: '1bad' })).toThrow(
      /RBM_INBOUND_TOPIC/,
    );
  });

  it('inbound requires the agent id and defaults the user-messages topic', () => {
    expect(() => loadInboundConfig({})).toThrow(/RBM_AGENT_ID is required/);
    expect(loadInboundConfig(base)).toMatchObject({
      agentId: 'my-agent',
      userMessagesTopic: 'rbm-user-messages',
    });
  });
});

describe('durations in seconds (reconcile)', () => {
  it.each([
    [undefined, 600_000],
    ['0', 0],
    ['1', 1_000],
    ['86400', 86_400_000],
  ])('RBM_FALLBACK_GRACE_S=%s → %s ms', (raw, ms) => {
    expect(secondsAsMs({ RBM_FALLBACK_GRACE_S: raw }, 'RBM_FALLBACK_GRACE_S', 600)).toBe(ms);
  });

  it.each(['-1', '1.5', 'soon', '1e400'])('refuses %s, naming the variable', (raw) => {
    expect(() => secondsAsMs({ RBM_PENDING_TIMEOUT_S: raw }, 'RBM_PENDING_TIMEOUT_S', 3600)).toThrow(
      /RBM_PENDING_TIMEOUT_S must be a whole number of 0 or more/,
    );
  });
});
