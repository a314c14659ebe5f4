/** Cloud Tasks resource names: queues, tasks, and the task id a message gets. */
import { createHash } from 'node:crypto';

export interface QueueName {
  readonly project: string;
  readonly location: string;
  /** The queue's short id. */
  readonly queue: string;
}

export interface TaskName {
  /** The full queue name `projects/P/locations/L/queues/Q`. */
  readonly queue: string;
  /** The task's short id. */
  readonly taskId: string;
}

// Project: an id (optionally domain-scoped, `example.com:my-project`) or a project number.
const PROJECT = String.raw`(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]|\d{1,20}`;
const LOCATION = String.raw`[a-z][a-z0-9-]{1,62}`;
const QUEUE_ID = String.raw`[A-Za-z0-9-]{1,100}`;
const TASK_ID = String.raw`[A-Za-z0-9_-]{1,500}`;
const QUEUE_NAME = new RegExp(`^projects/(${PROJECT})/locations/(${LOCATION})/queues/(${QUEUE_ID})$`);
const TASK_NAME = new RegExp(
  `^(projects/(?:${PROJECT})/locations/(?:${LOCATION})/queues/(?:${QUEUE_ID}))/tasks/(${TASK_ID})$`,
);

/** Hex digits of the message id's SHA-256 kept in the task id: 128 bits, no collision in any campaign. */
const TASK_ID_HEX_DIGITS = 32;

/** `projects/P/locations/L/queues/Q` split into its parts; undefined when `name` is not a queue name. */
export function parseQueueName(name: string): QueueName | undefined {
  const match = QUEUE_NAME.exec(name);
  if (!match) return undefined;
  const [, project = '', location = '', queue = ''] = match;
  return { project, location, queue };
}

/** `…/queues/Q/tasks/T` split into the queue name and the task id; undefined when it is not a task name. */
export function parseTaskName(name: string): TaskName | undefined {
  const match = TASK_NAME.exec(name);
  if (!match) return undefined;
  const [, queue = '', taskId = ''] = match;
  return { queue, taskId };
}

/**
 * The task name of one message: a hash of the message id rather than the id itself, because Cloud Tasks
 * hot-spots on sequential or similar-prefixed task names. Message ids are UUIDs, compared without case.
 */
export function taskNameFor(queue: string, messageId: string): string {
  const digest = createHash('sha256').update(messageId.toLowerCase()).digest('hex');
  return `${queue}/tasks/${digest.slice(0, TASK_ID_HEX_DIGITS)}`;
}
