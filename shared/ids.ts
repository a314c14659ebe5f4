/** Message ids: RFC 4122 UUID syntax, fresh ids, and ids derived from an Idempotency-Key. */
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';

/**
 * The UUID v5 namespace of Idempotency-Key derived ids: itself the v5 id of a fixed name in the URL
 * namespace, so anyone can recompute it.
 */
export const IDEMPOTENCY_KEY_NAMESPACE = uuidv5('rbm-functions:idempotency-key', uuidv5.URL);

const UUID_SYNTAX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** RFC 4122 UUID syntax (8-4-4-4-12 hex digits), whatever its version and variant digits say. */
export function isUuid(value: string): boolean {
  return UUID_SYNTAX.test(value);
}

export function newMessageId(): string {
  return uuidv4();
}

/** The same agent and key always give the same id: a retried request is recognised as the same message. */
export function messageIdForIdempotencyKey(agentId: string, key: string): string {
  return uuidv5(`${agentId}/${key}`, IDEMPOTENCY_KEY_NAMESPACE);
}

/** 1–256 printable characters (no control characters). */
export function isValidIdempotencyKey(value: string): boolean {
  const characters = [...value];
  return characters.length >= 1 && characters.length <= 256 && !/[\p{Cc}]/u.test(value);
}

/**
 * The event id of the agent's READ of a user's message when the caller gives neither an event id nor an
 * Idempotency-Key: derived like a key-derived id from `read/{messageId}`, so every READ of one message (the
 * API's and inbound's automatic one) carries the same id and RBM ignores the repeats.
 */
export function readEventIdFor(agentId: string, userMessageId: string): string {
  return messageIdForIdempotencyKey(agentId, `read/${userMessageId}`);
}
