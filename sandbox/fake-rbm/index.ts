/**
 * The fake RBM API server and its webhook side: server.ts (lifecycle), routes/ (one module per RBM resource),
 * state.ts (phones, messages, events, files), delivery.ts, faults.ts, call-log.ts, payloads.ts, signature.ts.
 */
export { startFakeRbm, newMessageId } from './server.js';
export type {
  AgentEventResponse,
  AgentEventType,
  AgentMessageResponse,
  AutoEvents,
  BatchGetUsersResponse,
  CallKind,
  ExtraRoutes,
  FakeRbm,
  FakeRbmOptions,
  Fault,
  FaultableCall,
  FaultScope,
  MessageState,
  PhoneInfo,
  PhoneOptions,
  PhoneState,
  RecordedCall,
  StoredAgentEvent,
  StoredFile,
  StoredMessage,
} from './types.js';
export { RBM_FEATURES, featuresUsedBy } from './features.js';
export type { RbmFeature } from './features.js';
export { TYPING_INDICATOR_MS } from './state.js';
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
