/** Test phone numbers: distinct per test so no state leaks between them, and easy to spot in a log scan. */
let next = 0;

/** A fresh E.164 number in the +1 555 01xx range reserved for fiction. */
export function testPhone(): string {
  next += 1;
  return `+1555010${String(1000 + next).slice(-4)}`;
}

/** Every full number handed out so far, for "no phone number in any log line" checks. */
export function phonesHandedOut(): string[] {
  return Array.from({ length: next }, (_, i) => `+1555010${String(1001 + i).slice(-4)}`);
}
