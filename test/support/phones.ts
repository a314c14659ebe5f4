/** Test phone numbers: distinct per test so no state leaks between them, and easy to spot in a log scan. */
import { randomInt } from 'node:crypto';

/**
 * Each test file evaluates this module afresh: a random block of the 0000–9999 range per file keeps two files
 * that share the emulators (and a stack whose Firestore is not cleared) from handing out the same numbers.
 */
const base = randomInt(0, 10_000);
const handedOut: string[] = [];

/** A fresh E.164 number in the +1 555 010x range reserved for fiction. */
export function testPhone(): string {
  const phone = `+1555010${String((base + handedOut.length) % 10_000).padStart(4, '0')}`;
  handedOut.push(phone);
  return phone;
}

/**
 * The numbers handed out so far that appear in full in `logs`: with their +, or without it (which also catches
 * the %2B-encoded form). A "never print a phone number" check expects none.
 */
export function fullPhonesIn(logs: string): string[] {
  return handedOut.filter((phone) => logs.includes(phone) || logs.includes(phone.slice(1)));
}
