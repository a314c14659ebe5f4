/** Tests wait with the same deadline-bound polling as the scripts. */
export { pollUntil, type PollOptions } from '../../devtools/poll.js';
