/** Narrowing values that came from JSON (request bodies, decoded payloads, RBM answers). */

export type JsonObject = Record<string, unknown>;

/** A JSON object: not null, not an array. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A timestamp string (RFC 3339 as RBM sends it) as a Date; undefined when absent, empty or unreadable. */
export function dateFrom(value: unknown): Date | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
