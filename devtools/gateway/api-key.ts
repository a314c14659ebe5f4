/**
 * The gateway's API-key check, with the answers Google Cloud API Gateway gives (its proxy maps Service
 * Control's verdict onto these codes): no key → 401 UNAUTHENTICATED; a key that is not valid → 400
 * INVALID_ARGUMENT with an ErrorInfo of reason API_KEY_INVALID. Bodies have Google's error shape. Pure.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from '../../shared/errors.js';
import { API_KEY_QUERY_PARAMETER } from '../openapi/gateway-document.js';

export type ApiKeyVerdict = 'accepted' | 'missing' | 'invalid';

/** The key of a request: the `key` query parameter, else the `x-api-key` header. */
export function apiKeyOf(
  query: URLSearchParams,
  header: string | readonly string[] | undefined,
): string | undefined {
  const fromQuery = query.get(API_KEY_QUERY_PARAMETER);
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return typeof fromHeader === 'string' && fromHeader !== '' ? fromHeader : undefined;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export function checkApiKey(given: string | undefined, expected: string): ApiKeyVerdict {
  if (given === undefined) return 'missing';
  return timingSafeEqual(digest(given), digest(expected)) ? 'accepted' : 'invalid';
}

/** The refusal of a request whose key was not accepted. */
export function apiKeyRefusal(verdict: Exclude<ApiKeyVerdict, 'accepted'>): ApiError {
  if (verdict === 'missing') {
    return new ApiError(
      401,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      'UNAUTHENTICATED',
    );
  }
  return new ApiError(400, 'API key not valid. Please pass a valid API key.', 'INVALID_ARGUMENT', [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason: 'API_KEY_INVALID',
      domain: 'googleapis.com',
    },
  ]);
}
