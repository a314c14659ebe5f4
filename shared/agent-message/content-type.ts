import type { AgentMessage, ContentType } from './types.js';
import { CONTENT_TYPES } from './types.js';

/**
 * The content kind of a message that passed `validateAgentMessage` (exactly one kind is set).
 * Throws a TypeError for a message with no content kind, which validation rules out.
 */
export function contentTypeOf(message: AgentMessage): ContentType {
  const content = message.contentMessage;
  const type = CONTENT_TYPES.find((kind) => content[kind] !== undefined);
  if (type === undefined) throw new TypeError('AgentMessage.contentMessage has no content kind');
  return type;
}
