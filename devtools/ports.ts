import { createServer } from 'node:net';

/**
 * A TCP port that was free on `host` a moment ago: listen on port 0, read the port the kernel chose, close.
 * Another process may take it before the caller binds it; callers that spawn servers should be ready to retry.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`could not read the port the kernel chose on ${host}`));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}

/** `count` distinct ports that were free a moment ago: all are held open until every one is chosen. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer());
  try {
    return await Promise.all(
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
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve())),
      ),
    );
  }
}
