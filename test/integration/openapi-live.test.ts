/**
 * docs/openapi.yaml against the running functions on the emulators: every documented operation is called (the
 * gateway's through the local gateway, the platform's on the function's own URL), none answers "no such route"
 * (404/405 from routing), and every JSON answer matches the schema the document gives for its status.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../devtools/local-stack.js';
import { documentedOperations, loadOpenApiDocument } from '../../devtools/openapi/document.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { request, type HttpAnswer } from '../support/http.js';
import { openApiSchemas } from '../support/openapi-schemas.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

const document = await loadOpenApiDocument();
const operations = new Map(documentedOperations(document).map((op) => [op.operationId, op]));
const schemas = openApiSchemas(document);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startStackOnTestEmulators({ reconcileIntervalMs: false });
});
afterAll(() => stack?.stop());

interface Call {
  /** Path parameters of the operation's template; `+` is sent as `%2B` in the path. */
  readonly params?: Record<string, string>;
  readonly query?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const called = new Set<string>();

/** Problems of an answer against the document: not routed (404/405 of routing), or a body off its schema. */
function problemsOf(operationId: string, answer: HttpAnswer): string[] {
  const operation = operations.get(operationId)!;
  const routed = !(
    answer.status === 405 ||
    (answer.status === 404 && /not (found: use|defined by)/i.test(answer.text))
  );
  const json = answer.headers.get('content-type')?.startsWith('application/json');
  return [
    ...(routed ? [] : [`${operationId} was not routed: ${answer.status} ${answer.text}`]),
    ...(json ? schemas.responseProblems(operation, answer.status, answer.json) : []),
  ];
}

function send(operationId: string, input: Call): Promise<HttpAnswer> {
  const operation = operations.get(operationId);
  if (!operation) throw new Error(`no operation ${operationId} in docs/openapi.yaml`);
  const path = operation.path.replace(/\{(\w+)\}/g, (_whole, name: string) =>
    encodeURIComponent(input.params?.[name] ?? `missing-${name}`),
  );
  const base = operation.gateway
    ? stack.gateway.url
    : stack.functions[operation.functionName as keyof LocalStack['functions']].url;
  called.add(operationId);
  return request(`${base}${path}${input.query ?? ''}`, {
    method: operation.method.toUpperCase(),
    headers: { ...(operation.gateway ? { 'x-api-key': stack.gateway.apiKey } : {}), ...input.headers },
    ...(input.body === undefined ? {} : { body: input.body }),
  });
}

/**
 * Calls the operation where it is served and checks every answer against the document. A 503 is a documented
 * answer (e.g. a cold Firestore client on a loaded machine) and every call here is safe to repeat, so it is
 * repeated until the function answers otherwise.
 */
async function call(operationId: string, input: Call = {}): Promise<HttpAnswer> {
  const problems: string[] = [];
  const answer = await pollUntil(
    async () => {
      const attempt = await send(operationId, input);
      problems.push(...problemsOf(operationId, attempt));
      return attempt.status === 503 ? undefined : attempt;
    },
    { description: `${operationId} answering other than 503`, timeoutMs: 60_000, intervalMs: 500 },
  );
  expect(problems).toEqual([]);
  return answer;
}

describe('docs/openapi.yaml against the live functions', () => {
  const phone = testPhone();
  const messageId = randomUUID();

  it('agent messages: send (a %2B phone), read the record, list, revoke', async () => {
    // Offline, the message waits at RBM, so it can still be revoked at the end.
    await stack.rbm.setPhone(phone, 'offline');
    const sent = await call('sendAgentMessage', {
      params: { phoneNumber: phone },
      query: `?messageId=${messageId}`,
      body: { contentMessage: { text: 'Hello' }, messageTrafficType: 'TRANSACTION' },
      headers: { 'Correlation-Id': 'order-1' },
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.headers.get('rbm-message-id')).toBe(messageId);
    const replay = await call('sendAgentMessage', {
      params: { phoneNumber: phone },
      query: `?messageId=${messageId}`,
      body: { contentMessage: { text: 'Hello' }, messageTrafficType: 'TRANSACTION' },
    });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(
      (await call('sendAgentMessage', { params: { phoneNumber: phone }, body: { contentMessage: {} } }))
        .status,
    ).toBe(400);

    expect((await call('getAgentMessage', { params: { phoneNumber: phone, messageId } })).json).toMatchObject(
      {
        messageId,
        state: 'SENT',
        correlationId: 'order-1',
      },
    );
    expect(
      (await call('getAgentMessage', { params: { phoneNumber: phone, messageId: randomUUID() } })).status,
    ).toBe(404);
    const listed = await call('listPhoneAgentMessages', {
      params: { phoneNumber: phone },
      query: '?pageSize=1',
    });
    expect(listed.status).toBe(200);
    expect((await call('listAgentMessages', { query: '?state=SENT&pageSize=5' })).status).toBe(200);
    expect((await call('listAgentMessages', { query: '?state=LOST' })).status).toBe(400);

    expect((await call('revokeAgentMessage', { params: { phoneNumber: phone, messageId } })).status).toBe(
      200,
    );
  });

  it('user messages and consents', async () => {
    expect((await call('listUserMessages', { params: { phoneNumber: phone } })).status).toBe(200);
    const other = testPhone();
    expect((await call('getConsent', { params: { phoneNumber: other } })).status).toBe(404);
    const put = await call('putConsent', { params: { phoneNumber: other }, body: { subscribed: false } });
    expect(put.json).toMatchObject({ phoneNumber: other, subscribed: false, source: 'API' });
    expect((await call('getConsent', { params: { phoneNumber: other } })).status).toBe(200);
  });

  it('agent events, capabilities, users:batchGet and files', async () => {
    const typing = await call('createAgentEvent', {
      params: { phoneNumber: phone },
      body: { eventType: 'IS_TYPING' },
    });
    expect(typing.status).toBe(200);
    expect(typing.headers.get('rbm-event-id')).toMatch(/^[0-9a-f-]{36}$/);
    const capabilities = await call('getCapabilities', { params: { phoneNumber: phone } });
    expect(capabilities.status).toBe(200);
    expect(capabilities.headers.get('rbm-cache')).toBe('MISS');
    expect((await call('batchGetUsers', { body: { users: [phone, testPhone()] } })).status).toBe(200);
    const file = await call('createFile', { body: { fileUrl: 'https://cdn.example.com/openapi-live.png' } });
    expect(file.status).toBe(200);
    expect(file.headers.get('rbm-cache')).toBe('MISS');
  });

  it('campaigns: create, read, cancel; the task routes on the function’s own URL', async () => {
    const campaignId = `live-${randomUUID().slice(0, 8)}`;
    const created = await call('createCampaign', {
      body: {
        campaignId,
        agentMessage: { contentMessage: { text: 'Sale' }, messageTrafficType: 'PROMOTION' },
        recipients: [testPhone()],
        startTime: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    expect(created.status).toBe(202);
    expect((await call('getCampaign', { params: { campaignId } })).status).toBe(200);
    expect((await call('cancelCampaign', { params: { campaignId } })).json).toMatchObject({
      state: 'CANCELLED',
    });
    // A malformed task body is a permanent refusal: 200, so that Cloud Tasks does not retry it.
    for (const operation of ['dispatchCampaignRecipient', 'enqueueCampaignChunk']) {
      const refused = await call(operation, { params: { campaignId }, body: {} });
      expect(refused.status).toBe(200);
      expect(refused.json).toMatchObject({ outcome: 'invalid' });
    }
  });

  it('the webhook and reconcile on their own URLs', async () => {
    const handshake = await call('rbmCallback', { body: { clientToken: 'wrong', secret: 's' } });
    expect(handshake.status).toBe(403);
    expect((await call('runReconcile')).status).toBe(200);
  });

  it('called every documented operation', () => {
    expect([...operations.keys()].filter((id) => !called.has(id))).toEqual([]);
  });
});
