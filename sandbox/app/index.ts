/**
 * The RBM sandbox: the fake RBM server (../fake-rbm) plus a web page and an HTTP API on its port, showing each
 * sandbox phone's conversation with the state the backend recorded, and acting as the phone's user.
 */
import type { AutoEvents, FakeRbm } from '../fake-rbm/index.js';
import { backendRecords, type FirestoreTarget } from './backend-records.js';
import { liveUpdates } from './live-updates.js';
import { sandboxRoutes } from './routes.js';
import { userActions } from './user-actions.js';

export interface SandboxPageOptions {
  /** The agent id user messages are sent for (without `@rbm.goog`). */
  readonly agentId: string;
  /** Where the backend keeps its records; without it the page shows no backend state. */
  readonly firestore?: FirestoreTarget;
  /** The fake's server-wide automatic events (to show the mode of phones without their own). */
  readonly defaultAutoEvents?: AutoEvents;
  /** Delay of automatic DELIVERED / READ for phones added from the page. Default 1500 ms. */
  readonly defaultDelayMs?: number;
  /** The campaigns function's base URL; without it the page's campaign panel is refused. */
  readonly campaignsUrl?: string;
}

export interface SandboxPage {
  /** `<fake RBM url>/sandbox/` */
  readonly url: string;
  close(): Promise<void>;
}

export function attachSandboxPage(rbm: FakeRbm, options: SandboxPageOptions): SandboxPage {
  const backend = options.firestore ? backendRecords(options.firestore) : undefined;
  let stopWatchingBackend: (() => void) | undefined;
  const live = liveUpdates({
    onFirstClient: () => {
      stopWatchingBackend = backend?.watch(() => live.changed());
    },
    onLastClient: () => {
      stopWatchingBackend?.();
      stopWatchingBackend = undefined;
    },
  });
  const stopWatchingRbm = rbm.onChange(() => live.changed());
  const actions = userActions(rbm, options.agentId, () => live.changed());
  const sources = {
    rbm,
    agentId: options.agentId,
    userMessages: () => actions.history(),
    backend,
    defaultAutoEvents: options.defaultAutoEvents,
  };
  rbm.mountRoutes(
    sandboxRoutes({
      rbm,
      backend,
      live,
      actions,
      sources,
      defaultDelayMs: options.defaultDelayMs ?? 1500,
      campaignsUrl: options.campaignsUrl,
    }),
  );
  return {
    url: `${rbm.url}/sandbox/`,
    close: async () => {
      rbm.mountRoutes(undefined);
      stopWatchingRbm();
      stopWatchingBackend?.();
      live.close();
      await backend?.close();
    },
  };
}

export type { FirestoreTarget } from './backend-records.js';
export type * from './view-model.js';
