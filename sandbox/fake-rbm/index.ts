/** The fake RBM API server and its webhook side; see server.ts, payloads.ts, signature.ts. */
export { startFakeRbm, newMessageId } from './server.js';
export type {
  AgentMessageResponse,
  AutoEvents,
  CallKind,
  ExtraRoutes,
  FakeRbm,
  FakeRbmOptions,
  Fault,
  FaultScope,
  MessageState,
  PhoneInfo,
  PhoneOptions,
  PhoneState,
  RecordedCall,
  StoredMessage,
} from './server.js';
export type {
  CallbackAttempt,
  CallbackChaos,
  CallbackOptions,
  CallbackRecord,
  CallbackResult,
  CallbackRetries,
  ReleaseOrder,
  WebhookTarget,
} from './webhook-sender.js';
export * from './payloads.js';
export { sign, SIGNATURE_HEADER } from './signature.js';
export { googleError } from './google-error.js';
export type { GoogleErrorBody, GoogleErrorStatus } from './google-error.js';
