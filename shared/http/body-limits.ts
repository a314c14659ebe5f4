/**
 * Request body limits for functions-framework. The framework reads every body through body-parser before the
 * function runs, with a 1 GiB limit counted after inflation: a small compressed body could make it buffer a
 * gigabyte, and a long chunked body is read whole. This takes the reading from body-parser: each request's body
 * is read once, bounded on the wire and inflated (./bounded-body.ts), and the framework's parsers then parse
 * that decoded copy, so the function still finds `req.body` and `req.rawBody` as the framework sets them.
 *
 * A body over the limit is answered at once (413 OUT_OF_RANGE in Google's error shape) and its connection closed
 * (./answer-then-close.ts); so are an unsupported Content-Encoding (415) and corrupt compressed data (400). A body
 * the parsers refuse (malformed JSON, an unknown charset) is handed to the function as `req.bodyParseError`
 * instead of Express's HTML error page, so the function answers it in Google's shape too.
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type { Response } from '@google-cloud/functions-framework';
import { answerThenClose } from './answer-then-close.js';
import { errorResult } from './response.js';
import { readBoundedBody, type BodySource } from './bounded-body.js';
import { markRequestStart } from './request-log.js';

/** Largest request body of an HTTP function, on the wire and inflated. */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Largest request body of `campaigns`, whose requests list up to 100,000 recipients. */
export const MAX_CAMPAIGN_REQUEST_BYTES = 4 * 1024 * 1024;

export interface RequestBodyLimits {
  /** Largest body accepted, counted both on the wire and after inflation. */
  readonly maxBytes: number;
  /** Called once a body was refused and answered here (the function never sees the request): its request log. */
  readonly onRefused?: (req: IncomingMessage, res: Response) => void;
}

/** What the function sees of a body the framework's parsers refused. */
export interface BodyParseError {
  status: number;
  message: string;
}

type BodyRequest = IncomingMessage & { body?: unknown; rawBody?: Buffer; bodyParseError?: BodyParseError };
type Next = (error?: unknown) => void;
type Middleware = (req: BodyRequest, res: Response, next: Next) => void;
type ParserFactory = (options?: unknown) => Middleware;

const PARSERS = ['json', 'text', 'urlencoded', 'raw'] as const;
type BodyParserModule = Record<(typeof PARSERS)[number], ParserFactory>;

// Kept on the framework's body-parser module, so that every copy of this module in a process (one per bundle
// that includes it) wraps the parsers once and sets the one limit.
const WRAPPED = Symbol.for('rbm-functions.requestBodyLimits.wrapped');
const LIMITS = Symbol.for('rbm-functions.requestBodyLimits.limits');
type Marked = { [WRAPPED]?: boolean; [LIMITS]?: RequestBodyLimits };

function frameworkBodyParser(): (BodyParserModule & Marked) | undefined {
  try {
    const requireHere = createRequire(import.meta.url);
    const frameworkMain = requireHere.resolve('@google-cloud/functions-framework');
    return createRequire(frameworkMain)('body-parser') as BodyParserModule & Marked;
  } catch {
    return undefined;
  }
}

/**
 * Bounds every request body of the servers functions-framework builds from now on (it builds one when it
 * starts serving, after loading the function's module): call once at module load. A later call changes the
 * limit for servers built after it.
 */
export function installRequestBodyLimits(limits: RequestBodyLimits): void {
  if (!Number.isSafeInteger(limits.maxBytes) || limits.maxBytes <= 0) {
    throw new Error(`maxBytes must be a positive integer, not ${limits.maxBytes}`);
  }
  const bodyParser = frameworkBodyParser();
  if (!bodyParser) return;
  bodyParser[LIMITS] = { ...limits };
  if (bodyParser[WRAPPED]) return;
  for (const name of PARSERS) {
    const original = bodyParser[name].bind(bodyParser);
    bodyParser[name] = (options?: unknown): Middleware =>
      bounded(original(options), bodyParser[LIMITS] ?? { maxBytes: MAX_REQUEST_BYTES });
  }
  bodyParser[WRAPPED] = true;
}

/** A request's body once read: its decoded bytes, offered to the framework's parsers as a stream of their own. */
interface ReadBody {
  readonly view: DecodedRequest;
  /** Set once a parser has read `view`: the parsers after it skip the request, as they do after body-parser. */
  parsed: boolean;
}

type DecodedRequest = Readable & { headers: IncomingMessage['headers']; body?: unknown };

const readBodies = new WeakMap<IncomingMessage, Promise<ReadBody | undefined>>();

function bounded(parse: Middleware, limits: RequestBodyLimits): Middleware {
  return (req, res, next) => {
    markRequestStart(req);
    if (!hasBody(req)) return parse(req, res, passParseErrors(req, next));
    let reading = readBodies.get(req);
    if (reading === undefined) {
      reading = readOnce(req, res, limits);
      readBodies.set(req, reading);
    }
    reading.then((body) => {
      if (body === undefined) return; // answered here, or the client went away
      if (body.parsed) return next();
      parse(body.view as unknown as BodyRequest, res, (error?: unknown) => {
        if (body.view.readableEnded) {
          body.parsed = true;
          req.body = body.view.body;
        }
        passParseErrors(req, next)(error);
      });
    }, next);
  };
}

/** As body-parser (type-is) decides it: a body is announced by Transfer-Encoding or Content-Length. */
function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] !== undefined;
}

async function readOnce(
  req: BodyRequest,
  res: Response,
  limits: RequestBodyLimits,
): Promise<ReadBody | undefined> {
  const read = await readBoundedBody(req as BodyRequest & BodySource, limits.maxBytes);
  switch (read.kind) {
    case 'read':
      // Also for a body no parser takes (no Content-Type): the function reads the same decoded bytes.
      req.rawBody = read.bytes;
      return { view: decodedRequest(req, read.bytes), parsed: false };
    case 'refused':
      answerThenClose(req, res, errorResult(read.error, read.headers));
      limits.onRefused?.(req, res);
      return undefined;
    case 'aborted':
      return undefined;
  }
}

/** The decoded body as body-parser expects a request: a stream, and headers that describe it as it now is. */
function decodedRequest(req: IncomingMessage, bytes: Buffer): DecodedRequest {
  const headers = { ...req.headers, 'content-length': String(bytes.length) };
  delete headers['content-encoding'];
  delete headers['transfer-encoding'];
  return Object.assign(Readable.from([bytes], { objectMode: false }), { headers });
}

/** Hands a client error of the parsers to the function (as `req.bodyParseError`); other errors go on. */
function passParseErrors(req: BodyRequest, next: Next): Next {
  return (error?: unknown) => {
    const refused = error === undefined ? undefined : clientError(error);
    if (refused === undefined) return next(error);
    req.bodyParseError = refused;
    req.body = undefined;
    next();
  };
}

/** A 4xx from body-parser (it sets `status` and `expose` on client errors); anything else stays an error. */
function clientError(error: unknown): BodyParseError | undefined {
  const { status, expose, type } = (error ?? {}) as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return undefined;
  const reason =
    type === 'entity.parse.failed'
      ? 'Request body is not valid JSON.'
      : type === 'charset.unsupported'
        ? 'Request body has an unsupported charset.'
        : 'Request body could not be read.';
  return { status, message: reason };
}
