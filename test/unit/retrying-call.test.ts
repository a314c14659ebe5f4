import { describe, expect, it } from 'vitest';
import type { RetryPolicy } from '../../shared/config/rbm.js';
import { createLogger } from '../../shared/log/logger.js';
import { callWithRetries, type CallResult } from '../../shared/http/retrying-call.js';

/** What the stub service does on one attempt. */
type Step = { status: number } | 'hang';

/**
 * callWithRetries against a scripted service (the last step repeats). Waits between attempts run on a virtual
 * clock; a hanging attempt lasts until its own time limit fires and advances the clock by what it really took.
 */
async function run(policy: RetryPolicy, steps: Step[]): Promise<{ result: CallResult; calls: number }> {
  let clock = 0;
  let calls = 0;
  const fetchStub: typeof fetch = async (_url, init) => {
    const step = steps[Math.min(calls, steps.length - 1)] ?? 'hang';
    calls++;
    if (step !== 'hang') {
      return new Response(
        JSON.stringify({ error: { code: step.status, message: `answered ${step.status}` } }),
        {
          status: step.status,
        },
      );
    }
    const signal = init?.signal;
    if (!signal) throw new Error('every attempt must carry a time limit');
    const started = performance.now();
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    clock += performance.now() - started;
    throw signal.reason;
  };
  const result = await callWithRetries(
    'Test API',
    policy,
    {
      fetch: fetchStub,
      tokens: async () => undefined,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 1,
      now: () => clock,
      logger: createLogger({}, () => {}),
    },
    { method: 'POST', url: 'http://127.0.0.1:1/x', body: {}, logFields: {} },
  );
  return { result, calls };
}

const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({
  deadlineMs: 100,
  initialBackoffMs: 10,
  maxBackoffMs: 10,
  attemptTimeoutMs: 1_000,
  ...overrides,
});

describe('callWithRetries', () => {
  it.each<[string, RetryPolicy, Step[], Partial<CallResult>]>([
    ['a final answer at once', policy(), [{ status: 404 }], { kind: 'answer', status: 404, attempts: 1 }],
    [
      'retries 503 and 429, then answers',
      policy(),
      [{ status: 503 }, { status: 429 }, { status: 200 }],
      { kind: 'answer', status: 200, attempts: 3 },
    ],
    [
      'reports the service’s last word when the budget runs out',
      policy(),
      [{ status: 503 }],
      { kind: 'unavailable', error: expect.objectContaining({ code: 503 }) as never },
    ],
    [
      // The second attempt only had what was left of the budget: its time-out is ours, not the service's.
      'keeps the service’s 503 when the last attempt is cut short by the budget',
      policy({ deadlineMs: 60, attemptTimeoutMs: 1_000, initialBackoffMs: 30, maxBackoffMs: 30 }),
      [{ status: 503 }, 'hang'],
      { kind: 'unavailable', error: expect.objectContaining({ code: 503 }) as never },
    ],
    [
      'reports a time-out when the service never answered within a full attempt',
      policy({ deadlineMs: 100, attemptTimeoutMs: 30 }),
      ['hang'],
      {
        kind: 'unavailable',
        error: expect.objectContaining({ code: 504, status: 'DEADLINE_EXCEEDED' }) as never,
      },
    ],
  ])('%s', async (_name, retry, steps, expected) => {
    const { result, calls } = await run(retry, steps);
    expect(result).toMatchObject(expected);
    expect(calls).toBe(result.attempts);
  });
});
