/**
 * `npm run rbm -- <command>`: the common moves against a running local stack (`npm start`), configured by the
 * `export …` lines it prints. USAGE below lists the commands; the query, conversation and tail commands live in
 * scripts/rbm/. dead-letters works against a project too (docs/operations.md).
 */
import { emulatorFirestore } from '../devtools/emulator-clients.js';
import { messageIdOf, revokeAgentMessage, sendAgentMessage } from '../devtools/clients/functions-client.js';
import type { FallbackPolicy } from '../devtools/clients/functions-client.js';
import { agentMessageRecord, printable } from '../devtools/clients/records.js';
import { MissingStackEnvError, routesUrl, stackEnv } from '../devtools/clients/stack-env.js';
import { deadLetterClients } from '../devtools/clients/dead-letter-clients.js';
import { formatList, listDeadLetters, replayDeadLetters } from '../devtools/dead-letters.js';
import {
  agentMessageFrom,
  parseArgs,
  positiveInteger,
  printAnswer,
  UsageError,
  type ParsedArgs,
} from './rbm/cli.js';
import { capabilities, list, read, status, typing, upload } from './rbm/query-commands.js';
import { tail } from './rbm/tail-command.js';
import { campaign, CAMPAIGN_USAGE } from './rbm/campaign-command.js';

const USAGE = `Usage: npm run rbm -- <command>

  send <phone> <text…>                 send a text message
  send <phone> --json <file|inline>    send an AgentMessage (a bare contentMessage is wrapped)
       [--idempotency-key KEY] [--message-id UUID]
       [--fallback-policy none|safe|critical] [--correlation-id ID]
  revoke <phone> <messageId>           revoke a message
  show <messageId>                     print the message's Firestore record
  status <messageId> [--phone P]       the message's record from the query API (messages function)
  list <phone> [--state S]             the phone's agent messages, newest first
       [--page-size N] [--page-token T]
  read <userMessageId> [--phone P]     the agent reads the user's message (READ, events function)
  typing <phone>                       the agent is typing (IS_TYPING)
  capabilities <phone> [--fresh]       what the phone supports (cached; --fresh asks RBM again)
  upload <url> [--thumbnail URL]       create an RBM file from a URL (files function), once per URL
  tail [user-messages]                 each new user message (topic rbm-user-messages)
  tail status|fallback|consents        each status event, fallback decision or consent change
${CAMPAIGN_USAGE}
  dead-letters list [--max N]          what rbm-inbound-dead-letter-hold holds (nothing is acknowledged)
  dead-letters replay [--max N]        republish held messages to rbm-inbound, acknowledging each after
       [--prefix P]                    Terraform's name_prefix, when the deployment uses one

The stack's URLs come from the environment: run \`npm start\` and paste the export lines it prints.
status and read take the phone from the local Firestore when --phone is not given. Phone numbers in
the output are masked to their last four digits.
dead-letters needs only GOOGLE_CLOUD_PROJECT: with the emulator variables it works on the local stack,
without them on the project, with Application Default Credentials.`;

function fallbackPolicyFrom(value: string | undefined): FallbackPolicy | undefined {
  if (value === undefined) return undefined;
  const policy = value.toLowerCase();
  if (policy !== 'none' && policy !== 'safe' && policy !== 'critical') {
    throw new UsageError('--fallback-policy must be none, safe or critical');
  }
  return policy;
}

async function send(args: ParsedArgs): Promise<number> {
  const [, phone, ...words] = args.positional;
  const json = args.flags.get('json');
  if (phone === undefined || (json === undefined && words.length === 0)) {
    throw new UsageError('send needs a phone and a text, or --json');
  }
  const sendUrl = routesUrl('RBM_SEND_URL');
  const idempotencyKey = args.flags.get('idempotency-key');
  const messageId = args.flags.get('message-id');
  const fallbackPolicy = fallbackPolicyFrom(args.flags.get('fallback-policy'));
  const correlationId = args.flags.get('correlation-id');
  const answer = await sendAgentMessage({
    sendUrl,
    phone,
    agentMessage:
      json === undefined ? { contentMessage: { text: words.join(' ') } } : await agentMessageFrom(json),
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(messageId === undefined ? {} : { messageId }),
    ...(fallbackPolicy === undefined ? {} : { fallbackPolicy }),
    ...(correlationId === undefined ? {} : { correlationId }),
  });
  printAnswer(answer);
  const id = messageIdOf(answer);
  if (id !== undefined) console.log(`\nmessage id: ${id}\nfollow it with: npm run rbm -- show ${id}`);
  return answer.status === 200 ? 0 : 1;
}

async function revoke(args: ParsedArgs): Promise<number> {
  const [, phone, messageId] = args.positional;
  if (phone === undefined || messageId === undefined)
    throw new UsageError('revoke needs a phone and a message id');
  const answer = await revokeAgentMessage(routesUrl('RBM_REVOKE_URL'), phone, messageId);
  printAnswer(answer);
  return answer.status === 200 ? 0 : 1;
}

async function show(args: ParsedArgs): Promise<number> {
  const [, messageId] = args.positional;
  if (messageId === undefined) throw new UsageError('show needs a message id');
  const env = stackEnv(['FIRESTORE_EMULATOR_HOST', 'GOOGLE_CLOUD_PROJECT']);
  const db = emulatorFirestore(env.GOOGLE_CLOUD_PROJECT, env.FIRESTORE_EMULATOR_HOST);
  try {
    const record = await agentMessageRecord(db, messageId);
    if (record === undefined) {
      console.error(`no record agentMessages/${messageId}`);
      return 1;
    }
    console.log(JSON.stringify(printable(record), null, 2));
    return 0;
  } finally {
    await db.terminate();
  }
}

async function deadLetters(args: ParsedArgs): Promise<number> {
  const action = args.positional[1];
  if (action !== 'list' && action !== 'replay') throw new UsageError('dead-letters needs list or replay');
  const projectId = process.env.GOOGLE_CLOUD_PROJECT;
  if (!projectId) throw new UsageError('dead-letters needs GOOGLE_CLOUD_PROJECT (the project id)');
  const clients = deadLetterClients({
    projectId,
    namePrefix: args.flags.get('prefix') ?? '',
    pubsubEmulatorHost: process.env.PUBSUB_EMULATOR_HOST,
    firestoreEmulatorHost: process.env.FIRESTORE_EMULATOR_HOST,
  });
  try {
    if (action === 'list') {
      const max = positiveInteger('max', args.flags.get('max'), 100);
      const result = await listDeadLetters({ hold: clients.hold, rejectReasons: clients.rejectReasons, max });
      for (const line of formatList(result, clients.subscriptionName)) console.log(line);
      return 0;
    }
    const max = positiveInteger('max', args.flags.get('max'), Number.MAX_SAFE_INTEGER);
    const result = await replayDeadLetters({
      hold: clients.hold,
      republish: clients.republish,
      max,
      onReplayed: ({ heldMessageId, republishedId }) =>
        console.log(`replayed ${heldMessageId} → ${clients.topicName} as ${republishedId}`),
    });
    console.log(`${result.replayed.length} message(s) replayed to ${clients.topicName}.`);
    if (result.failure === undefined) return 0;
    console.error(
      `republishing ${result.failure.heldMessageId} failed (${result.failure.error}); it and the rest stay held.`,
    );
    return 1;
  } finally {
    await clients.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.positional[0]) {
    case 'send':
      return send(args);
    case 'revoke':
      return revoke(args);
    case 'show':
      return show(args);
    case 'status':
      return status(args);
    case 'list':
      return list(args);
    case 'read':
      return read(args);
    case 'typing':
      return typing(args);
    case 'capabilities':
      return capabilities(args);
    case 'upload':
      return upload(args);
    case 'tail':
      return tail(args);
    case 'campaign':
      return campaign(args);
    case 'dead-letters':
      return deadLetters(args);
    case undefined:
    case 'help':
      console.log(USAGE);
      return args.positional[0] === 'help' ? 0 : 2;
    default:
      throw new UsageError(`unknown command ${args.positional[0]}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
    else if (error instanceof MissingStackEnvError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
