/**
 * Last line of defence for log privacy: whatever a caller passes, phone numbers are masked and secrets
 * dropped before a line is written.
 */
import { maskPhone } from '../phone.js';

/** E.164 numbers in free text, also URL-encoded (`%2B…`), as in request paths. */
const PHONE_IN_TEXT = /(?:\+|%2B)\d{7,15}\b/gi;
/** Fields whose whole value is a phone number. */
const PHONE_KEY = /(phone|msisdn|sender)/i;
/** Fields that must never be logged at all: secrets and message content. */
const SECRET_KEY = /(token|secret|password|authorization|private_?key|credential|signature|^text$|^body$)/i;

function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (match) => maskPhone(match.replace(/^%2B/i, '+')));
}

/** A copy of `value` with phone numbers masked and secret or content fields replaced. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskPhonesInText(value);
  if (typeof value !== 'object' || value === null || depth > 6) return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (SECRET_KEY.test(key)) out[key] = '[redacted]';
    else if (PHONE_KEY.test(key) && typeof item === 'string') out[key] = maskPhone(item);
    else out[key] = redact(item, depth + 1);
  }
  return out;
}
