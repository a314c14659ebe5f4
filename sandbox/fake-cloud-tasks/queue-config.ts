/**
 * A queue's rate limits and retry configuration, as Cloud Tasks' `rateLimits` and `retryConfig`, in
 * milliseconds and with small defaults so retries show up within a test's time.
 */

export interface QueueConfig {
  /** Token-bucket refill rate (Cloud Tasks allows up to 500). */
  readonly maxDispatchesPerSecond: number;
  /** Bucket size: how many dispatches may go out at once after a quiet spell. */
  readonly maxBurstSize: number;
  readonly maxConcurrentDispatches: number;
  /** Attempts per task, the first one included; -1 for no limit. */
  readonly maxAttempts: number;
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** How often the wait between retries doubles before it grows linearly. */
  readonly maxDoublings: number;
  /**
   * How long one dispatch may wait for the handler's answer before it counts as failed, for tasks that set no
   * `dispatchDeadline` of their own.
   */
  readonly dispatchDeadlineMs: number;
}

export type QueueSettings = Partial<QueueConfig>;

export const DEFAULT_QUEUE_CONFIG: Omit<QueueConfig, 'maxBurstSize'> = {
  maxDispatchesPerSecond: 500,
  maxConcurrentDispatches: 1000,
  maxAttempts: 5,
  minBackoffMs: 100,
  maxBackoffMs: 1_000,
  maxDoublings: 16,
  dispatchDeadlineMs: 10 * 60_000, // Cloud Tasks' default for HTTP tasks
};

/**
 * Cloud Tasks chooses the burst size from the rate; here a tenth of a second's worth, so a paced queue stays
 * paced and a fast one is not held back by timer granularity.
 */
export function derivedBurstSize(maxDispatchesPerSecond: number): number {
  return Math.max(1, Math.round(maxDispatchesPerSecond / 10));
}

/** Defaults, then each layer in turn; the burst size follows the rate unless a layer sets it. */
export function resolveQueueConfig(...layers: readonly QueueSettings[]): QueueConfig {
  const merged: QueueSettings = Object.assign({}, DEFAULT_QUEUE_CONFIG, ...layers);
  const config = merged as Omit<QueueConfig, 'maxBurstSize'> & { maxBurstSize?: number };
  return { ...config, maxBurstSize: config.maxBurstSize ?? derivedBurstSize(config.maxDispatchesPerSecond) };
}

/**
 * Wait before retry number `retry` (1 for the first retry): `minBackoffMs` doubled up to `maxDoublings`
 * times, then growing by that last interval each retry, never above `maxBackoffMs`.
 */
export function retryBackoffMs(config: QueueConfig, retry: number): number {
  const doublings = Math.min(Math.max(0, retry - 1), config.maxDoublings);
  const interval = config.minBackoffMs * 2 ** doublings;
  const linearSteps = Math.max(0, retry - 1 - config.maxDoublings);
  return Math.min(config.maxBackoffMs, interval * (1 + linearSteps));
}

/** Whether a task that has had `attempts` attempts may have another. */
export function mayRetry(config: QueueConfig, attempts: number): boolean {
  return config.maxAttempts < 0 || attempts < config.maxAttempts;
}

type Rule = (value: number) => boolean;

const RULES: Record<keyof QueueConfig, { readonly test: Rule; readonly description: string }> = {
  maxDispatchesPerSecond: { test: (v) => v > 0 && v <= 500, description: 'a number above 0, at most 500' },
  maxBurstSize: { test: (v) => Number.isInteger(v) && v >= 1, description: 'a whole number of at least 1' },
  maxConcurrentDispatches: {
    test: (v) => Number.isInteger(v) && v >= 1 && v <= 5000,
    description: 'a whole number from 1 to 5000',
  },
  maxAttempts: {
    test: (v) => Number.isInteger(v) && (v === -1 || v >= 1),
    description: 'a whole number of at least 1, or -1 for no limit',
  },
  minBackoffMs: { test: (v) => v >= 0, description: 'a number of milliseconds, 0 or more' },
  maxBackoffMs: { test: (v) => v >= 0, description: 'a number of milliseconds, 0 or more' },
  maxDoublings: { test: (v) => Number.isInteger(v) && v >= 0, description: 'a whole number, 0 or more' },
  dispatchDeadlineMs: { test: (v) => v > 0, description: 'a number of milliseconds above 0' },
};

/** Settings from untrusted JSON (options or the admin route): the settings, or every problem found. */
export function parseQueueSettings(value: unknown): { settings: QueueSettings } | { problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problems: ['queue settings must be a JSON object'] };
  }
  const problems: string[] = [];
  const settings: Record<string, number> = {};
  for (const [key, raw] of Object.entries(value)) {
    const rule = RULES[key as keyof QueueConfig] as (typeof RULES)[keyof QueueConfig] | undefined;
    if (!rule) problems.push(`${key}: not a queue setting`);
    else if (typeof raw !== 'number' || !Number.isFinite(raw) || !rule.test(raw)) {
      problems.push(`${key}: must be ${rule.description}`);
    } else settings[key] = raw;
  }
  const { minBackoffMs, maxBackoffMs } = settings;
  if (minBackoffMs !== undefined && maxBackoffMs !== undefined && minBackoffMs > maxBackoffMs) {
    problems.push('minBackoffMs: must not exceed maxBackoffMs');
  }
  return problems.length > 0 ? { problems } : { settings };
}
