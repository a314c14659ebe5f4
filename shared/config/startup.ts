/** Reads a function's configuration at start-up; a bad environment is logged with the variable's name and stops the start. */
import type { Logger } from '../log/logger.js';

export function loadAtStartup<T>(logger: Logger, load: () => T): T {
  try {
    return load();
  } catch (error) {
    logger.error('Refusing to start: invalid configuration', { err: error });
    throw error;
  }
}
