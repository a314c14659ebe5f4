import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/logger.js';
import {
  PUBLISH_DELAY_VARIABLE,
  delayFirstAttempts,
  withInjectedPublishDelay,
} from '../../shared/pubsub/publish-delay.js';
import type { Publish } from '../../shared/pubsub/publisher.js';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({}, (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
  return { logger, lines };
}

function recording() {
  const calls: Array<{ topicId: string; timeoutMs: number | undefined }> = [];
  const publish: Publish = async (topicId, _data, _attributes, options) => {
    calls.push({ topicId, timeoutMs: options?.timeoutMs });
    return `id-${calls.length}`;
  };
  return { calls, publish };
}

const data = Buffer.from('{}');

describe('delayFirstAttempts', () => {
  it('gives up without publishing when the budget is shorter than the hold, like the client', async () => {
    const { calls, publish } = recording();
    const { logger, lines } = capture();
    const held = delayFirstAttempts(publish, 1000, logger);
    await expect(held('t', data, { messageId: 'm1' }, { timeoutMs: 20 })).rejects.toMatchObject({ code: 4 });
    expect(calls).toHaveLength(0);
    expect(lines.at(-1)).toMatchObject({
      message: 'Injected publish delay ended',
      outcome: 'gaveUp',
      messageId: 'm1',
    });
  });

  it('holds only the first attempt of a message (by its messageId attribute), then passes the rest budget on', async () => {
    const { calls, publish } = recording();
    const { logger, lines } = capture();
    const held = delayFirstAttempts(publish, 30, logger);
    expect(await held('t', Buffer.from('a'), { messageId: 'm1' }, { timeoutMs: 1000 })).toBe('id-1');
    expect(calls[0]?.timeoutMs).toBeLessThanOrEqual(970);
    expect(lines.at(-1)).toMatchObject({ outcome: 'published' });
    // Another serialisation of the same message is not held again.
    expect(await held('t', Buffer.from('b'), { messageId: 'm1' })).toBe('id-2');
    expect(lines).toHaveLength(1);
  });
});

describe('withInjectedPublishDelay', () => {
  const { publish } = recording();

  it('is off unless the variable is set', () => {
    expect(withInjectedPublishDelay(publish, { PUBSUB_EMULATOR_HOST: 'x' }, capture().logger)).toBe(publish);
  });

  it('is ignored, with a warning, outside the emulator', () => {
    const { logger, lines } = capture();
    expect(withInjectedPublishDelay(publish, { [PUBLISH_DELAY_VARIABLE]: '100' }, logger)).toBe(publish);
    expect(String(lines[0]?.message)).toContain('ignored');
  });

  it('is on with the emulator', () => {
    const env = { [PUBLISH_DELAY_VARIABLE]: '100', PUBSUB_EMULATOR_HOST: 'x' };
    expect(withInjectedPublishDelay(publish, env, capture().logger)).not.toBe(publish);
  });

  it('refuses a malformed value with the variable name', () => {
    const env = { [PUBLISH_DELAY_VARIABLE]: 'soon', PUBSUB_EMULATOR_HOST: 'x' };
    expect(() => withInjectedPublishDelay(publish, env, capture().logger)).toThrow(PUBLISH_DELAY_VARIABLE);
  });
});
