/**
 * Calls the running events, capabilities and files functions over HTTP (their RBM-compatible paths,
 * docs/conversation-api.md).
 */
import { callFunction, type FunctionAnswer } from './functions-client.js';

export type AgentEvent =
  { readonly eventType: 'READ'; readonly messageId: string } | { readonly eventType: 'IS_TYPING' };

/** `POST /v1/phones/{E.164}/agentEvents`: READ of a user's message, or IS_TYPING. */
export function sendAgentEvent(eventsUrl: string, phone: string, event: AgentEvent): Promise<FunctionAnswer> {
  return callFunction(`${eventsUrl}/v1/phones/${encodeURIComponent(phone)}/agentEvents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(event),
  });
}

/**
 * `GET /v1/phones/{E.164}/capabilities`; `fresh` asks RBM again (`maxAgeSeconds=0`) instead of the cache. The
 * answer's `rbm-cache` header says HIT or MISS, `age` how old the cached answer is.
 */
export function getCapabilities(
  capabilitiesUrl: string,
  phone: string,
  options: { readonly fresh?: boolean } = {},
): Promise<FunctionAnswer> {
  const query = options.fresh ? '?maxAgeSeconds=0' : '';
  return callFunction(`${capabilitiesUrl}/v1/phones/${encodeURIComponent(phone)}/capabilities${query}`, {
    method: 'GET',
  });
}

/** `POST /v1/files`: `{name: "files/…"}`, for `uploadedRbmFile.fileName`; one URL is uploaded once. */
export function uploadFile(
  filesUrl: string,
  file: { readonly fileUrl: string; readonly thumbnailUrl?: string },
): Promise<FunctionAnswer> {
  return callFunction(`${filesUrl}/v1/files`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(file),
  });
}
