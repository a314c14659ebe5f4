/**
 * What the sandbox API answers (`GET /sandbox/api/state`): the phones and their conversations, agent messages
 * joined with the state the backend recorded in Firestore. The web page (sandbox/web/app.js) renders exactly this.
 */
import type { AutoEvents, MessageState, PhoneOptions, PhoneState } from '../fake-rbm/index.js';

/** A backend document (`agentMessages/{id}`, `consents/{E.164}`) as JSON: Timestamps become RFC 3339 strings. */
export type BackendRecord = Readonly<Record<string, unknown>> & {
  readonly state?: string;
  readonly updatedAt?: string;
};

/** One fact of an agent message's life with its time from the record. */
export interface HistoryEntry {
  /** `state`: the record entered the state named by `label`. */
  readonly kind: 'created' | 'state' | 'revokeFailed' | 'fallback';
  readonly label: string;
  readonly at: string;
}

/** The record's fallback decision: `reason` and `certainty` as published on the fallback topic. */
export interface FallbackBadge {
  readonly reason: string;
  readonly certainty: string;
  readonly decidedAt: string | null;
  /** The message was delivered (or read) after the decision was made. */
  readonly deliveredAfter: boolean;
  /** Whether the message's fallback policy publishes a decision of this certainty. */
  readonly published: boolean;
}

/** What the backend's record says became of an agent message. */
export interface MessageOutcome {
  readonly history: readonly HistoryEntry[];
  readonly fallback: FallbackBadge | null;
  readonly fallbackPolicy: string | null;
  readonly revokeFailed: boolean;
  /** The project's own refusal reason, e.g. `RECIPIENT_UNSUBSCRIBED`. */
  readonly errorReason: string | null;
}

/** `consents/{E.164}`; no document reads as subscribed, with no change time or source. */
export interface ConsentView {
  readonly subscribed: boolean;
  readonly changedAt: string | null;
  /** `EVENT`, `KEYWORD` or `API`. */
  readonly source: string | null;
}

export interface AgentItem {
  readonly from: 'agent';
  readonly messageId: string;
  /** When the fake RBM accepted (or rejected) it. */
  readonly time: string;
  /** The AgentMessage's `contentMessage` as sent. */
  readonly contentMessage: unknown;
  /** What the phone did with it; `rejected` when RBM answered an error (e.g. 404 for an unreachable phone). */
  readonly phoneState: MessageState | 'rejected';
  /** The sandbox dropped its outcome: it is never delivered and no event of it is sent. */
  readonly outcomeDropped: boolean;
  /** The backend's record, or null when there is none (yet), or when Firestore is not connected. */
  readonly backend: BackendRecord | null;
  /** Derived from `backend`; null with it. */
  readonly outcome: MessageOutcome | null;
}

export type UserContent =
  | { readonly text: string }
  | { readonly location: { readonly latitude: number; readonly longitude: number } }
  | {
      readonly suggestionResponse: {
        readonly postbackData: string;
        readonly text?: string;
        readonly type?: string;
      };
    };

export interface UserItem {
  readonly from: 'user';
  readonly messageId: string;
  readonly time: string;
  readonly content: UserContent;
  /** The webhook's answer to the signed callback (0: no answer). */
  readonly webhookStatus: number;
  /** Whether `userMessages/{messageId}` exists (null when Firestore is not connected). */
  readonly stored: boolean | null;
  /** When the agent sent READ for it (RBM's record of the agent event), if it did. */
  readonly readByAgentAt: string | null;
}

export type ConversationItem = AgentItem | UserItem;

/** `drop-outcomes`: every message is accepted and then nothing happens, no delivery and no event. */
export type PhoneMode = 'auto-read' | 'auto-deliver' | 'manual' | 'drop-outcomes';

export interface PhoneView {
  readonly phone: string;
  readonly state: PhoneState;
  readonly mode: PhoneMode;
  /** The features the phone reports to getCapabilities. */
  readonly features: readonly string[];
  /** The agent sent IS_TYPING less than about 20 s ago, and no message since. */
  readonly typing: boolean;
  /** The backend's consent document (null when Firestore is not connected). */
  readonly consent: ConsentView | null;
  readonly conversation: readonly ConversationItem[];
}

export interface SandboxState {
  readonly agentId: string;
  /** Whether agent messages carry the backend's state. */
  readonly backendConnected: boolean;
  /** Every RBM feature, for the capability editors (a phone may also have unknown ones). */
  readonly knownFeatures: readonly string[];
  readonly phones: readonly PhoneView[];
}

/** The page's phone modes as the fake's per-phone options. */
export function phoneOptionsFor(mode: PhoneMode, delayMs: number): PhoneOptions {
  switch (mode) {
    case 'auto-read':
      return { autoDeliver: true, autoEvents: { deliver: true, read: true, delayMs } };
    case 'auto-deliver':
      return { autoDeliver: true, autoEvents: { deliver: true, read: false, delayMs } };
    case 'manual':
      return { autoDeliver: false, autoEvents: null };
    case 'drop-outcomes':
      return { autoDeliver: false, autoEvents: null, dropOutcomes: true };
  }
}

/** The mode a phone is in; `fallback` (the server-wide behaviour) when it has no options of its own. */
export function modeOf(options: PhoneOptions, fallback: AutoEvents | undefined): PhoneMode {
  if (options.dropOutcomes === true) return 'drop-outcomes';
  if (options.autoDeliver === false) return 'manual';
  const events = options.autoEvents === undefined ? fallback : options.autoEvents;
  if (!events || !events.deliver) return 'manual';
  return events.read ? 'auto-read' : 'auto-deliver';
}

export const PHONE_MODES: readonly PhoneMode[] = ['auto-read', 'auto-deliver', 'manual', 'drop-outcomes'];
export const PHONE_STATES: readonly PhoneState[] = ['reachable', 'offline', 'unreachable'];
