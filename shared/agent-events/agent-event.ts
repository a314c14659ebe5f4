/** The AgentEvent body the events API takes, checked whole: READ of a user's message, or IS_TYPING. */
import type { FieldViolation } from '../errors.js';
import { isJsonObject } from '../json-values.js';
import type { RbmAgentEvent } from '../rbm/client.js';
import { isStorableDocumentId } from '../document-ids.js';

export const AGENT_EVENT_TYPES = ['READ', 'IS_TYPING'] as const;

/** The event, or undefined with the problems added to `violations`. */
export function parseAgentEvent(body: unknown, violations: FieldViolation[]): RbmAgentEvent | undefined {
  if (!isJsonObject(body)) {
    violations.push({ field: 'body', description: 'must be a JSON AgentEvent object.' });
    return undefined;
  }
  const before = violations.length;
  for (const field of Object.keys(body)) {
    if (field !== 'eventType' && field !== 'messageId') {
      violations.push({ field, description: 'is not a field of an AgentEvent (eventType, messageId).' });
    }
  }
  const { eventType, messageId } = body;
  if (eventType === 'READ') {
    if (typeof messageId !== 'string' || !isStorableDocumentId(messageId)) {
      violations.push({
        field: 'messageId',
        description: "is required for READ: the user's message id (1 to 1,500 bytes, no '/').",
      });
    }
  } else if (eventType === 'IS_TYPING') {
    if (messageId !== undefined) {
      violations.push({ field: 'messageId', description: 'is only allowed with eventType READ.' });
    }
  } else {
    violations.push({ field: 'eventType', description: `must be one of ${AGENT_EVENT_TYPES.join(', ')}.` });
  }
  if (violations.length > before) return undefined;
  return eventType === 'READ' ? { eventType, messageId: messageId as string } : { eventType: 'IS_TYPING' };
}
