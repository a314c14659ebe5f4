/**
 * Inbound's storage with a deadline on every call (shared/store/storage-deadline.ts), the user-message claims
 * included. Past it a call rejects with DEADLINE_EXCEEDED, which processInbound lets through: the handler
 * throws and Pub/Sub redelivers the message. It is never kept as a reject: rejects are only payloads that can
 * never be processed, whatever storage does.
 */
import { withStorageDeadline } from '../store/storage-deadline.js';
import type { InboundStorage } from './process-inbound.js';

export function withInboundStorageDeadline(storage: InboundStorage, ms: number): InboundStorage {
  const bounded = withStorageDeadline(storage, ms, 'inbound');
  return {
    applyEvent: (event) => bounded.applyEvent(event),
    recordReject: (reject, now) => bounded.recordReject(reject, now),
    recordLaunchEvent: (eventId, fields, sendTime, now) =>
      bounded.recordLaunchEvent(eventId, fields, sendTime, now),
    // A property, not a method: the proxy above would hand it out unbounded.
    userMessages: withStorageDeadline(storage.userMessages, ms, 'userMessages'),
  };
}
