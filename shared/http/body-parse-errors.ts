/**
 * functions-framework parses request bodies before the function runs; a body its parsers refuse (malformed
 * JSON, an unsupported charset or encoding) makes Express answer with an HTML error page, outside the
 * Google error shape the API promises. This wraps the framework's body parsers so such a client error is
 * handed to the function instead (as `req.bodyParseError`), which then answers in Google's shape.
 * Call once at module load, before the framework builds its server.
 */
import { createRequire } from 'node:module';

type Next = (error?: unknown) => void;
type Middleware = (req: Record<string, unknown>, res: unknown, next: Next) => void;
type ParserFactory = (options?: unknown) => Middleware;

const PARSERS = ['json', 'text', 'urlencoded', 'raw'] as const;
type BodyParserModule = Record<(typeof PARSERS)[number], ParserFactory>;

/** What the function sees of a refused body. */
export interface BodyParseError {
  status: number;
  message: string;
}

const INSTALLED = Symbol.for('rbm-functions.bodyParseErrorPassthrough');

function frameworkBodyParser(): BodyParserModule | undefined {
  try {
    const requireHere = createRequire(import.meta.url);
    const frameworkMain = requireHere.resolve('@google-cloud/functions-framework');
    return createRequire(frameworkMain)('body-parser') as BodyParserModule;
  } catch {
    return undefined;
  }
}

/** A 4xx from body-parser (it sets `status` and `expose` on client errors); anything else stays an error. */
function clientError(error: unknown): BodyParseError | undefined {
  const { status, expose, type } = (error ?? {}) as { status?: unknown; expose?: unknown; type?: unknown };
  if (typeof status !== 'number' || status < 400 || status >= 500 || expose !== true) return undefined;
  const reason =
    type === 'entity.parse.failed'
      ? 'Request body is not valid JSON.'
      : type === 'charset.unsupported' || type === 'encoding.unsupported'
        ? 'Request body has an unsupported charset or content encoding.'
        : 'Request body could not be read.';
  return { status, message: reason };
}

export function installBodyParseErrorPassthrough(): void {
  const bodyParser = frameworkBodyParser();
  const marker = bodyParser as unknown as Record<symbol, boolean> | undefined;
  if (!bodyParser || marker?.[INSTALLED]) return;
  for (const name of PARSERS) {
    const original = bodyParser[name].bind(bodyParser);
    bodyParser[name] = (options?: unknown): Middleware => {
      const parse = original(options);
      return (req, res, next) =>
        parse(req, res, (error?: unknown) => {
          const refused = error === undefined ? undefined : clientError(error);
          if (refused === undefined) return next(error);
          req.bodyParseError = refused;
          req.body = undefined;
          next();
        });
    };
  }
  (marker as Record<symbol, boolean>)[INSTALLED] = true;
}
