/** devtools/ports: ports chosen together are distinct, and none is left held once they are returned. */
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { freePort, freePorts } from '../../devtools/ports.js';

const listenOn = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve()));
  });

it('chooses distinct ports and releases every one of them', async () => {
  const ports = await freePorts(6);
  expect(new Set(ports).size).toBe(6);
  for (const port of ports) await expect(listenOn(port)).resolves.toBeUndefined();
});

it('freePort is one such port, released', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThan(0);
  await expect(listenOn(port)).resolves.toBeUndefined();
});
