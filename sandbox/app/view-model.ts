/**
 * What the sandbox API answers (`GET /sandbox/api/state`): the phones and their conversations, agent messages
 * joined with the state the backend recorded in Firestore. The web page (sandbox/web/app.js) renders exactly this.
 */
import type { AutoEvents, MessageState, PhoneOptions, PhoneState } from '../fake-rbm/index.js';

/** The record `agentMessages/{id}` as JSON: Firestore Timestamps become RFC 3339 strings. */
export type BackendRecord = Readonly<Record<string, unknown>> & {
  readonly state?: string;
  readonly updatedAt?: string;
};

export interface AgentItem {
  readonly from: 'agent';
  readonly messageId: string;
  /** When the fake RBM accepted (or rejected) it. */
  readonly time: string;
  /** The AgentMessage's `contentMessage` as sent. */
  readonly contentMessage: unknown;
  /** What the phone did with it; `rejected` when RBM answered an error (e.g. 404 for an unreachable phone). */
  readonly phoneState: MessageState | 'rejected';
  /** The backend's record, or null when there is none (yet), or when Firestore is not connected. */
  readonly backend: BackendRecord | null;
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
}

export type ConversationItem = AgentItem | UserItem;

export type PhoneMode = 'auto-read' | 'auto-deliver' | 'manual';

export interface PhoneView {
  readonly phone: string;
  readonly state: PhoneState;
  readonly mode: PhoneMode;
  readonly conversation: readonly ConversationItem[];
}

export interface SandboxState {
  readonly agentId: string;
  /** Whether agent messages carry the backend's state. */
  readonly backendConnected: boolean;
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
  }
}

/** The mode a phone is in; `fallback` (the server-wide behaviour) when it has no options of its own. */
export function modeOf(options: PhoneOptions, fallback: AutoEvents | undefined): PhoneMode {
  if (options.autoDeliver === false) return 'manual';
  const events = options.autoEvents === undefined ? fallback : options.autoEvents;
  if (!events || !events.deliver) return 'manual';
  return events.read ? 'auto-read' : 'auto-deliver';
}

export const PHONE_MODES: readonly PhoneMode[] = ['auto-read', 'auto-deliver', 'manual'];
export const PHONE_STATES: readonly PhoneState[] = ['reachable', 'offline', 'unreachable'];
