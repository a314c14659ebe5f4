/** Which strings Firestore accepts as a document id: a path segment it can store and read back. */

const MAX_ID_BYTES = 1500;

/** Not empty, at most 1,500 bytes, no `/`, not `.` or `..`, and not of the reserved `__…__` form. */
export function isStorableDocumentId(id: string): boolean {
  return (
    id.length > 0 &&
    Buffer.byteLength(id, 'utf8') <= MAX_ID_BYTES &&
    !id.includes('/') &&
    id !== '.' &&
    id !== '..' &&
    !/^__.*__$/.test(id)
  );
}
