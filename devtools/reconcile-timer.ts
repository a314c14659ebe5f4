/**
 * What Cloud Scheduler does for a deployment, on the local stack: POST to the reconcile function on a fixed
 * interval. A pass still running when the next one is due is not doubled up; stopping waits for it.
 */

export interface ReconcileTimer {
  /** Passes answered so far (any status). */
  readonly passes: number;
  /** Stops the timer and waits for a pass in flight. Idempotent. */
  stop(): Promise<void>;
}

export interface ReconcileTimerOptions {
  /** The reconcile function's base URL. */
  url: string;
  intervalMs: number;
  /** Told of a pass that failed or was not answered 200. */
  onFailure?: (reason: string) => void;
}

export function startReconcileTimer(options: ReconcileTimerOptions): ReconcileTimer {
  let passes = 0;
  let inFlight: Promise<void> | undefined;
  const runPass = async (): Promise<void> => {
    try {
      const answer = await fetch(`${options.url}/`, { method: 'POST' });
      await answer.arrayBuffer();
      passes += 1;
      if (answer.status !== 200) options.onFailure?.(`reconcile answered ${answer.status}`);
    } catch (error) {
      options.onFailure?.(error instanceof Error ? error.message : String(error));
    }
  };
  const timer = setInterval(() => {
    if (inFlight !== undefined) return;
    inFlight = runPass().finally(() => {
      inFlight = undefined;
    });
  }, options.intervalMs);
  timer.unref();
  return {
    get passes() {
      return passes;
    },
    stop: async () => {
      clearInterval(timer);
      await inFlight;
    },
  };
}
