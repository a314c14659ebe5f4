/**
 * Fault injection for tests: a {@link Publish} decorator that holds the first publish attempt of each message
 * for a while before it reaches Pub/Sub, as a stalled connection would. A caller's `timeoutMs` is honoured as
 * the client honours it: when it runs out first, the attempt rejects and the message is never published.
 * Each held attempt logs how it ended ("Injected publish delay ended"), so a test can wait for it.
 *
 * Active only when `RBM_FAULT_PUBLISH_DELAY_FIRST_MS` is set AND `PUBSUB_EMULATOR_HOST` points at the
 * emulator; against real Pub/Sub the variable is ignored with a warning.
 */
import { createHash } from 'node:crypto';
import { optionalString, positiveInteger, type Env } from '../config/env.js';
import { GrpcCode } from '../grpc-status.js';
import { defaultSleep } from '../http/retrying-call.js';
import type { Logger } from '../log/logger.js';
import type { Attributes, Publish } from './publisher.js';

export const PUBLISH_DELAY_VARIABLE = 'RBM_FAULT_PUBLISH_DELAY_FIRST_MS';

/** How many held messages are remembered (oldest forgotten first). */
const MEMORY = 10_000;

/** What the client reports when its own deadline ran out. */
export class InjectedPublishTimeout extends Error {
  override readonly name = 'InjectedPublishTimeout';
  readonly code = GrpcCode.DEADLINE_EXCEEDED;
}

/** One message's identity: its `eventKey` or `messageId` attribute when it has one, else its bytes. */
function identity(topicId: string, data: Buffer, attributes: Attributes | undefined): string {
  const named = attributes?.eventKey ?? attributes?.messageId;
  return createHash('sha256')
    .update(topicId)
    .update('\u0000')
    .update(named === undefined ? data : Buffer.from(`attribute:${named}`))
    .digest('hex');
}

export function delayFirstAttempts(publish: Publish, delayMs: number, logger: Logger): Publish {
  const held = new Set<string>();
  return async (topicId, data, attributes, options) => {
    const key = identity(topicId, data, attributes);
    if (held.has(key)) return publish(topicId, data, attributes, options);
    held.add(key);
    if (held.size > MEMORY) held.delete(held.values().next().value as string);
    const log = (outcome: string) =>
      logger.warn('Injected publish delay ended', { topicId, outcome, messageId: attributes?.messageId });
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs <= delayMs) {
      await defaultSleep(timeoutMs);
      log('gaveUp');
      throw new InjectedPublishTimeout(
        `injected delay (${PUBLISH_DELAY_VARIABLE}) outlasted the publish budget`,
      );
    }
    await defaultSleep(delayMs);
    try {
      const remaining = timeoutMs === undefined ? {} : { timeoutMs: timeoutMs - delayMs };
      const id = await publish(topicId, data, attributes, { ...options, ...remaining });
      log('published');
      return id;
    } catch (error) {
      log('failed');
      throw error;
    }
  };
}

/** `publish`, held as the environment asks: unchanged unless the variable is set on the Pub/Sub emulator. */
export function withInjectedPublishDelay(publish: Publish, env: Env, logger: Logger): Publish {
  if (optionalString(env, PUBLISH_DELAY_VARIABLE) === undefined) return publish;
  if (optionalString(env, 'PUBSUB_EMULATOR_HOST') === undefined) {
    logger.warn(`${PUBLISH_DELAY_VARIABLE} ignored: fault injection works only against the Pub/Sub emulator`);
    return publish;
  }
  const delayMs = positiveInteger(env, PUBLISH_DELAY_VARIABLE, 0);
  logger.warn('Fault injection on: holding the first publish attempt of each message', { delayMs });
  return delayFirstAttempts(publish, delayMs, logger);
}
