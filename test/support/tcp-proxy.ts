/** A loopback TCP proxy that a test can cut, hang and restore, to make a real dependency unavailable. */
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:PORT`, to use in place of the target's host:port. */
  readonly host: string;
  /** Refuse (reset) new connections and drop open ones. */
  cut(): void;
  /**
   * Drop open connections and accept new ones without ever answering: a dependency that hangs, which only
   * a client's own deadline ends.
   */
  hang(): void;
  /** Forward again (connections accepted while hanging are dropped, so their clients reconnect). */
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  let mode: 'open' | 'cut' | 'hang' = 'open';
  const sockets = new Set<Socket>();
  /** Connections accepted while hanging: dropped on restore, so clients reconnect instead of waiting on them. */
  const hung = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    if (mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'hang') {
      track(client);
      hung.add(client);
      client.on('close', () => hung.delete(client));
      client.on('error', () => client.destroy());
      client.resume(); // read and discard: the peer's writes never block, and it never hears back
      return;
    }
    const upstream = connect(Number(targetPort), targetHost);
    for (const socket of [client, upstream]) {
      track(socket);
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    host: `127.0.0.1:${port}`,
    cut: () => {
      mode = 'cut';
      dropAll();
    },
    hang: () => {
      mode = 'hang';
      dropAll();
    },
    restore: () => {
      mode = 'open';
      for (const socket of hung) socket.destroy();
    },
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
