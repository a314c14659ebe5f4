/**
 * Turns a CloudEvent function spec and its handler into a registered functions-framework function. A handler
 * returns when the event is done with (processed, or kept as a permanent reject) and throws only for a
 * transient failure, which the runtime turns into a redelivery request.
 */
import * as functions from '@google-cloud/functions-framework';
import type { CloudEvent } from '@google-cloud/functions-framework';
import { createPlatform, type Platform } from './platform.js';
import type { CloudEventFunctionSpec } from './spec.js';

export type CloudEventHandler<D> = (event: CloudEvent<unknown>, deps: D) => Promise<void>;

export function serveCloudEvent<D>(
  spec: CloudEventFunctionSpec,
  setup: (platform: Platform) => D,
  handle: CloudEventHandler<D>,
): void {
  const platform = createPlatform(spec);
  const deps = setup(platform);
  functions.cloudEvent(spec.name, async (event: CloudEvent<unknown>) => {
    try {
      await handle(event, deps);
    } catch (error) {
      platform.logger.warn('Event failed; Pub/Sub will redeliver', { pubsubMessageId: event.id, err: error });
      // The push gets a 500, Pub/Sub redelivers and dead-letters after its attempts. The framework prints
      // what is thrown, stack and all, outside the redacting logger: throw only a fixed text.
      throw redeliveryRequested(spec.name);
    }
  });
}

function redeliveryRequested(name: string): Error {
  const error = new Error(`${name} processing failed; redelivery requested (see the structured log)`);
  error.stack = error.message;
  return error;
}
