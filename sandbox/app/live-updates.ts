/**
 * Server-sent events for the page: every connected page gets `event: changed` (data: a version number) shortly
 * after anything it shows changed, and re-reads the state. Bursts of changes are coalesced.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface LiveUpdates {
  /** Answers an EventSource request and keeps it open. */
  connect(req: IncomingMessage, res: ServerResponse): void;
  /** Something changed: tell every page (after a short coalescing delay). */
  changed(): void;
  /** How many pages are connected. */
  clients(): number;
  close(): void;
}

const COALESCE_MS = 60;
const KEEPALIVE_MS = 15_000;

export function liveUpdates(hooks: { onFirstClient(): void; onLastClient(): void }): LiveUpdates {
  const clients = new Set<ServerResponse>();
  let version = 0;
  let pending: NodeJS.Timeout | undefined;

  const broadcast = (): void => {
    pending = undefined;
    version += 1;
    for (const res of clients) res.write(`event: changed\ndata: ${version}\n\n`);
  };
  const keepalive = setInterval(() => {
    for (const res of clients) res.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  return {
    connect: (req, res) => {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      res.write(`retry: 1000\nevent: changed\ndata: ${version}\n\n`);
      clients.add(res);
      if (clients.size === 1) hooks.onFirstClient();
      req.once('close', () => {
        clients.delete(res);
        if (clients.size === 0) hooks.onLastClient();
      });
    },
    changed: () => {
      pending ??= setTimeout(broadcast, COALESCE_MS);
    },
    clients: () => clients.size,
    close: () => {
      clearInterval(keepalive);
      if (pending) clearTimeout(pending);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
