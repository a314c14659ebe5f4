/**
 * RBM webhook authentication: the verification handshake's client token and the X-Goog-Signature HMAC,
 * both compared in constant time.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Constant-time equality of two strings, whatever their lengths. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** base64(HMAC-SHA512(key = client token, message = the decoded `message.data` bytes)). */
export function rbmSignature(data: Buffer, clientToken: string): string {
  return createHmac('sha512', clientToken).update(data).digest('base64');
}

export function isValidSignature(
  data: Buffer,
  signatureHeader: string | undefined,
  clientToken: string,
): boolean {
  if (signatureHeader === undefined || signatureHeader.trim() === '') return false;
  const expected = createHmac('sha512', clientToken).update(data).digest();
  const given = Buffer.from(signatureHeader.trim(), 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Strict base64 (standard or URL-safe alphabet, optional padding). */
export function decodeBase64(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.replace(/=+$/, '').length % 4 === 1)
    return undefined;
  return Buffer.from(compact, compact.includes('-') || compact.includes('_') ? 'base64url' : 'base64');
}
