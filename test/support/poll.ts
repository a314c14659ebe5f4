/** Tests wait with the same deadline-bound polling as the scripts. */
export { pollUntil, type PollOptions } from '../../scripts/lib/poll.js';
