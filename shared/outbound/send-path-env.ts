/** The variables the send path reads (send-wiring.ts): declared by `send` and by `campaigns`, whose dispatch runs it. */
export const SEND_PATH_ENV = [
  'RBM_STATUS_TOPIC',
  'RBM_FALLBACK_TOPIC',
  // Test fault injection on status and fallback events; inert unless the Pub/Sub emulator is in use.
  'RBM_FAULT_PUBLISH_FAIL_FIRST_SHARE',
  'RBM_CONSENT_MODE',
  // Deadline of each Firestore call (shared/store/storage-deadline.ts).
  'FIRESTORE_DEADLINE_MS',
  // deleteAt of new records, for the Firestore TTL policy (shared/store/retention.ts).
  'RBM_AGENT_MESSAGE_RETENTION_DAYS',
] as const;
