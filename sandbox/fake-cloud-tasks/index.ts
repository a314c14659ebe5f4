/** The fake Cloud Tasks server; see server.ts (wiring), routes.ts (HTTP), dispatcher.ts (pushing tasks). */
export { startFakeCloudTasks } from './server.js';
export type {
  ApiCall,
  FakeCloudTasks,
  FakeCloudTasksControl,
  FakeCloudTasksOptions,
  TaskView,
} from './types.js';
export type { DispatchRecord } from './dispatcher.js';
export type { CallFault, DispatchFault, DispatchFaultScope } from './faults.js';
export { DEFAULT_QUEUE_CONFIG, type QueueConfig, type QueueSettings } from './queue-config.js';
export type { TaskState } from './state.js';
export type { HttpMethod, HttpTarget, OidcToken } from './task-request.js';
export { readPlaceholderOidcToken, type PlaceholderClaims } from './dispatch-request.js';
