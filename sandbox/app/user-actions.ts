/**
 * What a sandbox phone's user does: reply with text, tap a suggestion, share a location. Each becomes a signed
 * callback to the webhook (through the fake RBM's sender), and is kept in the phone's history for the page.
 */
import { randomUUID } from 'node:crypto';
import type { FakeRbm, SuggestionType, UserMessagePayload } from '../fake-rbm/index.js';
import { suggestionReply, userLocation, userText } from '../fake-rbm/index.js';
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

export interface UserActions {
  reply(phone: string, text: string): Promise<SentUserMessage>;
  tapSuggestion(phone: string, tap: SuggestionTap): Promise<SentUserMessage>;
  shareLocation(phone: string, location: { latitude: number; longitude: number }): Promise<SentUserMessage>;
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
    history: () => sent,
  };
}
