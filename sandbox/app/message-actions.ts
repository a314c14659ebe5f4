/**
 * `/sandbox/api/agentMessages/{id}`: one agent message as the phone and the backend see it, and what the sandbox
 * can make happen to it on the platform's side: deliver, read, TTL expiry (revoked, or a revoke that fails), or
 * an outcome that never comes.
 */
import type { FakeRbm } from '../fake-rbm/index.js';
import type { BackendRecords } from './backend-records.js';
import { notFound } from './http-io.js';
import { messageOutcome } from './record-views.js';

export const MESSAGE_ACTIONS = ['deliver', 'read', 'expire', 'expire-revoke-fails', 'drop-outcome'] as const;
export type MessageAction = (typeof MESSAGE_ACTIONS)[number];

export async function agentMessageView(rbm: FakeRbm, backend: BackendRecords | undefined, messageId: string) {
  const message = rbm.message(messageId);
  const records = backend ? await backend.agentMessages([messageId]) : new Map();
  const record = records.get(messageId) ?? null;
  if (!message && !record) throw notFound(`no agent message ${messageId}`);
  return {
    messageId,
    phoneState: message?.state ?? null,
    outcomeDropped: message?.outcomeDropped === true,
    contentMessage: message?.request.contentMessage ?? null,
    backend: record,
    outcome: messageOutcome(record),
  };
}

/** Runs the action where it applies to the message's state on the phone, and answers that state. */
export async function messageAction(rbm: FakeRbm, messageId: string, action: string) {
  const message = rbm.message(messageId);
  if (!message) throw notFound(`the sandbox has no agent message ${messageId}`);
  const waiting = message.state === 'pending' || message.state === 'queued';
  switch (action as MessageAction) {
    case 'deliver':
      if (waiting) await rbm.deliver(messageId);
      break;
    case 'read':
      if (message.state === 'pending' || message.state === 'delivered') await rbm.read(messageId);
      break;
    case 'expire':
      await rbm.expire(messageId);
      break;
    case 'expire-revoke-fails':
      await rbm.expire(messageId, { revokeFails: true });
      break;
    case 'drop-outcome':
      rbm.dropOutcome(messageId);
      break;
    default:
      throw notFound(`no action ${action}`);
  }
  return { messageId, phoneState: message.state, outcomeDropped: message.outcomeDropped === true };
}
