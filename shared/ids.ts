/** Message ids: RFC 4122 UUID syntax, fresh ids, and ids derived from an Idempotency-Key. */
import { v4 as uuidv4, v5 as uuidv5, validate as uuidValidate } from 'uuid';

/**
 * The UUID v5 namespace of Idempotency-Key derived ids: itself the v5 id of a fixed name in the URL
 * namespace, so anyone can recompute it.
 */
export const IDEMPOTENCY_KEY_NAMESPACE = uuidv5('rbm-functions:idempotency-key', uuidv5.URL);

export function isUuid(value: string): boolean {
  return uuidValidate(value);
}

export function newMessageId(): string {
  return uuidv4();
}

/** The same agent and key always give the same id: a retried request is recognised as the same message. */
export function messageIdForIdempotencyKey(agentId: string, key: string): string {
  return uuidv5(`${agentId}/${key}`, IDEMPOTENCY_KEY_NAMESPACE);
}

/** 1–256 printable ASCII characters. */
export function isValidIdempotencyKey(value: string): boolean {
  return /^[\x20-\x7e]{1,256}$/.test(value);
}
