/**
 * The former name of the request body limits (./body-limits.ts), which include handing a body the framework's
 * parsers refuse to the function as `req.bodyParseError`. Without limits it installs the default.
 */
import { installRequestBodyLimits, MAX_REQUEST_BYTES, type RequestBodyLimits } from './body-limits.js';

export type { BodyParseError } from './body-limits.js';

export function installBodyParseErrorPassthrough(
  limits: RequestBodyLimits = { maxBytes: MAX_REQUEST_BYTES },
): void {
  installRequestBodyLimits(limits);
}
