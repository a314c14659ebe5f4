/**
 * What a soak run does, decided up front from a seed: phones with a script each (which, with each message's
 * outcome plan, fixes the state it must end in: outcome-expectations.ts), the messages they are sent, the replies
 * they send, and the garbage.
 */
import type { PhoneState } from '../../sandbox/fake-rbm/index.js';
import { planMessageOutcome, withOutcomeFields, type MessageOutcomePlan } from './outcome-plan.js';
import type { PhoneScript } from './phone-script.js';
import { seededRandom } from './util.js';

export type { PhoneScript };

export const INITIAL_PHONE_STATE: Readonly<Record<PhoneScript, PhoneState>> = {
  reachable: 'reachable',
  unreachable: 'unreachable',
  'offline-then-online': 'offline',
  'offline-revoked': 'offline',
  'offline-stays': 'offline',
  'revoke-race': 'offline',
  'ttl-expired': 'offline',
  'ttl-revoke-failed': 'offline',
  'ttl-revoke-failed-delivered': 'offline',
  'outcome-dropped': 'reachable',
  'unsubscribed-event': 'reachable',
  'unsubscribed-keyword': 'reachable',
};

/** In this order, the first phones get one script each, so a small run has them all; the rest are drawn. */
const SCRIPT_WEIGHTS: ReadonlyArray<readonly [PhoneScript, number]> = [
  ['reachable', 0.35],
  ['unreachable', 0.08],
  ['offline-then-online', 0.12],
  ['offline-revoked', 0.08],
  ['offline-stays', 0.05],
  ['revoke-race', 0.06],
  ['ttl-expired', 0.06],
  ['ttl-revoke-failed', 0.05],
  ['ttl-revoke-failed-delivered', 0.05],
  ['outcome-dropped', 0.05],
  ['unsubscribed-event', 0.025],
  ['unsubscribed-keyword', 0.025],
];

export interface PlannedMessage {
  readonly index: number;
  readonly phone: string;
  /** How the caller names the message: an Idempotency-Key header, or its own messageId. */
  readonly id:
    | { readonly kind: 'idempotencyKey'; readonly key: string }
    | { readonly kind: 'messageId'; readonly messageId: string };
  readonly body: Readonly<Record<string, unknown>>;
  /** The caller sends it once more after its final answer (a client-side retry of a success). */
  readonly resend: boolean;
  readonly outcome: MessageOutcomePlan;
}

/** `optOutKeyword`: the user types STOP; sent before the phone's messages, the others after. */
export type UserMessageKind = 'text' | 'location' | 'suggestionReply' | 'suggestionTap' | 'optOutKeyword';

export interface PlannedUserMessage {
  readonly kind: UserMessageKind;
  /** The userMessages document id: the user's message id, or the tap's eventId. */
  readonly id: string;
}

export interface PlannedPhone {
  readonly phone: string;
  readonly script: PhoneScript;
  readonly messages: readonly PlannedMessage[];
  readonly userMessages: readonly PlannedUserMessage[];
}

export type GarbageKind = 'not-json' | 'unknown-shape' | 'foreign-agent' | 'bad-signature';

export interface PlannedGarbage {
  readonly kind: GarbageKind;
  /** A unique marker inside the payload, to recognise its inboundRejects record. */
  readonly nonce: string;
}

export type CreateFault = 'status429' | 'status503' | 'status429RetryAfter' | 'hang';

export interface SoakPlan {
  readonly seed: number;
  readonly phones: readonly PlannedPhone[];
  readonly garbage: readonly PlannedGarbage[];
  /** One entry per planned send: the fault queued at the fake RBM just before it (undefined: none). */
  readonly createFaults: ReadonlyArray<CreateFault | undefined>;
  readonly messageCount: number;
}

export const MESSAGES_PER_PHONE = 4;

function uuidFrom(random: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  let r = random();
  for (const [value, weight] of weighted) {
    if (r < weight) return value;
    r -= weight;
  }
  const last = weighted[weighted.length - 1];
  if (last === undefined) throw new Error('nothing to pick from');
  return last[0];
}

function messageBody(index: number, random: () => number): Record<string, unknown> {
  const suggestions = [{ reply: { text: 'Yes', postbackData: `yes-${index}` } }];
  if (random() < 0.7) {
    return {
      contentMessage: { text: `Soak message ${index}: your parcel is on its way.`, suggestions },
      messageTrafficType: 'TRANSACTION',
    };
  }
  return {
    contentMessage: {
      richCard: {
        standaloneCard: {
          cardOrientation: 'VERTICAL',
          cardContent: { title: `Order ${index}`, description: 'Shipped today.', suggestions },
        },
      },
    },
  };
}

/** A run with `messageCount` agent messages over ceil(messageCount / 4) phones. */
export function planSoak(messageCount: number, seed: number, runId: string): SoakPlan {
  const random = seededRandom(seed);
  // A source of its own, so the outcome plan leaves the rest of the plan as it was.
  const outcomeRandom = seededRandom(seed ^ 0x5bd1e995);
  const phoneCount = Math.ceil(messageCount / MESSAGES_PER_PHONE);
  const phones: PlannedPhone[] = [];
  let index = 0;
  for (let p = 0; p < phoneCount; p++) {
    // +1 555 02x xxxx: the fictional range, distinct from the tests' +1 555 010x.
    const phone = `+1555${String(2_000_000 + p).padStart(7, '0')}`;
    const script = SCRIPT_WEIGHTS[p]?.[0] ?? pick(random, SCRIPT_WEIGHTS);
    const messages: PlannedMessage[] = [];
    for (let m = 0; m < MESSAGES_PER_PHONE && index < messageCount; m++, index++) {
      const outcome = planMessageOutcome(outcomeRandom, script, { runId, index, phoneIndex: p, ordinal: m });
      messages.push({
        index,
        phone,
        id:
          random() < 0.7
            ? { kind: 'idempotencyKey', key: `soak-${runId}-${index}` }
            : { kind: 'messageId', messageId: uuidFrom(random) },
        body: withOutcomeFields(messageBody(index, random), outcome),
        resend: random() < 0.1,
        outcome,
      });
    }
    const userMessages: PlannedUserMessage[] = [];
    if (script === 'unsubscribed-keyword') userMessages.push({ kind: 'optOutKeyword', id: uuidFrom(random) });
    if (script === 'reachable') {
      const kinds: UserMessageKind[] = ['text', 'location', 'suggestionReply', 'suggestionTap'];
      const count = 1 + Math.floor(random() * 2);
      for (let u = 0; u < count; u++) {
        userMessages.push({
          kind: kinds[Math.floor(random() * kinds.length)] ?? 'text',
          id: uuidFrom(random),
        });
      }
    }
    phones.push({ phone, script, messages, userMessages });
  }
  const garbageKinds: GarbageKind[] = ['not-json', 'unknown-shape', 'foreign-agent', 'bad-signature'];
  const garbageCount = Math.max(garbageKinds.length, Math.round(messageCount / 100));
  const garbage = Array.from({ length: garbageCount }, (_, g) => ({
    kind: garbageKinds[g % garbageKinds.length] ?? 'not-json',
    nonce: `soak-garbage-${runId}-${String(g).padStart(6, '0')}`,
  }));
  const createFaults = Array.from({ length: messageCount }, () =>
    pick<CreateFault | undefined>(random, [
      ['status429', 0.1],
      ['status503', 0.08],
      ['status429RetryAfter', 0.02],
      ['hang', 0.03],
      [undefined, 0.77],
    ]),
  );
  return { seed, phones, garbage, createFaults, messageCount };
}
