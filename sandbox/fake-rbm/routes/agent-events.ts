/** `phones.agentEvents.create`: READ (of a user's message) and IS_TYPING. */
import { randomUUID } from 'node:crypto';
import { NOT_FOUND_ANSWER, errorAnswer, okAnswer } from '../api-answer.js';
import type { ApiAnswer } from '../api-answer.js';
import type { AgentEventResponse, AgentEventType, RecordedCall } from '../types.js';
import { UUID, callerAgentKey, isJsonObject, storedAgentId } from './context.js';
import type { RouteContext } from './context.js';

const EVENT_TYPES: readonly AgentEventType[] = ['READ', 'IS_TYPING'];

type ParsedEvent =
  { readonly eventType: 'READ'; readonly messageId: string } | { readonly eventType: 'IS_TYPING' };

/** The AgentEvent body, or the 400 RBM gives for it. */
function parseEvent(body: unknown): ParsedEvent | ApiAnswer {
  if (!isJsonObject(body)) return errorAnswer(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
  const { eventType, messageId } = body;
  if (typeof eventType !== 'string' || !(EVENT_TYPES as readonly string[]).includes(eventType)) {
    return errorAnswer(
      400,
      'INVALID_ARGUMENT',
      `Invalid value for eventType: must be one of ${EVENT_TYPES.join(', ')}.`,
    );
  }
  if (eventType === 'IS_TYPING') return { eventType };
  if (typeof messageId !== 'string' || messageId === '') {
    return errorAnswer(400, 'INVALID_ARGUMENT', 'messageId is required for a READ event.');
  }
  return { eventType: 'READ', messageId };
}

/** A repeated event id (or one a message used) is ignored; a phone not on RCS answers 404; an offline one 200. */
export function createAgentEvent(context: RouteContext, call: RecordedCall, phone: string): ApiAnswer {
  const { state } = context;
  const givenId = call.query.eventId;
  if (givenId !== undefined && !UUID.test(givenId)) {
    return errorAnswer(400, 'INVALID_ARGUMENT', `Invalid value for eventId: "${givenId}" is not a UUID.`);
  }
  const event = parseEvent(call.body);
  if ('status' in event) return event;
  const eventId = givenId ?? randomUUID();
  const original = state.originalAnswerFor(callerAgentKey(call), eventId);
  if (original !== undefined) {
    call.duplicate = true;
    return okAnswer(original);
  }
  if (state.phoneState(phone) === 'unreachable') return NOT_FOUND_ANSWER;
  const createdAt = new Date();
  const response: AgentEventResponse = {
    name: `phones/${phone}/agentEvents/${eventId}`,
    ...event,
    sendTime: createdAt.toISOString(),
  };
  state.addAgentEvent(callerAgentKey(call), {
    eventId,
    agentId: storedAgentId(context, call),
    phone,
    ...event,
    response,
    createdAt,
  });
  state.changed();
  return okAnswer(response);
}
