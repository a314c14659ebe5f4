/** The publisher's budget is the client's own: with Pub/Sub hanging, a bounded publish gives up in time. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadlineExceededError, withDeadline } from '../../shared/deadline.js';
import { createPublisher } from '../../shared/pubsub/publisher.js';
import { emulatorContext } from '../support/emulator-context.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

let proxy: TcpProxy;
let previousHost: string | undefined;

beforeAll(async () => {
  proxy = await startTcpProxy(emulatorContext().pubsubHost);
  previousHost = process.env.PUBSUB_EMULATOR_HOST;
  process.env.PUBSUB_EMULATOR_HOST = proxy.host;
});
afterAll(async () => {
  if (previousHost === undefined) delete process.env.PUBSUB_EMULATOR_HOST;
  else process.env.PUBSUB_EMULATOR_HOST = previousHost;
  await proxy?.close();
});

describe('a publish with timeoutMs', () => {
  it('is given up by the client itself when Pub/Sub hangs', async () => {
    proxy.hang();
    const publish = createPublisher(emulatorContext().projectId);
    const attempt = publish('any-topic', Buffer.from('{}'), {}, { timeoutMs: 1500 });
    // The test's own bound is far longer than the budget and far shorter than the client's default.
    const outcome = await withDeadline(attempt, 20_000, 'the bounded publish').then(
      () => 'published',
      (error: unknown) => error,
    );
    expect(outcome).not.toBeInstanceOf(DeadlineExceededError);
    expect(outcome).toMatchObject({ code: 4 }); // DEADLINE_EXCEEDED, from the client
  });
});
