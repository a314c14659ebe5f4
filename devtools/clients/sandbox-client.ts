/** The sandbox's HTTP API (sandbox/app/routes.ts), for scripts running outside the stack's process. */
import type { PhoneState, SuggestionType } from '../../sandbox/fake-rbm/index.js';
import type { PhoneMode } from '../../sandbox/app/view-model.js';

export interface SandboxClient {
  configurePhone(
    phone: string,
    settings: { state?: PhoneState; mode?: PhoneMode; delayMs?: number },
  ): Promise<void>;
  /** Taps a suggestion as the phone's user; resolves with the user message id sent to the webhook. */
  tapSuggestion(
    phone: string,
    tap: { postbackData: string; text?: string; type?: SuggestionType; agentMessageId?: string },
  ): Promise<{ messageId: string; webhookStatus: number }>;
  reply(phone: string, text: string): Promise<{ messageId: string; webhookStatus: number }>;
  /** The phone's view of an agent message (`pending`, `queued`, `delivered`, `read`, `revoked`, …). */
  phoneState(messageId: string): Promise<string | null>;
  /** The message's TTL passes: RBM revokes it (TTL_EXPIRATION_REVOKED), or with `revokeFails` cannot
   * (TTL_EXPIRATION_REVOKE_FAILED). */
  expire(messageId: string, options?: { revokeFails?: boolean }): Promise<void>;
  /** The user taps Unsubscribe or Subscribe: the keyword message and RBM's event, with the webhook's answers. */
  tapConsent(
    phone: string,
    choice: 'unsubscribe' | 'subscribe',
  ): Promise<{ keywordWebhookStatus: number; eventWebhookStatus: number }>;
}

export function sandboxClient(sandboxUrl: string): SandboxClient {
  const api = `${sandboxUrl.replace(/\/+$/, '')}/sandbox/api`;
  const request = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${api}${path}`, {
      method,
      ...(method === 'POST'
        ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) }
        : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const json = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) {
      const message = (json as { error?: { message?: string } } | undefined)?.error?.message;
      throw new Error(`sandbox ${method} ${path}: ${response.status} ${message ?? ''}`.trim());
    }
    return json;
  };
  const phonePath = (phone: string): string => `/phones/${encodeURIComponent(phone)}`;
  const sent = (json: unknown) => json as { messageId: string; webhookStatus: number };
  return {
    configurePhone: async (phone, settings) => {
      await request('POST', '/phones', { phone, ...settings });
    },
    tapSuggestion: async (phone, tap) => sent(await request('POST', `${phonePath(phone)}/suggestion`, tap)),
    reply: async (phone, text) => sent(await request('POST', `${phonePath(phone)}/reply`, { text })),
    expire: async (messageId, options) => {
      const action = options?.revokeFails ? 'expire-revoke-fails' : 'expire';
      await request('POST', `/agentMessages/${encodeURIComponent(messageId)}/${action}`);
    },
    tapConsent: async (phone, choice) => {
      const tap = (await request('POST', `${phonePath(phone)}/${choice}`)) as {
        keyword: { webhookStatus: number };
        eventWebhookStatus: number;
      };
      return { keywordWebhookStatus: tap.keyword.webhookStatus, eventWebhookStatus: tap.eventWebhookStatus };
    },
    phoneState: async (messageId) =>
      (
        (await request('GET', `/agentMessages/${encodeURIComponent(messageId)}`)) as {
          phoneState: string | null;
        }
      ).phoneState,
  };
}
