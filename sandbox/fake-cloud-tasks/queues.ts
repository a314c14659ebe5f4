/** Which queues exist and how each is configured: start-up options first, then what tests or the admin route set. */
import { parseQueueName } from '../../shared/tasks/names.js';
import {
  parseQueueSettings,
  resolveQueueConfig,
  type QueueConfig,
  type QueueSettings,
} from './queue-config.js';

export class QueueRegistry {
  private readonly initial: ReadonlyMap<string, QueueSettings>;
  private settings: Map<string, QueueSettings>;

  /**
   * @param defaults settings of every queue, under its own
   * @param queues per-queue settings by full queue name
   * @param knownQueuesOnly refuse tasks for queues not configured (as Cloud Tasks refuses unknown queues)
   */
  constructor(
    private readonly defaults: QueueSettings,
    queues: Readonly<Record<string, QueueSettings>>,
    private readonly knownQueuesOnly: boolean,
  ) {
    requireValidSettings('defaultQueue', defaults);
    for (const [queue, settings] of Object.entries(queues)) {
      if (!parseQueueName(queue)) throw new Error(`fake Cloud Tasks: "${queue}" is not a queue name`);
      requireValidSettings(queue, settings);
    }
    this.initial = new Map(Object.entries(queues));
    this.settings = new Map(this.initial);
  }

  accepts(queue: string): boolean {
    return !this.knownQueuesOnly || this.settings.has(queue);
  }

  config(queue: string): QueueConfig {
    return resolveQueueConfig(this.defaults, this.settings.get(queue) ?? {});
  }

  /** Merges `settings` into the queue's (creating it); the caller has validated them. */
  configure(queue: string, settings: QueueSettings): QueueConfig {
    this.settings.set(queue, { ...this.settings.get(queue), ...settings });
    return this.config(queue);
  }

  reset(): void {
    this.settings = new Map(this.initial);
  }
}

function requireValidSettings(where: string, settings: QueueSettings): void {
  const parsed = parseQueueSettings(settings);
  if ('problems' in parsed) throw new Error(`fake Cloud Tasks: ${where}: ${parsed.problems.join('; ')}`);
}
