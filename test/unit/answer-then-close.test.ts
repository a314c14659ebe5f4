import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { answerThenClose } from '../../shared/http/answer-then-close.js';
import { pollUntil } from '../support/poll.js';

const ANSWER = { status: 413, body: { error: { code: 413, status: 'OUT_OF_RANGE', message: 'too big' } } };

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server that answers every request at once, its body unread, lingering `lingerMs`. */
async function refusingServer(lingerMs: number): Promise<number> {
  server = createServer((req, res) => answerThenClose(req, res, ANSWER, lingerMs));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface RawClient {
  readonly socket: Socket;
  received(): string;
  closedAt(): number | undefined;
}

/** Opens a connection and starts a chunked POST whose body it never finishes. */
function startChunkedPost(port: number): RawClient {
  let received = '';
  let closedAt: number | undefined;
  const socket = connect(port, '127.0.0.1');
  socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
  socket.on('error', () => undefined); // a reset after the answer is what a sender that never stops gets
  socket.on('close', () => (closedAt = performance.now()));
  socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n');
  return { socket, received: () => received, closedAt: () => closedAt };
}

function keepSending(socket: Socket): void {
  const chunk = `10000\r\n${'A'.repeat(0x10000)}\r\n`;
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk));
  };
  socket.on('drain', pump);
  pump();
}

const complete = (text: string): boolean => text.includes('"message":"too big"}}');

describe('answerThenClose', () => {
  it('a client that never stops sending gets the whole answer, then is disconnected', async () => {
    const lingerMs = 300;
    const client = startChunkedPost(await refusingServer(lingerMs));
    keepSending(client.socket);

    await pollUntil(() => (complete(client.received()) ? true : undefined), { description: 'the answer' });
    const answeredAt = performance.now();
    const closedAt = await pollUntil(client.closedAt, { description: 'the close', timeoutMs: 10_000 });

    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.received().toLowerCase()).toContain('connection: close');
    expect(JSON.parse(client.received().split('\r\n\r\n')[1] ?? '')).toEqual(ANSWER.body);
    expect(closedAt - answeredAt).toBeGreaterThan(lingerMs / 2);
    expect(closedAt - answeredAt).toBeLessThan(lingerMs + 2_000);
  });

  it('a client that finishes its body after the answer is disconnected without waiting', async () => {
    const client = startChunkedPost(await refusingServer(60_000));
    client.socket.write(`4\r\nABCD\r\n`);

    await pollUntil(() => (complete(client.received()) ? true : undefined), { description: 'the answer' });
    client.socket.write('0\r\n\r\n');

    await pollUntil(client.closedAt, {
      description: 'the close, long before the linger ends',
      timeoutMs: 5_000,
    });
    expect(client.received()).toMatch(/^HTTP\/1\.1 413 /);
  });
});
