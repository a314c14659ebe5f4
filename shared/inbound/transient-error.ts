/** A failure worth retrying: the inbound function throws it so Pub/Sub redelivers the message. */
export class TransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientError';
  }
}
