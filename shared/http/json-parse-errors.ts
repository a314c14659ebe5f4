/**
 * functions-framework parses `application/json` bodies before the function runs; a malformed body makes
 * Express answer 400 with an HTML page, outside the Google error shape the API promises. This wraps the
 * framework's JSON parser so a parse failure is handed to the function instead (as `req.jsonParseError`),
 * which then answers in Google's shape. Call once at module load, before the framework builds its server.
 */
import { createRequire } from 'node:module';

interface BodyParserModule {
  json: (options?: unknown) => Middleware;
}
type Next = (error?: unknown) => void;
type Middleware = (req: Record<string, unknown>, res: unknown, next: Next) => void;

const INSTALLED = Symbol.for('rbm-functions.jsonParseErrorPassthrough');

function frameworkBodyParser(): BodyParserModule | undefined {
  try {
    const requireHere = createRequire(import.meta.url);
    const frameworkMain = requireHere.resolve('@google-cloud/functions-framework');
    return createRequire(frameworkMain)('body-parser') as BodyParserModule;
  } catch {
    return undefined;
  }
}

export function installJsonParseErrorPassthrough(): void {
  const bodyParser = frameworkBodyParser();
  if (!bodyParser || (bodyParser as unknown as Record<symbol, boolean>)[INSTALLED]) return;
  const originalJson = bodyParser.json.bind(bodyParser);
  bodyParser.json = (options?: unknown): Middleware => {
    const parse = originalJson(options);
    return (req, res, next) =>
      parse(req, res, (error?: unknown) => {
        const type = (error as { type?: unknown } | undefined)?.type;
        if (type === 'entity.parse.failed') {
          req.jsonParseError = error;
          req.body = undefined;
          next();
          return;
        }
        next(error);
      });
  };
  (bodyParser as unknown as Record<symbol, boolean>)[INSTALLED] = true;
}
