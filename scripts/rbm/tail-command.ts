/** `rbm tail [user-messages|status|fallback|consents]`: each event published to the topic from now on. */
import {
  consentLine,
  fallbackLine,
  statusLine,
  userMessageLine,
} from '../../devtools/clients/event-lines.js';
import { stackEnv } from '../../devtools/clients/stack-env.js';
import { isTailTopic, tailTopic, topicName, type TailTopic } from '../../devtools/clients/topic-tail.js';
import { UsageError, untilStopped, type ParsedArgs } from './cli.js';

const LINES: Readonly<Record<TailTopic, (event: unknown) => string>> = {
  'user-messages': userMessageLine,
  status: statusLine,
  fallback: fallbackLine,
  consents: consentLine,
};

export async function tail(args: ParsedArgs): Promise<number> {
  const which = args.positional[1] ?? 'user-messages';
  if (!isTailTopic(which))
    throw new UsageError(`tail follows user-messages, status, fallback or consents, not ${which}`);
  const env = stackEnv(['PUBSUB_EMULATOR_HOST', 'GOOGLE_CLOUD_PROJECT']);
  const topic = topicName(which);
  const line = LINES[which];
  const tailer = await tailTopic({
    pubsubHost: env.PUBSUB_EMULATOR_HOST,
    projectId: env.GOOGLE_CLOUD_PROJECT,
    topic,
    onMessage: ({ json }) => console.log(line(json)),
    onError: (error) => console.error(`subscription error: ${error.message}`),
  });
  console.log(`Waiting for events on ${topic} (Ctrl-C to stop)…`);
  await untilStopped();
  await tailer.close();
  return 0;
}
