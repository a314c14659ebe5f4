/** `phones.agentMessages.create` and `.delete` (revoke). */
import { NOT_FOUND_ANSWER, errorAnswer, okAnswer } from '../api-answer.js';
import type { ApiAnswer } from '../api-answer.js';
import { featuresUsedBy, missingFeatures } from '../features.js';
import type { AgentMessageResponse, RecordedCall, StoredMessage } from '../types.js';
import { UUID, callerAgentKey, isJsonObject, storedAgentId } from './context.js';
import type { RouteContext } from './context.js';

const DURATION = /^(\d+(?:\.\d{1,9})?)s$/;

export function createAgentMessage(context: RouteContext, call: RecordedCall, phone: string): ApiAnswer {
  const { state, delivery } = context;
  const messageId = call.messageId ?? '';
  if (!UUID.test(messageId)) {
    return errorAnswer(400, 'INVALID_ARGUMENT', `Invalid value for messageId: "${messageId}" is not a UUID.`);
  }
  const request = call.body;
  if (!isJsonObject(request)) return errorAnswer(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  if (!isJsonObject(request.contentMessage)) {
    return errorAnswer(400, 'INVALID_ARGUMENT', 'contentMessage is required.');
  }
  const original = state.originalAnswerFor(callerAgentKey(call), messageId);
  if (original !== undefined) {
    call.duplicate = true; // RBM ignores a reused id: the original stands
    return okAnswer(original);
  }
  const phoneState = state.phoneState(phone);
  if (phoneState === 'unreachable') return NOT_FOUND_ANSWER;
  const unsupported = missingFeatures(featuresUsedBy(request), state.featuresOf(phone));
  if (unsupported.length > 0) {
    return errorAnswer(
      400,
      'INVALID_ARGUMENT',
      `The message uses features the user's device does not support: ${unsupported.join(', ')}.`,
    );
  }
  const sendTime = new Date();
  const response: AgentMessageResponse = {
    name: `phones/${phone}/agentMessages/${messageId}`,
    sendTime: sendTime.toISOString(),
    contentMessage: request.contentMessage,
    ...(typeof request.messageTrafficType === 'string'
      ? { messageTrafficType: request.messageTrafficType }
      : {}),
    ...expireTimeFor(request, sendTime),
  };
  const message: StoredMessage = {
    messageId,
    agentId: storedAgentId(context, call),
    phone,
    request,
    response,
    state: phoneState === 'offline' ? 'queued' : 'pending',
    createdAt: sendTime,
    ...(state.ownOptions(phone)?.dropOutcomes === true ? { outcomeDropped: true } : {}),
  };
  state.addMessage(callerAgentKey(call), message);
  if (phoneState === 'reachable') delivery.accepted(message);
  state.changed();
  return okAnswer(response);
}

/**
 * 200 while the message waits for the phone; 404 once delivered (or unknown). A message marked with raceRevoke
 * is answered 200 and delivered all the same.
 */
export function deleteAgentMessage(context: RouteContext, call: RecordedCall, phone: string): ApiAnswer {
  const message =
    call.messageId === undefined
      ? undefined
      : context.state.messageForAgent(callerAgentKey(call), call.messageId);
  if (!message || message.phone !== phone || !(message.state === 'pending' || message.state === 'queued')) {
    return NOT_FOUND_ANSWER;
  }
  if (context.delivery.revokeLosesRace(message)) {
    call.fault = 'revokeRace';
    return okAnswer({});
  }
  message.state = 'revoked';
  context.state.changed();
  return okAnswer({});
}

function expireTimeFor(request: Readonly<Record<string, unknown>>, sendTime: Date): { expireTime?: string } {
  if (typeof request.expireTime === 'string') return { expireTime: request.expireTime };
  if (typeof request.ttl === 'string') {
    const seconds = DURATION.exec(request.ttl)?.[1];
    if (seconds !== undefined) {
      return { expireTime: new Date(sendTime.getTime() + Number(seconds) * 1000).toISOString() };
    }
  }
  return {};
}
