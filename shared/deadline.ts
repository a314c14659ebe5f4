/** Bounding how long a piece of work may take, so a hung dependency becomes a quick, retryable failure. */
import { GrpcCode } from './grpc-status.js';

/** Carries DEADLINE_EXCEEDED's code, as the client libraries' own deadline errors do: callers treat it as transient. */
export class DeadlineExceededError extends Error {
  readonly code = GrpcCode.DEADLINE_EXCEEDED;

  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/**
 * Resolves or rejects like `work`, or rejects with DeadlineExceededError after `ms`. The work itself is not
 * cancelled: it must be safe to let it finish (idempotent writes).
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
