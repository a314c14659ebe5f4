import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pollUntil } from '../../devtools/poll.js';
import { startReconcileTimer } from '../../devtools/reconcile-timer.js';

/** A stand-in reconcile: counts POSTs, answers after `delayMs`, and says how many were in flight at most. */
async function fakeReconcile(delayMs: number, status = 200) {
  let posts = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer((req, res) => {
    posts += req.method === 'POST' ? 1 : 0;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => posts,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('startReconcileTimer', () => {
  it('POSTs on every interval, and nothing after stop', async () => {
    const reconcile = await fakeReconcile(0);
    closers.push(reconcile.close);
    const timer = startReconcileTimer({ url: reconcile.url, intervalMs: 20 });
    await pollUntil(() => (timer.passes >= 3 ? true : undefined), { description: 'three passes' });
    await timer.stop();
    const posts = reconcile.posts();
    expect(posts).toBeGreaterThanOrEqual(3);
    // Five intervals: a timer still running would POST in them.
    const until = Date.now() + 100;
    await pollUntil(() => (Date.now() >= until ? true : undefined), { description: 'five intervals' });
    expect(reconcile.posts()).toBe(posts);
  });

  it('never runs two passes at once, and stop waits for the one in flight', async () => {
    const reconcile = await fakeReconcile(120);
    closers.push(reconcile.close);
    const timer = startReconcileTimer({ url: reconcile.url, intervalMs: 10 });
    await pollUntil(() => (reconcile.inFlight() === 1 ? true : undefined), {
      description: 'a pass in flight',
    });
    await timer.stop();
    expect(reconcile.inFlight()).toBe(0);
    expect(reconcile.maxInFlight()).toBe(1);
  });

  it('reports a pass that failed or was not answered 200, and keeps going', async () => {
    const reconcile = await fakeReconcile(0, 500);
    closers.push(reconcile.close);
    const failures: string[] = [];
    const timer = startReconcileTimer({
      url: reconcile.url,
      intervalMs: 20,
      onFailure: (reason) => failures.push(reason),
    });
    await pollUntil(() => (failures.length >= 2 ? true : undefined), { description: 'two failures' });
    await timer.stop();
    expect(failures[0]).toBe('reconcile answered 500');
  });
});
