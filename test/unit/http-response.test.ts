import type { Response } from '@google-cloud/functions-framework';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors.js';
import {
  rbmUnavailableResult,
  respond,
  storageUnavailableResult,
  type HttpResult,
} from '../../shared/http/response.js';
import { createLogger } from '../../shared/log/logger.js';

function fakeResponse() {
  const sent: { status?: number; type?: string; body?: string; headers: Record<string, string> } = {
    headers: {},
  };
  const res = {
    set(name: string, value: string) {
      sent.headers[name] = value;
      return res;
    },
    status(code: number) {
      sent.status = code;
      return res;
    },
    type(type: string) {
      sent.type = type;
      return res;
    },
    send(body: string) {
      sent.body = body;
      return res;
    },
  };
  return { res: res as unknown as Response, sent };
}

const silent = createLogger({}, () => undefined);

describe('respond', () => {
  it.each<[string, () => Promise<HttpResult>, number, string]>([
    ['a result', async () => ({ status: 200, body: { ok: true } }), 200, '{"ok":true}'],
    [
      'an ApiError',
      async () => Promise.reject(new ApiError(409, 'taken', 'ALREADY_EXISTS')),
      409,
      'ALREADY_EXISTS',
    ],
    [
      'a gRPC UNAVAILABLE',
      async () => Promise.reject(Object.assign(new Error('down'), { code: 14 })),
      503,
      'UNAVAILABLE',
    ],
    [
      'a gRPC DEADLINE_EXCEEDED',
      async () => Promise.reject(Object.assign(new Error('slow'), { code: 4 })),
      503,
      'UNAVAILABLE',
    ],
    ['anything else', async () => Promise.reject(new TypeError('bug')), 500, 'INTERNAL'],
  ])('maps %s to %i in Google’s shape', async (_name, handle, status, fragment) => {
    const { res, sent } = fakeResponse();
    await respond(res, silent, handle);
    expect(sent.status).toBe(status);
    expect(sent.type).toContain('application/json');
    expect(sent.body).toContain(fragment);
  });

  it('writes text results as text/plain, exactly', async () => {
    const { res, sent } = fakeResponse();
    await respond(res, silent, async () => ({ status: 200, text: 'the-secret' }));
    expect(sent).toMatchObject({ status: 200, body: 'the-secret' });
    expect(sent.type).toContain('text/plain');
  });

  it('never leaks an unexpected error’s message', async () => {
    const { res, sent } = fakeResponse();
    await respond(res, silent, async () => Promise.reject(new Error('password=hunter2')));
    expect(sent.body).not.toContain('hunter2');
  });
});

describe('unavailable answers', () => {
  const rbm = { attempts: 3, rbmStatus: 'UNAVAILABLE' };
  const messageHeader = { 'Rbm-Message-Id': 'm1' };
  it.each<[string, HttpResult, string, Record<string, string> | undefined]>([
    [
      'RBM, nothing to add',
      rbmUnavailableResult(rbm),
      'RBM API unavailable after 3 attempt(s) (UNAVAILABLE).',
      undefined,
    ],
    [
      'RBM, what happens next',
      rbmUnavailableResult({ attempts: 1, rbmStatus: 'DEADLINE_EXCEEDED' }, 'no file was created.'),
      'RBM API unavailable after 1 attempt(s) (DEADLINE_EXCEEDED); no file was created.',
      undefined,
    ],
    [
      'RBM, with headers',
      rbmUnavailableResult(rbm, 'the queue retries this recipient.', messageHeader),
      'RBM API unavailable after 3 attempt(s) (UNAVAILABLE); the queue retries this recipient.',
      messageHeader,
    ],
    ['storage, nothing to add', storageUnavailableResult(), 'Storage is temporarily unavailable.', undefined],
    [
      'storage, what happens next, with headers',
      storageUnavailableResult('retry with the same messageId: nothing is sent twice.', messageHeader),
      'Storage is temporarily unavailable; retry with the same messageId: nothing is sent twice.',
      messageHeader,
    ],
    [
      'storage, headers only',
      storageUnavailableResult(undefined, messageHeader),
      'Storage is temporarily unavailable.',
      messageHeader,
    ],
  ])('%s', (_name, result, message, headers) => {
    expect(result).toEqual({
      status: 503,
      body: { error: { code: 503, status: 'UNAVAILABLE', message } },
      ...(headers ? { headers } : {}),
    });
  });
});
