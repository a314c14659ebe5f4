/** E.164 phone numbers: validation and the masked form that may appear in logs. */

const E164 = /^\+[1-9]\d{6,14}$/;

/** `+`, then 7–15 digits, the first not 0. */
export function isE164(value: string): boolean {
  return E164.test(value);
}

/** The last four digits at most, e.g. `+*******4567`; never the full number. */
export function maskPhone(value: string): string {
  const digits = value.replace(/\D/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `+${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}
