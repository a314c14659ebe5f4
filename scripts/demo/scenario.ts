/**
 * The demo's conversation against a running stack: a rich card with chips to a sandbox phone that delivers,
 * reads and taps a chip; a message queued for an offline phone and revoked; an OTP that expires there, with the
 * published fallback decision; a PROMOTION refused after the user unsubscribed (outcomes.ts). Each step checks
 * the state the backend recorded in Firestore; the run passes only if every step ended as expected.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { emulatorFirestore } from '../../devtools/emulator-clients.js';
import { revokeAgentMessage, sendAgentMessage } from '../../devtools/clients/functions-client.js';
import { agentMessageRecord, userMessageRecord, watchTransitions } from '../../devtools/clients/records.js';
import type { RecordJson, Transition } from '../../devtools/clients/records.js';
import { sandboxClient } from '../../devtools/clients/sandbox-client.js';
import { maskPhone } from '../../devtools/clients/stack-env.js';
import { otpExpiry, unsubscribedPromotion, type OutcomeEndpoints, type StepContext } from './outcomes.js';

export interface DemoEndpoints extends OutcomeEndpoints {
  readonly sendUrl: string;
  readonly revokeUrl: string;
  readonly sandboxUrl: string;
  readonly firestoreHost: string;
  readonly projectId: string;
}

export interface DemoOptions {
  /** The phone that gets the card (reachable, auto deliver + read). Default +15550100101. */
  readonly cardPhone?: string;
  /** The phone that is offline while a message is revoked and an OTP expires. Default +15550100102. */
  readonly offlinePhone?: string;
  /** The phone that unsubscribes. Default +15550100103. */
  readonly unsubscribingPhone?: string;
  /** Per-step deadline. Default 30 s. */
  readonly stepTimeoutMs?: number;
  /** Receives each output line. */
  readonly print?: (line: string) => void;
}

export interface DemoStep {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface DemoResult {
  readonly ok: boolean;
  readonly steps: readonly DemoStep[];
  readonly cardMessageId: string;
  readonly revokedMessageId: string;
  readonly suggestionMessageId: string | undefined;
  /** The OTP that expired. */
  readonly otpMessageId: string;
  /** The PROMOTION refused for the unsubscribed phone. */
  readonly refusedMessageId: string;
}

const CHIP = { text: 'Track it', postbackData: 'track-parcel' } as const;

export function demoCard(mediaBaseUrl: string): unknown {
  return {
    contentMessage: {
      richCard: {
        standaloneCard: {
          cardOrientation: 'VERTICAL',
          cardContent: {
            title: 'Your parcel is on its way',
            description: 'Arriving Thursday between 9:00 and 12:00.',
            media: {
              height: 'MEDIUM',
              contentInfo: { fileUrl: `${mediaBaseUrl}/sandbox/media/parcel.svg` },
            },
            suggestions: [
              { reply: CHIP },
              {
                action: {
                  text: 'Call us',
                  postbackData: 'call-support',
                  dialAction: { phoneNumber: '+15550100999' },
                },
              },
            ],
          },
        },
      },
      suggestions: [{ reply: { text: 'Change day', postbackData: 'change-day' } }],
    },
    messageTrafficType: 'TRANSACTION',
  };
}

function time(date: Date): string {
  return date.toISOString().slice(11, 23);
}

const TIMELINE_FIELDS = [
  ['createdAt', 'created'],
  ['sentAt', 'SENT'],
  ['deliveredAt', 'DELIVERED'],
  ['readAt', 'READ'],
  ['revokedAt', 'REVOKED'],
  ['expiredAt', 'EXPIRED'],
  ['failedAt', 'FAILED'],
] as const;

/** The record's own timestamps, in order: `created 10:00:00.100 → SENT 10:00:00.200 → …`. */
function timeline(record: RecordJson | undefined): string {
  const facts = TIMELINE_FIELDS.flatMap(([field, label]) => {
    const at = record?.[field];
    return typeof at === 'string' ? [{ label, at }] : [];
  }).sort((a, b) => a.at.localeCompare(b.at));
  return facts.map(({ label, at }) => `${label} ${at.slice(11, 23)}`).join(' → ') || '(no record)';
}

function transitionLine(messageId: string, transition: Transition): string {
  const recorded =
    transition.recordedAt === undefined ? '' : ` (recorded ${transition.recordedAt.slice(11, 23)})`;
  return `    ${time(transition.seenAt)}  ${messageId.slice(0, 8)}  ${transition.state}${recorded}`;
}

export async function runDemo(endpoints: DemoEndpoints, options: DemoOptions = {}): Promise<DemoResult> {
  const print = options.print ?? (() => undefined);
  const cardPhone = options.cardPhone ?? '+15550100101';
  const offlinePhone = options.offlinePhone ?? '+15550100102';
  const timeoutMs = options.stepTimeoutMs ?? 30_000;
  const sandbox = sandboxClient(endpoints.sandboxUrl);
  const db: Firestore = emulatorFirestore(endpoints.projectId, endpoints.firestoreHost);
  const steps: DemoStep[] = [];
  const step = (name: string, ok: boolean, detail: string): boolean => {
    steps.push({ name, ok, detail });
    print(`  ${ok ? '✔' : '✘'} ${name}: ${detail}`);
    return ok;
  };
  const cardMessageId = randomUUID();
  const revokedMessageId = randomUUID();
  let suggestionMessageId: string | undefined;

  try {
    print(`Sandbox page: ${endpoints.sandboxUrl}/sandbox/`);
    await sandbox.configurePhone(cardPhone, { state: 'reachable', mode: 'auto-read', delayMs: 400 });
    await sandbox.configurePhone(offlinePhone, { state: 'offline', mode: 'auto-read', delayMs: 400 });

    print(
      `\n1. A rich card with chips to phone ${maskPhone(cardPhone)} (online; delivers and reads on its own)`,
    );
    const sent = await sendAgentMessage({
      sendUrl: endpoints.sendUrl,
      phone: cardPhone,
      messageId: cardMessageId,
      agentMessage: demoCard(endpoints.sandboxUrl),
    });
    if (step('send the card', sent.status === 200, `HTTP ${sent.status}, message ${cardMessageId}`)) {
      const watched = await watchTransitions(db, cardMessageId, {
        until: ['READ'],
        timeoutMs,
        onTransition: (transition) => print(transitionLine(cardMessageId, transition)),
      });
      // DELIVERED and READ can arrive in either order: READ may come first and DELIVERED fill in deliveredAt later.
      const record = watched.reached
        ? await pollRecord(async () => {
            const current = await agentMessageRecord(db, cardMessageId);
            return current?.deliveredAt === undefined ? undefined : current;
          }, timeoutMs)
        : watched.record;
      print(`    recorded timeline: ${timeline(record)}`);
      step(
        'the card is delivered and READ',
        record?.state === 'READ' && record.deliveredAt !== undefined,
        `state ${String(record?.state)}`,
      );

      print(`\n2. The user taps the chip "${CHIP.text}"`);
      const tap = await sandbox.tapSuggestion(cardPhone, {
        ...CHIP,
        type: 'REPLY',
        agentMessageId: cardMessageId,
      });
      suggestionMessageId = tap.messageId;
      step('the webhook accepts the tap', tap.webhookStatus === 200, `HTTP ${tap.webhookStatus}`);
      const stored = await pollRecord(() => userMessageRecord(db, tap.messageId), timeoutMs);
      const response = stored?.suggestionResponse as { postbackData?: string } | undefined;
      step(
        'userMessages has the suggestion response',
        stored?.kind === 'suggestionResponse' && response?.postbackData === CHIP.postbackData,
        stored
          ? `userMessages/${tap.messageId}: ${String(stored.kind)} "${String(response?.postbackData)}"`
          : 'no document',
      );
    }

    print(`\n3. A message to phone ${maskPhone(offlinePhone)} (offline: it queues), then revoked`);
    const queued = await sendAgentMessage({
      sendUrl: endpoints.sendUrl,
      phone: offlinePhone,
      messageId: revokedMessageId,
      agentMessage: { contentMessage: { text: 'Your driver is 5 minutes away.' } },
    });
    if (
      step(
        'send to the offline phone',
        queued.status === 200,
        `HTTP ${queued.status}, message ${revokedMessageId}`,
      )
    ) {
      const onTransition = (transition: Transition) => print(transitionLine(revokedMessageId, transition));
      const seen = await watchTransitions(db, revokedMessageId, { until: ['SENT'], timeoutMs, onTransition });
      const revoked = await revokeAgentMessage(endpoints.revokeUrl, offlinePhone, revokedMessageId);
      step('revoke', revoked.status === 200, `HTTP ${revoked.status}`);
      const after = await watchTransitions(db, revokedMessageId, {
        until: ['REVOKED'],
        timeoutMs,
        onTransition: (transition) => {
          if (transition.state !== seen.transitions.at(-1)?.state) onTransition(transition);
        },
      });
      print(`    recorded timeline: ${timeline(after.record)}`);
      await sandbox.configurePhone(offlinePhone, { state: 'reachable' });
      const onPhone = await sandbox.phoneState(revokedMessageId);
      step(
        'the message is REVOKED and never reaches the phone',
        after.reached && onPhone === 'revoked',
        `state ${String(after.record?.state)}; after going online the phone shows it as ${String(onPhone)}`,
      );
      await sandbox.configurePhone(offlinePhone, { state: 'offline' });
    }
    const context: StepContext = { endpoints, sandbox, db, timeoutMs, print, step, transitionLine };
    const otpMessageId = await otpExpiry(context, offlinePhone);
    const refusedMessageId = await unsubscribedPromotion(
      context,
      options.unsubscribingPhone ?? '+15550100103',
    );
    const ok = steps.every((s) => s.ok);
    print(
      `\n${ok ? 'Demo passed' : 'Demo FAILED'}: ${steps.filter((s) => s.ok).length}/${steps.length} steps as expected.`,
    );
    return {
      ok,
      steps,
      cardMessageId,
      revokedMessageId,
      suggestionMessageId,
      otpMessageId,
      refusedMessageId,
    };
  } finally {
    await db.terminate();
  }
}

async function pollRecord(
  read: () => Promise<RecordJson | undefined>,
  timeoutMs: number,
): Promise<RecordJson | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await read();
    if (record !== undefined || Date.now() >= deadline) return record;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
