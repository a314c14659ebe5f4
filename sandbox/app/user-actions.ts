/**
 * What a sandbox phone's user does: reply with text, tap a suggestion, share a location, tap Unsubscribe or
 * Subscribe. Each becomes signed callbacks to the webhook (through the fake RBM's sender); the user's messages are
 * kept in the phone's history for the page.
 */
import { randomUUID } from 'node:crypto';
import type { FakeRbm, SuggestionType, UserMessagePayload } from '../fake-rbm/index.js';
import {
  subscribeEvent,
  suggestionReply,
  unsubscribeEvent,
  userLocation,
  userText,
} from '../fake-rbm/index.js';
import type { UserContent } from './view-model.js';

export interface SentUserMessage {
  readonly phone: string;
  readonly messageId: string;
  readonly time: string;
  readonly content: UserContent;
  readonly webhookStatus: number;
}

export interface SuggestionTap {
  readonly postbackData: string;
  readonly text?: string;
  readonly type?: SuggestionType;
  /** The agent message the suggestion belongs to: it is read first, as a person must have seen it. */
  readonly agentMessageId?: string;
}

/** The two callbacks of one Unsubscribe or Subscribe tap. */
export interface ConsentTap {
  /** The keyword message the phone sent (STOP or START). */
  readonly keyword: SentUserMessage;
  /** The webhook's answer to RBM's UNSUBSCRIBE or SUBSCRIBE event (0: no answer). */
  readonly eventWebhookStatus: number;
}

export type ConsentChoice = 'unsubscribe' | 'subscribe';

/** What Google Messages sends for the tap: a keyword message, and RBM adds the event, at the same instant. */
const CONSENT_TAPS = {
  unsubscribe: { keyword: 'STOP', event: unsubscribeEvent },
  subscribe: { keyword: 'START', event: subscribeEvent },
} as const satisfies Record<ConsentChoice, unknown>;

export interface UserActions {
  reply(phone: string, text: string): Promise<SentUserMessage>;
  tapSuggestion(phone: string, tap: SuggestionTap): Promise<SentUserMessage>;
  shareLocation(phone: string, location: { latitude: number; longitude: number }): Promise<SentUserMessage>;
  /** The user taps Unsubscribe (`unsubscribe`) or Subscribe (`subscribe`) in the conversation's menu. */
  tapConsent(phone: string, choice: ConsentChoice): Promise<ConsentTap>;
  history(): readonly SentUserMessage[];
}

const MAX_HISTORY = 2_000;

export function userActions(rbm: FakeRbm, agentId: string, onChange: () => void): UserActions {
  const sent: SentUserMessage[] = [];

  const send = async (phone: string, payload: UserMessagePayload, content: UserContent) => {
    const result = await rbm.callback(payload);
    const message: SentUserMessage = {
      phone,
      messageId: payload.messageId ?? randomUUID(),
      time: payload.sendTime,
      content,
      webhookStatus: result.status,
    };
    sent.push(message);
    if (sent.length > MAX_HISTORY) sent.splice(0, sent.length - MAX_HISTORY);
    onChange();
    return message;
  };

  return {
    reply: (phone, text) => send(phone, userText({ phone, agentId, text }), { text }),
    tapSuggestion: async (phone, tap) => {
      const seen = tap.agentMessageId === undefined ? undefined : rbm.message(tap.agentMessageId);
      if (seen && (seen.state === 'pending' || seen.state === 'delivered')) await rbm.read(seen.messageId);
      const payload = suggestionReply({
        phone,
        agentId,
        postbackData: tap.postbackData,
        text: tap.text ?? tap.postbackData,
        type: tap.type ?? 'REPLY',
      });
      if (!('suggestionResponse' in payload)) throw new Error('unreachable: not a suggestion response');
      return send(phone, payload, { suggestionResponse: payload.suggestionResponse });
    },
    shareLocation: (phone, location) => send(phone, userLocation({ phone, agentId, location }), { location }),
    tapConsent: async (phone, choice) => {
      const { keyword, event } = CONSENT_TAPS[choice];
      const sendTime = new Date().toISOString();
      const sent = await send(phone, userText({ phone, agentId, text: keyword, sendTime }), {
        text: keyword,
      });
      const answer = await rbm.callback(event({ phone, agentId, sendTime }));
      onChange();
      return { keyword: sent, eventWebhookStatus: answer.status };
    },
    history: () => sent,
  };
}
