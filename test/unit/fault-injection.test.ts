import { describe, expect, it } from 'vitest';
import {
  FAULT_SHARE_VARIABLE,
  InjectedPublishFault,
  failFirstAttempts,
  faultShare,
  messagePosition,
  withInjectedPublishFaults,
} from '../../shared/pubsub/fault-injection.js';
import type { Publish } from '../../shared/pubsub/publisher.js';
import { createLogger, type Severity } from '../../shared/log/logger.js';

function recordingPublish(): { publish: Publish; published: string[] } {
  const published: string[] = [];
  let next = 0;
  const publish: Publish = async (topicId, data) => {
    published.push(`${topicId}:${data.toString()}`);
    next += 1;
    return String(next);
  };
  return { publish, published };
}

function silentLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<[Severity, string]> } {
  const lines: Array<[Severity, string]> = [];
  return { logger: createLogger({}, (line, severity) => lines.push([severity, line])), lines };
}

const messages = Array.from({ length: 2000 }, (_, i) => Buffer.from(JSON.stringify({ eventId: `e-${i}` })));

describe('failFirstAttempts', () => {
  it('fails the first attempt of about the configured share, and only the first', async () => {
    const { publish, published } = recordingPublish();
    const faulty = failFirstAttempts(publish, 0.2);
    let failed = 0;
    for (const data of messages) {
      try {
        await faulty('rbm-inbound', data);
      } catch (error) {
        expect(error).toBeInstanceOf(InjectedPublishFault);
        failed += 1;
        // The retry of the same bytes goes through.
        await expect(faulty('rbm-inbound', data)).resolves.toEqual(expect.any(String));
      }
    }
    expect(failed / messages.length).toBeGreaterThan(0.15);
    expect(failed / messages.length).toBeLessThan(0.25);
    expect(published).toHaveLength(messages.length);
    // Later attempts never fail again.
    for (const data of messages.slice(0, 100)) await faulty('rbm-inbound', data);
  });

  it('decides by the hash of topic and data, the same way in every instance', async () => {
    const picks = async () => {
      const faulty = failFirstAttempts(recordingPublish().publish, 0.3);
      const result: boolean[] = [];
      for (const data of messages.slice(0, 200)) {
        result.push(
          await faulty('t', data).then(
            () => false,
            () => true,
          ),
        );
      }
      return result;
    };
    const first = await picks();
    expect(await picks()).toEqual(first);
    const expected = messages.slice(0, 200).map((data) => messagePosition('t', data).position < 0.3);
    expect(first).toEqual(expected);
  });

  it('never fails with share 0 and always fails the first attempt with share 1', async () => {
    const none = failFirstAttempts(recordingPublish().publish, 0);
    for (const data of messages.slice(0, 50)) await none('t', data);
    const all = failFirstAttempts(recordingPublish().publish, 1);
    for (const data of messages.slice(0, 50)) {
      await expect(all('t', data)).rejects.toBeInstanceOf(InjectedPublishFault);
      await expect(all('t', data)).resolves.toBeDefined();
    }
  });

  it('recognises an event by its eventKey attribute, however its data is serialised the second time', async () => {
    const all = failFirstAttempts(recordingPublish().publish, 1);
    const attributes = { eventKey: 'm1/SENT' };
    await expect(all('status', Buffer.from('{"a":1,"b":2}'), attributes)).rejects.toBeInstanceOf(
      InjectedPublishFault,
    );
    await expect(all('status', Buffer.from('{"b":2,"a":1}'), attributes)).resolves.toBeDefined();
    await expect(all('status', Buffer.from('{"a":1,"b":2}'), { eventKey: 'm1/READ' })).rejects.toBeInstanceOf(
      InjectedPublishFault,
    );
  });
});

describe('withInjectedPublishFaults', () => {
  const emulator = { PUBSUB_EMULATOR_HOST: '127.0.0.1:8085' };

  it('returns the publisher unchanged when the variable is not set', () => {
    const { publish } = recordingPublish();
    expect(withInjectedPublishFaults(publish, emulator, silentLogger().logger)).toBe(publish);
  });

  it('is ignored, with a warning, without the Pub/Sub emulator', async () => {
    const { publish } = recordingPublish();
    const { logger, lines } = silentLogger();
    const wrapped = withInjectedPublishFaults(publish, { [FAULT_SHARE_VARIABLE]: '1' }, logger);
    expect(wrapped).toBe(publish);
    expect(lines.some(([severity, line]) => severity === 'WARNING' && line.includes('ignored'))).toBe(true);
  });

  it('is active against the emulator', async () => {
    const { publish } = recordingPublish();
    const wrapped = withInjectedPublishFaults(
      publish,
      { ...emulator, [FAULT_SHARE_VARIABLE]: '1' },
      silentLogger().logger,
    );
    await expect(wrapped('t', Buffer.from('x'))).rejects.toBeInstanceOf(InjectedPublishFault);
    await expect(wrapped('t', Buffer.from('x'))).resolves.toBe('1');
  });

  it.each(['-0.1', '1.5', 'lots'])('refuses the share %s with the variable name', (raw) => {
    expect(() => faultShare({ [FAULT_SHARE_VARIABLE]: raw })).toThrow(FAULT_SHARE_VARIABLE);
    expect(() =>
      withInjectedPublishFaults(
        recordingPublish().publish,
        { ...emulator, [FAULT_SHARE_VARIABLE]: raw },
        silentLogger().logger,
      ),
    ).toThrow(FAULT_SHARE_VARIABLE);
  });
});
