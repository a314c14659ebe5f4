/**
 * The soak's callers: a client of `send` and `revoke` that retries 503s and network errors with the same
 * message id or Idempotency-Key (as the contract tells callers to), the user's replies through the fake RBM's
 * webhook side, and the garbage injected on purpose.
 */
import {
  inboundAgentId,
  sign,
  SIGNATURE_HEADER,
  suggestionActionTap,
  suggestionReply,
  userLocation,
  userText,
  webhookEnvelope,
  type FakeRbm,
  type UserMessagePayload,
} from '../../sandbox/fake-rbm/index.js';
import { outcomeHeaders } from './outcome-plan.js';
import type { PlannedGarbage, PlannedMessage, PlannedUserMessage } from './plan.js';
import { wait } from './util.js';

const REQUEST_TIMEOUT_MS = 30_000;
const CLIENT_ATTEMPTS = 30;

export interface HttpAttempt {
  /** 0 when the request failed without an answer. */
  readonly status: number;
  /** The `Rbm-Message-Id` response header. */
  readonly messageId: string | undefined;
  readonly replayed: boolean;
  readonly ms: number;
}

export interface SendOutcome {
  readonly message: PlannedMessage;
  readonly attempts: readonly HttpAttempt[];
  /** The first 200/404 (or other final) answer; undefined when the caller gave up. */
  readonly final: HttpAttempt | undefined;
  /** The answer to the repeated request, for messages planned with `resend`. */
  readonly resend: HttpAttempt | undefined;
}

async function timed(url: string, init: RequestInit): Promise<HttpAttempt> {
  const started = performance.now();
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.arrayBuffer();
    return {
      status: response.status,
      messageId: response.headers.get('rbm-message-id') ?? undefined,
      replayed: response.headers.get('idempotent-replayed') === 'true',
      ms: performance.now() - started,
    };
  } catch {
    return { status: 0, messageId: undefined, replayed: false, ms: performance.now() - started };
  }
}

const retryable = (status: number): boolean => status === 0 || status === 503 || status >= 500;

/** Repeats the request while the answer is retryable; returns every attempt and the final one. */
async function withClientRetries(
  attemptOnce: () => Promise<HttpAttempt>,
): Promise<{ attempts: HttpAttempt[]; final: HttpAttempt | undefined }> {
  const attempts: HttpAttempt[] = [];
  for (let attempt = 0; attempt < CLIENT_ATTEMPTS; attempt++) {
    const result = await attemptOnce();
    attempts.push(result);
    if (!retryable(result.status)) return { attempts, final: result };
    await wait(Math.min(2_000, 100 * 2 ** attempt) * (0.5 + Math.random() / 2)); // client backoff, not sync
  }
  return { attempts, final: undefined };
}

export function sendRequest(sendUrl: string, message: PlannedMessage): () => Promise<HttpAttempt> {
  const query = message.id.kind === 'messageId' ? `?messageId=${message.id.messageId}` : '';
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...outcomeHeaders(message.outcome),
  };
  if (message.id.kind === 'idempotencyKey') headers['idempotency-key'] = message.id.key;
  const url = `${sendUrl}/v1/phones/${encodeURIComponent(message.phone)}/agentMessages${query}`;
  const body = JSON.stringify(message.body);
  return () => timed(url, { method: 'POST', headers, body });
}

export async function sendMessage(sendUrl: string, message: PlannedMessage): Promise<SendOutcome> {
  const once = sendRequest(sendUrl, message);
  const { attempts, final } = await withClientRetries(once);
  let resend: HttpAttempt | undefined;
  if (final && message.resend) resend = (await withClientRetries(once)).final;
  return { message, attempts, final, resend };
}

export async function revokeMessage(
  revokeUrl: string,
  phone: string,
  messageId: string,
): Promise<HttpAttempt | undefined> {
  const url = `${revokeUrl}/v1/phones/${encodeURIComponent(phone)}/agentMessages/${messageId}`;
  return (await withClientRetries(() => timed(url, { method: 'DELETE' }))).final;
}

export function userPayload(planned: PlannedUserMessage, phone: string, agentId: string): UserMessagePayload {
  const from = { phone, agentId, messageId: planned.id };
  switch (planned.kind) {
    case 'text':
      return userText({ ...from, text: 'Where is my parcel now?' });
    case 'location':
      return userLocation(from);
    case 'suggestionReply':
      return suggestionReply({ ...from, postbackData: 'yes', text: 'Yes' });
    case 'suggestionTap':
      return suggestionActionTap({ phone, agentId, postbackData: 'track', eventId: planned.id });
    case 'optOutKeyword':
      return userText({ ...from, text: 'Stop' });
  }
}

export interface GarbageOutcome {
  readonly garbage: PlannedGarbage;
  /** Final status the webhook answered (401 expected for a bad signature, 200 for the rest). */
  readonly status: number;
}

async function postRaw(url: string, data: Buffer, signature: string): Promise<number> {
  const { envelope } = webhookEnvelope({});
  const body = JSON.stringify({
    ...envelope,
    message: { ...envelope.message, data: data.toString('base64') },
  });
  const answer = await timed(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
    body,
  });
  return answer.status;
}

/** Sends one piece of garbage the way RBM (or an attacker) would; retries a 500 as RBM does. */
export async function injectGarbage(
  rbm: FakeRbm,
  webhook: { url: string; clientToken: string; phone: string; agentId: string },
  garbage: PlannedGarbage,
): Promise<GarbageOutcome> {
  switch (garbage.kind) {
    case 'not-json': {
      const data = Buffer.from(`not json: ${garbage.nonce}`);
      const { final } = await withClientRetries(async () => ({
        status: await postRaw(webhook.url, data, sign(data, webhook.clientToken)),
        messageId: undefined,
        replayed: false,
        ms: 0,
      }));
      return { garbage, status: final?.status ?? 0 };
    }
    case 'bad-signature': {
      const data = Buffer.from(
        JSON.stringify(userText({ phone: webhook.phone, agentId: webhook.agentId, text: garbage.nonce })),
      );
      return { garbage, status: await postRaw(webhook.url, data, sign(data, 'not-the-client-token')) };
    }
    case 'unknown-shape': {
      const result = await rbm.callback({
        soakGarbage: garbage.nonce,
        agentId: inboundAgentId(webhook.agentId),
      });
      return { garbage, status: result.status };
    }
    case 'foreign-agent': {
      const result = await rbm.callback(
        userText({ phone: webhook.phone, agentId: 'someone-elses-agent', text: garbage.nonce }),
      );
      return { garbage, status: result.status };
    }
  }
}
