/**
 * The emulators on a port another process took first: the Pub/Sub emulator hangs after its BindException instead
 * of exiting, so the start reads that from its output and moves both to other free ports, within the deadline.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { startEmulators } from '../../devtools/emulators.js';
import { freePorts } from '../../devtools/ports.js';

const squatters: Server[] = [];
const held: Socket[] = [];

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await Promise.all(squatters.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Holds `port` with a listener that accepts connections and never answers, as a busy foreign process would. */
function squat(port: number): Promise<void> {
  const server = createServer((socket) => held.push(socket));
  squatters.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => resolve());
  });
}

it('starts both emulators on other ports when theirs are taken', { timeout: 150_000 }, async () => {
  const [pubsubPort, firestorePort] = await freePorts(2);
  await squat(pubsubPort!);
  await squat(firestorePort!);
  const lines: string[] = [];
  const emulators = await startEmulators({
    projectId: 'rbm-ports',
    ports: { pubsub: pubsubPort!, firestore: firestorePort! },
    onLine: (line) => lines.push(line),
  });
  try {
    expect(emulators.pubsubHost).not.toBe(`127.0.0.1:${pubsubPort}`);
    expect(emulators.firestoreHost).not.toBe(`127.0.0.1:${firestorePort}`);
    expect(emulators.pubsubHost).not.toBe(emulators.firestoreHost);
    for (const host of [emulators.pubsubHost, emulators.firestoreHost]) {
      const response = await fetch(`http://${host}/`);
      expect((await response.text()).trim()).toBe('Ok');
    }
    expect(lines.filter((line) => line.includes('trying another port'))).toHaveLength(2);
  } finally {
    await emulators.stop();
  }
});
