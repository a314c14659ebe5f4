/**
 * Fault injection for the soak and integration tests: a {@link Publish} decorator that fails the first publish
 * attempt of a share of messages, so the webhook answers 500 and RBM (the fake) retries the callback, and a
 * status or fallback event stays queued on its record for a later publish.
 *
 * Which messages fail is decided by a hash of the topic and the message's identity: its `eventKey` attribute
 * when it has one (a republished event may be serialised differently), else its bytes. So the retry of the same
 * callback or event is recognised and succeeds. It is active only when `RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE` is set AND
 * `PUBSUB_EMULATOR_HOST` points at the emulator; against real Pub/Sub the variable is ignored with a warning.
 */
import { createHash } from 'node:crypto';
import { ConfigError, optionalString, type Env } from '../config/env.js';
import type { Logger } from '../log/logger.js';
import type { Publish } from './publisher.js';

export const FAULT_SHARE_VARIABLE = 'RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE';

/** How many failed-once hashes are remembered (oldest forgotten first). */
const MEMORY = 100_000;

export class InjectedPublishFault extends Error {
  override readonly name = 'InjectedPublishFault';
}

/** The share in [0, 1] from the environment, or undefined when fault injection is off. */
export function faultShare(env: Env): number | undefined {
  const raw = optionalString(env, FAULT_SHARE_VARIABLE);
  if (raw === undefined) return undefined;
  const share = Number(raw);
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new ConfigError(FAULT_SHARE_VARIABLE, `must be a number from 0 to 1, got "${raw}".`);
  }
  return share;
}

/** Deterministic position in [0, 1) of one message, from the hash of its topic and bytes. */
export function messagePosition(topicId: string, data: Buffer): { key: string; position: number } {
  const digest = createHash('sha256').update(topicId).update('\u0000').update(data).digest();
  return { key: digest.toString('hex'), position: digest.readUInt32BE(0) / 2 ** 32 };
}

/** `publish`, failing the first attempt of each message whose position is below `share`. */
export function failFirstAttempts(publish: Publish, share: number): Publish {
  const failedOnce = new Set<string>();
  return async (topicId, data, attributes, options) => {
    const identity = attributes?.eventKey === undefined ? data : Buffer.from(attributes.eventKey);
    const { key, position } = messagePosition(topicId, identity);
    if (position < share && !failedOnce.has(key)) {
      failedOnce.add(key);
      if (failedOnce.size > MEMORY) {
        const oldest = failedOnce.values().next().value;
        if (oldest !== undefined) failedOnce.delete(oldest);
      }
      throw new InjectedPublishFault(
        `injected fault (${FAULT_SHARE_VARIABLE}): first publish attempt failed`,
      );
    }
    return publish(topicId, data, attributes, options);
  };
}

/**
 * `publish` with the faults the environment asks for: unchanged unless `RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE` is
 * set, and unchanged (with a warning) when `PUBSUB_EMULATOR_HOST` is not, so production never fails on purpose.
 */
export function withInjectedPublishFaults(publish: Publish, env: Env, logger: Logger): Publish {
  if (optionalString(env, FAULT_SHARE_VARIABLE) === undefined) return publish;
  if (optionalString(env, 'PUBSUB_EMULATOR_HOST') === undefined) {
    logger.warn(`${FAULT_SHARE_VARIABLE} ignored: fault injection works only against the Pub/Sub emulator`);
    return publish;
  }
  const share = faultShare(env) ?? 0;
  logger.warn('Fault injection on: failing the first publish attempt of a share of messages', { share });
  return share > 0 ? failFirstAttempts(publish, share) : publish;
}
