/** Calls the running messages function (the query API, docs/query-api.md) over HTTP. */
import { callFunction, type FunctionAnswer } from './functions-client.js';

const phonePath = (phone: string): string => `/v1/phones/${encodeURIComponent(phone)}`;

export interface ListOptions {
  readonly state?: string;
  readonly pageSize?: number;
  readonly pageToken?: string;
}

/** `GET /v1/phones/{E.164}/agentMessages/{messageId}`: the record, or 404 (also for another phone's). */
export function getAgentMessage(
  messagesUrl: string,
  phone: string,
  messageId: string,
): Promise<FunctionAnswer> {
  return callFunction(`${messagesUrl}${phonePath(phone)}/agentMessages/${encodeURIComponent(messageId)}`, {
    method: 'GET',
  });
}

/** `GET /v1/phones/{E.164}/agentMessages`: `{agentMessages, nextPageToken?}`, newest first. */
export function listAgentMessages(
  messagesUrl: string,
  phone: string,
  options: ListOptions = {},
): Promise<FunctionAnswer> {
  const query = new URLSearchParams();
  if (options.state !== undefined) query.set('state', options.state);
  if (options.pageSize !== undefined) query.set('pageSize', String(options.pageSize));
  if (options.pageToken !== undefined) query.set('pageToken', options.pageToken);
  const search = query.size === 0 ? '' : `?${query.toString()}`;
  return callFunction(`${messagesUrl}${phonePath(phone)}/agentMessages${search}`, { method: 'GET' });
}

/** `GET /v1/consents/{E.164}`: the consent document, or 404 (no document: subscribed). */
export function getConsent(messagesUrl: string, phone: string): Promise<FunctionAnswer> {
  return callFunction(`${messagesUrl}/v1/consents/${encodeURIComponent(phone)}`, { method: 'GET' });
}
