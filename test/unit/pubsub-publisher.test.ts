import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/logger.js';
import {
  publishBody,
  publishedMessageId,
  publishError,
  publishRetryPolicy,
  publishUrl,
  pubsubTarget,
  PublishError,
} from '../../shared/pubsub/publish-request.js';
import { createPublisher } from '../../shared/pubsub/publisher.js';

const quiet = createLogger({}, () => undefined);

describe('where a publish goes', () => {
  it.each([
    [undefined, { endpoint: 'https://pubsub.googleapis.com', authenticated: true }],
    ['', { endpoint: 'https://pubsub.googleapis.com', authenticated: true }],
    ['127.0.0.1:8085', { endpoint: 'http://127.0.0.1:8085', authenticated: false }],
    ['http://localhost:8085/', { endpoint: 'http://localhost:8085', authenticated: false }],
    ['pubsub-emulator:8681', { endpoint: 'http://pubsub-emulator:8681', authenticated: false }],
  ])('PUBSUB_EMULATOR_HOST=%j', (host, target) => {
    expect(pubsubTarget(host)).toEqual(target);
  });

  it('names the project and topic in the URL, encoded', () => {
    expect(publishUrl('http://h:1', 'my-project', 'rbm-message-status')).toBe(
      'http://h:1/v1/projects/my-project/topics/rbm-message-status:publish',
    );
    expect(publishUrl('http://h:1', 'p', 'a/b')).toBe('http://h:1/v1/projects/p/topics/a%2Fb:publish');
  });
});

describe('what a publish sends and reads', () => {
  it('sends one message, data in base64, attributes as given', () => {
    expect(publishBody(Buffer.from('{"a":1}'), { kind: 'status' })).toEqual({
      messages: [{ data: Buffer.from('{"a":1}').toString('base64'), attributes: { kind: 'status' } }],
    });
  });

  it.each([
    [{ messageIds: ['42'] }, '42'],
    [{ messageIds: [] }, undefined],
    [{ messageIds: [''] }, undefined],
    [{ messageIds: [42] }, undefined],
    [{}, undefined],
    [[], undefined],
    [null, undefined],
  ])('message id of %j', (body, id) => {
    expect(publishedMessageId(body)).toBe(id);
  });

  it.each([
    [
      undefined,
      { deadlineMs: 600_000, attemptTimeoutMs: 60_000, initialBackoffMs: 100, maxBackoffMs: 60_000 },
    ],
    [1500, { deadlineMs: 1500, attemptTimeoutMs: 1500, initialBackoffMs: 100, maxBackoffMs: 1500 }],
    [50, { deadlineMs: 50, attemptTimeoutMs: 50, initialBackoffMs: 50, maxBackoffMs: 50 }],
  ])('retry budget for timeoutMs %j', (timeoutMs, policy) => {
    expect(publishRetryPolicy(timeoutMs)).toEqual(policy);
  });

  it.each([
    ['DEADLINE_EXCEEDED', 504, 4],
    ['NOT_FOUND', 404, 5],
    ['PERMISSION_DENIED', 403, 7],
    ['RESOURCE_EXHAUSTED', 429, 8],
    ['UNAVAILABLE', 503, 14],
    ['SOMETHING_NEW', 500, 2],
  ])('%s (HTTP %i) becomes gRPC code %i', (status, httpStatus, code) => {
    const error = publishError('t', { code: httpStatus, status, message: 'm' });
    expect(error).toBeInstanceOf(PublishError);
    expect(error).toMatchObject({ code, status, httpStatus });
    expect(error.message).toContain('t');
  });
});

/** A fetch that answers each call with the next scripted response (or never, for 'hang'). */
function scriptedFetch(answers: Array<{ status: number; body: unknown } | 'hang'>) {
  const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
  const fake: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), init });
    const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
    if (answer === 'hang' || answer === undefined) {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fake, calls };
}

describe('createPublisher', () => {
  const emulator = { PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' };

  it('posts to the emulator without a token and resolves to the message id', async () => {
    const fake = scriptedFetch([{ status: 200, body: { messageIds: ['m-1'] } }]);
    const publish = createPublisher('p', { fetch: fake.fetch, env: emulator, logger: quiet });
    await expect(publish('topic-a', Buffer.from('x'), { k: 'v' })).resolves.toBe('m-1');
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]?.url).toBe('http://127.0.0.1:8085/v1/projects/p/topics/topic-a:publish');
    const headers = new Headers(fake.calls[0]?.init?.headers);
    expect(headers.get('authorization')).toBeNull();
    expect(JSON.parse(String(fake.calls[0]?.init?.body))).toEqual(publishBody(Buffer.from('x'), { k: 'v' }));
  });

  it('sends a bearer token to Google', async () => {
    const fake = scriptedFetch([{ status: 200, body: { messageIds: ['m-2'] } }]);
    const publish = createPublisher('p', {
      fetch: fake.fetch,
      env: {},
      tokens: async () => 'token-1',
      logger: quiet,
    });
    await expect(publish('topic-a', Buffer.from('x'))).resolves.toBe('m-2');
    expect(fake.calls[0]?.url).toBe('https://pubsub.googleapis.com/v1/projects/p/topics/topic-a:publish');
    expect(new Headers(fake.calls[0]?.init?.headers).get('authorization')).toBe('Bearer token-1');
  });

  it('retries an unavailable Pub/Sub and resolves once it accepts', async () => {
    const fake = scriptedFetch([
      { status: 503, body: { error: { code: 503, status: 'UNAVAILABLE', message: 'later' } } },
      { status: 200, body: { messageIds: ['m-3'] } },
    ]);
    const publish = createPublisher('p', { fetch: fake.fetch, env: emulator, logger: quiet });
    await expect(publish('topic-a', Buffer.from('x'), {}, { timeoutMs: 5_000 })).resolves.toBe('m-3');
    expect(fake.calls).toHaveLength(2);
  });

  it('rejects a final answer at once with its gRPC code (a missing topic is NOT_FOUND)', async () => {
    const fake = scriptedFetch([
      { status: 404, body: { error: { code: 404, status: 'NOT_FOUND', message: 'Topic not found' } } },
    ]);
    const publish = createPublisher('p', { fetch: fake.fetch, env: emulator, logger: quiet });
    await expect(publish('gone', Buffer.from('x'))).rejects.toMatchObject({ code: 5, httpStatus: 404 });
    expect(fake.calls).toHaveLength(1);
  });

  it('gives up a hanging publish after timeoutMs with DEADLINE_EXCEEDED', async () => {
    const fake = scriptedFetch(['hang']);
    const publish = createPublisher('p', { fetch: fake.fetch, env: emulator, logger: quiet });
    const started = Date.now();
    await expect(publish('topic-a', Buffer.from('x'), {}, { timeoutMs: 200 })).rejects.toMatchObject({
      code: 4,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('rejects an answer without a message id rather than inventing one', async () => {
    const fake = scriptedFetch([{ status: 200, body: {} }]);
    const publish = createPublisher('p', { fetch: fake.fetch, env: emulator, logger: quiet });
    await expect(publish('topic-a', Buffer.from('x'))).rejects.toBeInstanceOf(PublishError);
  });

  it('refuses to publish without a project', async () => {
    const fake = scriptedFetch([{ status: 200, body: { messageIds: ['m'] } }]);
    const publish = createPublisher(undefined, { fetch: fake.fetch, env: emulator, logger: quiet });
    await expect(publish('topic-a', Buffer.from('x'))).rejects.toThrow(/GOOGLE_CLOUD_PROJECT/);
    expect(fake.calls).toHaveLength(0);
  });
});
