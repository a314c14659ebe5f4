/** Which RBM API call a method and path are: the fake's route table, pure. */
import type { CallKind } from './types.js';

export interface RouteMatch {
  readonly kind: CallKind;
  /** Percent-decoded phone of a `/v1/phones/{phone}/…` path. */
  readonly phone?: string;
  /** Percent-decoded id after the collection (`…/agentMessages/{id}`). */
  readonly resourceId?: string;
}

const PHONE_RESOURCE = /^\/v1\/phones\/([^/]+)\/(agentMessages|agentEvents|capabilities)(?:\/([^/]+))?$/;
const BATCH_GET = /^\/v1\/users(?::|%3A)batchGet$/i;
const FILES = /^\/v1\/files$/;

/** The call `method pathname` makes; `other` for a wrong method or id on an RBM path; undefined off RBM paths. */
export function matchRoute(method: string, pathname: string): RouteMatch | undefined {
  const phoneMatch = PHONE_RESOURCE.exec(pathname);
  if (phoneMatch) {
    const [, rawPhone = '', collection, rawId] = phoneMatch;
    const phone = safeDecode(rawPhone);
    const resourceId = rawId === undefined ? undefined : safeDecode(rawId);
    return { kind: phoneCallKind(method, collection, resourceId !== undefined), phone, resourceId };
  }
  if (BATCH_GET.test(pathname)) return { kind: method === 'POST' ? 'batchGet' : 'other' };
  if (FILES.test(pathname)) return { kind: method === 'POST' ? 'fileCreate' : 'other' };
  return undefined;
}

function phoneCallKind(method: string, collection: string | undefined, hasId: boolean): CallKind {
  switch (collection) {
    case 'agentMessages':
      if (method === 'POST' && !hasId) return 'create';
      if (method === 'DELETE' && hasId) return 'delete';
      return 'other';
    case 'agentEvents':
      return method === 'POST' && !hasId ? 'agentEvent' : 'other';
    case 'capabilities':
      return method === 'GET' && !hasId ? 'capabilities' : 'other';
    default:
      return 'other';
  }
}

export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
