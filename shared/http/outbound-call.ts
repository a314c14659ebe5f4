/** Reading what an outbound HTTP call to another API produced: its body text, or why it failed. */

/** A response body as JSON: `{}` when empty, `{raw}` (first 500 characters) when it is not JSON. */
export function parseResponseJson(text: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return { raw: text.slice(0, 500) };
  }
}

/** A failed fetch's message with its cause: fetch says "fetch failed" and keeps the reason (ECONNREFUSED…) there. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
