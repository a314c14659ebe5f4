/**
 * Answering a request whose body will not be read to its end, without the client losing the answer. Closing
 * the connection right after the answer, with body bytes still arriving, makes the kernel reset it, and a client
 * still writing its body then often reports the reset instead of the answer. So the answer is written whole
 * (with its length and `Connection: close`) while the connection stays open; the rest of the body is read and
 * dropped for a short while (held nowhere), until the client has finished or gone, or the time is up; then the
 * connection closes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpResult } from './response.js';

/** How long a client may go on sending after the answer before its connection is closed regardless. */
export const LINGER_MS = 2_000;

export function answerThenClose(
  req: IncomingMessage,
  res: ServerResponse,
  result: HttpResult,
  lingerMs = LINGER_MS,
): void {
  const body = Buffer.from(JSON.stringify(result.body ?? {}));
  res.writeHead(result.status, {
    ...result.headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(body.length),
    Connection: 'close',
  });
  res.write(body);

  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearTimeout(deadline);
    req.off('end', close);
    req.off('close', close);
    res.end();
  };
  const deadline = setTimeout(close, lingerMs);
  deadline.unref();
  if (req.readableEnded || req.destroyed) return close();
  req.once('end', close);
  req.once('close', close);
  req.resume();
}
