/**
 * The commands that call the query and conversation functions over HTTP: status, list, read, typing,
 * capabilities and upload. `status` and `read` find the phone in the local Firestore when --phone is not given.
 */
import { emulatorFirestore } from '../../devtools/emulator-clients.js';
import { getCapabilities, sendAgentEvent, uploadFile } from '../../devtools/clients/conversation-client.js';
import { recordLine } from '../../devtools/clients/event-lines.js';
import { getAgentMessage, listAgentMessages } from '../../devtools/clients/query-client.js';
import { agentMessageRecord, userMessageRecord } from '../../devtools/clients/records.js';
import { routesUrl, stackEnv } from '../../devtools/clients/stack-env.js';
import { UsageError, positiveInteger, printAnswer, succeeded, type ParsedArgs } from './cli.js';

/** The phone a stored agent or user message belongs to, read from the stack's Firestore. */
async function phoneOf(kind: 'agent' | 'user', messageId: string): Promise<string> {
  const env = stackEnv(['FIRESTORE_EMULATOR_HOST', 'GOOGLE_CLOUD_PROJECT']);
  const db = emulatorFirestore(env.GOOGLE_CLOUD_PROJECT, env.FIRESTORE_EMULATOR_HOST);
  try {
    const record =
      kind === 'agent' ? await agentMessageRecord(db, messageId) : await userMessageRecord(db, messageId);
    const phone = record?.phoneNumber;
    if (typeof phone !== 'string') {
      const collection = kind === 'agent' ? 'agentMessages' : 'userMessages';
      throw new UsageError(`no ${collection}/${messageId} to take the phone from: give it with --phone`);
    }
    return phone;
  } finally {
    await db.terminate();
  }
}

function requiredPositional(args: ParsedArgs, index: number, what: string): string {
  const value = args.positional[index];
  if (value === undefined) throw new UsageError(`${args.positional[0] ?? 'the command'} needs ${what}`);
  return value;
}

export async function status(args: ParsedArgs): Promise<number> {
  const messageId = requiredPositional(args, 1, 'a message id');
  const phone = args.flags.get('phone') ?? (await phoneOf('agent', messageId));
  const answer = await getAgentMessage(routesUrl('RBM_MESSAGES_URL'), phone, messageId);
  printAnswer(answer);
  return succeeded(answer);
}

export async function list(args: ParsedArgs): Promise<number> {
  const phone = requiredPositional(args, 1, 'a phone number');
  const state = args.flags.get('state');
  const pageToken = args.flags.get('page-token');
  const answer = await listAgentMessages(routesUrl('RBM_MESSAGES_URL'), phone, {
    ...(state === undefined ? {} : { state: state.toUpperCase() }),
    pageSize: positiveInteger('page-size', args.flags.get('page-size'), 50),
    ...(pageToken === undefined ? {} : { pageToken }),
  });
  if (answer.status !== 200) {
    printAnswer(answer);
    return 1;
  }
  const page = answer.json as { agentMessages?: unknown[]; nextPageToken?: string } | undefined;
  const records = page?.agentMessages ?? [];
  for (const record of records) console.log(recordLine(record));
  if (records.length === 0) console.log('no agent messages');
  if (page?.nextPageToken) console.log(`more: --page-token ${page.nextPageToken}`);
  return 0;
}

export async function read(args: ParsedArgs): Promise<number> {
  const messageId = requiredPositional(args, 1, "the user's message id");
  const phone = args.flags.get('phone') ?? (await phoneOf('user', messageId));
  const answer = await sendAgentEvent(routesUrl('RBM_EVENTS_URL'), phone, { eventType: 'READ', messageId });
  printAnswer(answer);
  return succeeded(answer);
}

export async function typing(args: ParsedArgs): Promise<number> {
  const phone = requiredPositional(args, 1, 'a phone number');
  const answer = await sendAgentEvent(routesUrl('RBM_EVENTS_URL'), phone, { eventType: 'IS_TYPING' });
  printAnswer(answer);
  return succeeded(answer);
}

export async function capabilities(args: ParsedArgs): Promise<number> {
  const phone = requiredPositional(args, 1, 'a phone number');
  const answer = await getCapabilities(routesUrl('RBM_CAPABILITIES_URL'), phone, {
    fresh: args.switches.has('fresh'),
  });
  printAnswer(answer);
  return succeeded(answer);
}

export async function upload(args: ParsedArgs): Promise<number> {
  const fileUrl = requiredPositional(args, 1, 'a file URL');
  const thumbnailUrl = args.flags.get('thumbnail');
  const answer = await uploadFile(routesUrl('RBM_FILES_URL'), {
    fileUrl,
    ...(thumbnailUrl ? { thumbnailUrl } : {}),
  });
  printAnswer(answer);
  const name = (answer.json as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string')
    console.log(`\nsend it with: {"contentMessage": {"uploadedRbmFile": {"fileName": "${name}"}}}`);
  return succeeded(answer);
}
