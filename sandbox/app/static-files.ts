/** The page's files (sandbox/web), served as they are: no build step. */
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'web');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Serves `relativePath` from the web root; false when there is no such file. */
export async function serveStatic(res: ServerResponse, relativePath: string): Promise<boolean> {
  const path = normalize(join(WEB_ROOT, relativePath === '' ? 'index.html' : relativePath));
  if (!path.startsWith(WEB_ROOT + sep)) return false;
  const type = TYPES[extname(path)];
  if (type === undefined) return false;
  let content: Buffer;
  try {
    content = await readFile(path);
  } catch {
    return false;
  }
  res.writeHead(200, {
    'Content-Type': type,
    'Cache-Control': 'no-cache',
    'Content-Security-Policy':
      "default-src 'self'; img-src * data:; media-src *; style-src 'self'; script-src 'self'",
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(content);
  return true;
}
