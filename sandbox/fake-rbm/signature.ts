/** RBM's webhook signature: base64(HMAC-SHA512(key = client token, message = the decoded `message.data` bytes)). */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Goog-Signature';

export function sign(data: Buffer, clientToken: string): string {
  return createHmac('sha512', clientToken).update(data).digest('base64');
}
