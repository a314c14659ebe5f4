/**
 * The demo's message-outcome steps: an OTP whose TTL passes on an offline phone, with the fallback decision the
 * business receives on rbm-fallback; and a phone that taps Unsubscribe, after which a PROMOTION is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { fallbackLine } from '../../devtools/clients/event-lines.js';
import { errorReasonOf, sendAgentMessage } from '../../devtools/clients/functions-client.js';
import { watchTransitions, type Transition } from '../../devtools/clients/records.js';
import type { SandboxClient } from '../../devtools/clients/sandbox-client.js';
import { maskPhone } from '../../devtools/clients/stack-env.js';
import { tailTopic, type TailedMessage } from '../../devtools/clients/topic-tail.js';
import { pollUntil } from '../../devtools/poll.js';

export interface OutcomeEndpoints {
  readonly sendUrl: string;
  readonly pubsubHost: string;
  readonly projectId: string;
  /** The stack's fallback topic (Terraform's `rbm-fallback`, behind the stack's prefix). */
  readonly fallbackTopic: string;
}

export interface StepContext {
  readonly endpoints: OutcomeEndpoints;
  readonly sandbox: SandboxClient;
  readonly db: Firestore;
  readonly timeoutMs: number;
  readonly print: (line: string) => void;
  /** Records a step's result and prints it; returns `ok`. */
  readonly step: (name: string, ok: boolean, detail: string) => boolean;
  readonly transitionLine: (messageId: string, transition: Transition) => string;
}

/** Resolves with what `read` finds before the deadline, or undefined. */
async function within<T>(timeoutMs: number, description: string, read: () => Promise<T | undefined>) {
  return pollUntil(read, { description, timeoutMs, intervalMs: 100 }).catch(() => undefined);
}

export const OTP = {
  contentMessage: { text: 'Your sign-in code is 482913. It expires in 5 minutes.' },
  messageTrafficType: 'AUTHENTICATION',
  ttl: '300s',
} as const;

/**
 * An OTP with `Fallback-Policy: critical` and a ttl to an offline phone; its TTL passes (RBM revokes it:
 * TTL_EXPIRATION_REVOKED), the record ends EXPIRED and the decision EXPIRED / NOT_DELIVERED is published.
 */
export async function otpExpiry(context: StepContext, phone: string): Promise<string> {
  const { endpoints, print, step, timeoutMs } = context;
  const messageId = randomUUID();
  print(
    `\n4. A one-time code to phone ${maskPhone(phone)} (offline), Fallback-Policy: critical, ttl ${OTP.ttl}; its TTL passes`,
  );
  const decisions: TailedMessage[] = [];
  const tail = await tailTopic({
    pubsubHost: endpoints.pubsubHost,
    projectId: endpoints.projectId,
    topic: endpoints.fallbackTopic,
    onMessage: (message) => decisions.push(message),
  });
  try {
    const sent = await sendAgentMessage({
      sendUrl: endpoints.sendUrl,
      phone,
      messageId,
      agentMessage: OTP,
      fallbackPolicy: 'critical',
    });
    if (!step('send the OTP', sent.status === 200, `HTTP ${sent.status}, message ${messageId}`))
      return messageId;
    const onTransition = (transition: Transition) => print(context.transitionLine(messageId, transition));
    const seen = await watchTransitions(context.db, messageId, { until: ['SENT'], timeoutMs, onTransition });
    await context.sandbox.expire(messageId);
    print('    the sandbox sends TTL_EXPIRATION_REVOKED for it');
    const after = await watchTransitions(context.db, messageId, {
      until: ['EXPIRED'],
      timeoutMs,
      onTransition: (transition) => {
        if (transition.state !== seen.transitions.at(-1)?.state) onTransition(transition);
      },
    });
    step('the OTP is EXPIRED', after.reached, `state ${String(after.record?.state)}`);
    const published = await within(timeoutMs, 'the decision on the fallback topic', async () =>
      decisions.find((decision) => (decision.json as { messageId?: unknown }).messageId === messageId),
    );
    if (published) print(`    published on ${endpoints.fallbackTopic}: ${fallbackLine(published.json)}`);
    const decision = published?.json as { reason?: unknown; certainty?: unknown } | undefined;
    step(
      'the decision is published (the business sends the code by SMS)',
      decision?.reason === 'EXPIRED' && decision.certainty === 'NOT_DELIVERED',
      published ? `${String(decision?.reason)} / ${String(decision?.certainty)}` : 'nothing published',
    );
    return messageId;
  } finally {
    await tail.close();
  }
}

/**
 * The user taps Unsubscribe (the phone sends STOP, RBM sends UNSUBSCRIBE): `consents/{phone}` says unsubscribed,
 * and a PROMOTION to the phone is refused with RECIPIENT_UNSUBSCRIBED, before any call to RBM.
 */
export async function unsubscribedPromotion(context: StepContext, phone: string): Promise<string> {
  const { endpoints, print, step, timeoutMs } = context;
  const messageId = randomUUID();
  print(`\n5. Phone ${maskPhone(phone)} taps Unsubscribe; then a PROMOTION to it`);
  await context.sandbox.configurePhone(phone, { state: 'reachable', mode: 'auto-read', delayMs: 400 });
  const tap = await context.sandbox.tapConsent(phone, 'unsubscribe');
  step(
    'the webhook accepts STOP and UNSUBSCRIBE',
    tap.keywordWebhookStatus === 200 && tap.eventWebhookStatus === 200,
    `HTTP ${tap.keywordWebhookStatus} and ${tap.eventWebhookStatus}`,
  );
  const consent = await within(timeoutMs, 'the consent document', async () => {
    const data = (await context.db.collection('consents').doc(phone).get()).data();
    return data?.subscribed === false ? data : undefined;
  });
  step(
    'consents says unsubscribed',
    consent !== undefined,
    consent ? `subscribed: false (source ${String(consent.source)})` : 'not unsubscribed',
  );
  const refused = await sendAgentMessage({
    sendUrl: endpoints.sendUrl,
    phone,
    messageId,
    agentMessage: {
      contentMessage: { text: 'Spring sale: 20% off everything.' },
      messageTrafficType: 'PROMOTION',
    },
  });
  const reason = errorReasonOf(refused);
  step(
    'the PROMOTION is refused',
    refused.status === 400 && reason === 'RECIPIENT_UNSUBSCRIBED',
    `HTTP ${refused.status} ${reason ?? ''}`.trim(),
  );
  return messageId;
}
