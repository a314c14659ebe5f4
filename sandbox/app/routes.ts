/**
 * The sandbox's HTTP API under `/sandbox/api/` and its page under `/sandbox/`, on the fake RBM's port.
 *
 *   GET  /sandbox/api/state                         phones and conversations (view-model.ts)
 *   GET  /sandbox/api/events                        server-sent events: `changed`
 *   GET  /sandbox/api/agentMessages/{id}            one agent message: the phone's view and the backend record
 *   POST /sandbox/api/phones                        {phone, state?, mode?, delayMs?, features?}: add or change
 *   POST /sandbox/api/phones/{phone}                {state?, mode?, delayMs?, features?}
 *   POST /sandbox/api/phones/{phone}/reply          {text}
 *   POST /sandbox/api/phones/{phone}/suggestion     {postbackData, text?, type?, agentMessageId?}
 *   POST /sandbox/api/phones/{phone}/location       {latitude, longitude}
 *   POST /sandbox/api/phones/{phone}/unsubscribe    {}: the user taps Unsubscribe (STOP + UNSUBSCRIBE)
 *   POST /sandbox/api/phones/{phone}/subscribe      {}: the user taps Subscribe (START + SUBSCRIBE)
 *   POST /sandbox/api/agentMessages/{id}/{deliver|read|expire|expire-revoke-fails|drop-outcome}
 *   POST /sandbox/api/campaigns, GET /sandbox/api/campaigns/{id}, POST …/{id}:cancel   (campaign-panel.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeRbm, SuggestionType } from '../fake-rbm/index.js';
import type { BackendRecords } from './backend-records.js';
import { campaignRoute } from './campaign-panel.js';
import { sandboxState, type ConversationSources } from './conversation.js';
import {
  badRequest,
  notFound,
  optionalNumber,
  optionalString,
  readJsonObject,
  requiredString,
  sendError,
  sendJson,
} from './http-io.js';
import type { LiveUpdates } from './live-updates.js';
import { agentMessageView, messageAction } from './message-actions.js';
import { configurePhone, oneOf } from './phone-settings.js';
import { serveStatic } from './static-files.js';
import type { UserActions } from './user-actions.js';

export interface RouteContext {
  readonly rbm: FakeRbm;
  readonly backend: BackendRecords | undefined;
  readonly live: LiveUpdates;
  readonly actions: UserActions;
  readonly sources: ConversationSources;
  /** Delay of automatic events for phones added through the API without one. */
  readonly defaultDelayMs: number;
  /** The campaigns function's base URL, for the campaign panel. */
  readonly campaignsUrl: string | undefined;
}

const E164 = /^\+[1-9]\d{6,14}$/;
const SUGGESTION_TYPES: readonly SuggestionType[] = ['REPLY', 'ACTION', 'UNKNOWN'];

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('malformed path');
  }
}

function phoneFrom(value: string): string {
  if (!E164.test(value)) throw badRequest('phone must be an E.164 number, e.g. +15550100001');
  return value;
}

async function apiPost(context: RouteContext, req: IncomingMessage, segments: string[]): Promise<unknown> {
  const body = await readJsonObject(req);
  const [resource, id, action, ...rest] = segments;
  if (rest.length > 0) throw notFound('no such route');
  if (resource === 'phones' && id === undefined) {
    return configurePhone(
      context.rbm,
      phoneFrom(requiredString(body, 'phone')),
      body,
      context.defaultDelayMs,
    );
  }
  if (resource === 'phones' && id !== undefined) {
    const phone = phoneFrom(decodeSegment(id));
    switch (action) {
      case undefined:
        return configurePhone(context.rbm, phone, body, context.defaultDelayMs);
      case 'unsubscribe':
      case 'subscribe':
        return context.actions.tapConsent(phone, action);
      case 'reply':
        return context.actions.reply(phone, requiredString(body, 'text'));
      case 'suggestion': {
        const text = optionalString(body, 'text');
        const type = oneOf(optionalString(body, 'type'), SUGGESTION_TYPES, 'type');
        const agentMessageId = optionalString(body, 'agentMessageId');
        return context.actions.tapSuggestion(phone, {
          postbackData: requiredString(body, 'postbackData'),
          ...(text === undefined ? {} : { text }),
          ...(type === undefined ? {} : { type }),
          ...(agentMessageId === undefined ? {} : { agentMessageId }),
        });
      }
      case 'location': {
        const latitude = optionalNumber(body, 'latitude');
        const longitude = optionalNumber(body, 'longitude');
        if (latitude === undefined || longitude === undefined || Math.abs(latitude) > 90) {
          throw badRequest('latitude (−90…90) and longitude are required');
        }
        return context.actions.shareLocation(phone, { latitude, longitude });
      }
    }
  }
  if (resource === 'agentMessages' && id !== undefined && action !== undefined) {
    return messageAction(context.rbm, decodeSegment(id), action);
  }
  throw notFound('no such route');
}

/** The request handler mounted on the fake RBM server (FakeRbm.mountRoutes). */
export function sandboxRoutes(context: RouteContext) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/' || path === '/sandbox')) {
      res.writeHead(302, { Location: '/sandbox/' });
      res.end();
      return true;
    }
    if (!path.startsWith('/sandbox/')) return false;
    try {
      if (path.startsWith('/sandbox/api/')) {
        const segments = path.slice('/sandbox/api/'.length).split('/');
        if (req.method === 'GET' && path === '/sandbox/api/events') {
          context.live.connect(req, res);
        } else if (req.method === 'GET' && path === '/sandbox/api/state') {
          sendJson(res, 200, await sandboxState(context.sources));
        } else if (req.method === 'GET' && segments[0] === 'agentMessages' && segments.length === 2) {
          const messageId = decodeSegment(segments[1] ?? '');
          sendJson(res, 200, await agentMessageView(context.rbm, context.backend, messageId));
        } else if (segments[0] === 'campaigns') {
          await campaignRoute(context, req, res, segments.slice(1));
        } else if (req.method === 'POST') {
          sendJson(res, 200, await apiPost(context, req, segments));
        } else {
          throw notFound(`no route for ${req.method ?? ''} ${path}`);
        }
        return true;
      }
      if (req.method === 'GET' && (await serveStatic(res, path.slice('/sandbox/'.length)))) return true;
      throw notFound(`no such file: ${path}`);
    } catch (error) {
      if (!res.headersSent) sendError(res, error);
      else res.end();
      return true;
    }
  };
}
