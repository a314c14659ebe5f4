/** Answers one recorded RBM API call: the checks every call gets (token, agent, phone), then its handler. */
import { errorAnswer } from '../api-answer.js';
import type { ApiAnswer } from '../api-answer.js';
import type { RecordedCall } from '../types.js';
import { createAgentEvent } from './agent-events.js';
import { createAgentMessage, deleteAgentMessage } from './agent-messages.js';
import { batchGetUsers, getCapabilities } from './capabilities.js';
import { E164 } from './context.js';
import type { RouteContext } from './context.js';
import { createFile } from './files.js';

export type { RouteContext } from './context.js';

export interface AccessRules {
  /** When set, the call's bearer token must equal it. */
  readonly requireToken?: string;
  /** When set, the call's agent id must equal it. */
  readonly agentId?: string;
}

export function answerCall(context: RouteContext, access: AccessRules, call: RecordedCall): ApiAnswer {
  if (call.kind === 'other') return errorAnswer(404, 'NOT_FOUND', `No route for ${call.method} ${call.path}`);
  if (access.requireToken !== undefined && call.token !== access.requireToken) {
    return errorAnswer(
      401,
      'UNAUTHENTICATED',
      'Request had invalid authentication credentials. Expected OAuth 2 access token.',
    );
  }
  if (access.agentId !== undefined && call.agentId !== access.agentId) {
    return errorAnswer(403, 'PERMISSION_DENIED', 'error looking up the RBM agent');
  }
  if (call.kind === 'batchGet') return batchGetUsers(context, call);
  if (call.kind === 'fileCreate') return createFile(context, call);
  const phone = call.phone ?? '';
  if (!E164.test(phone)) {
    return errorAnswer(400, 'INVALID_ARGUMENT', `Invalid phone number: ${phone.slice(0, 3)}…`);
  }
  switch (call.kind) {
    case 'create':
      return createAgentMessage(context, call, phone);
    case 'delete':
      return deleteAgentMessage(context, call, phone);
    case 'agentEvent':
      return createAgentEvent(context, call, phone);
    case 'capabilities':
      return getCapabilities(context, call, phone);
  }
}
