import { createServer } from 'node:net';

/**
 * A TCP port that was free on `host` a moment ago: listen on port 0, read the port the kernel chose, close.
 * Another process may take it before the caller binds it; callers that spawn servers should be ready to retry.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}

/** `count` distinct ports that were free a moment ago: all are held open until every one is chosen. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  // Unreferenced: a port being chosen never keeps this process alive.
  const servers = Array.from({ length: count }, () => createServer().unref());
  const chosen = await Promise.allSettled(
    servers.map(
      (server) =>
        new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ host, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') {
              reject(new Error(`could not read the port the kernel chose on ${host}`));
            } else resolve(address.port);
          });
        }),
    ),
  );
  // Every listen has settled, so each one that succeeded is closed here, whatever the others did.
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
    ),
  );
  return chosen.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}
