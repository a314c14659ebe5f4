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
