/** Waiting for a condition: poll it until it holds, with a deadline. Never a sleep as synchronisation. */

export interface PollOptions {
  /** Give up after this long. Default 10 s. */
  readonly timeoutMs?: number;
  /** Time between attempts. Default 50 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message. */
  readonly description: string;
}

/**
 * Calls `fn` until it returns something other than `undefined`, and returns that. Errors thrown by `fn` count as
 * "not yet"; the last one is reported when the deadline passes.
 */
export async function pollUntil<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  options: PollOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.description}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
