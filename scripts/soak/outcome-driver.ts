/**
 * What the outcome scripts do around a phone's sends: unsubscribe first (UNSUBSCRIBE event or STOP) and wait
 * until the consent is stored; afterwards expire the messages at the fake RBM (revoked, or a failed TTL revoke),
 * bring the phone online, and make revokes lose the race with a delivery.
 */
import type { Firestore } from '@google-cloud/firestore';
import { unsubscribeEvent, type CallbackResult, type FakeRbm } from '../../sandbox/fake-rbm/index.js';
import { revokeMessage, userPayload, type HttpAttempt } from './driver.js';
import { INITIAL_PHONE_STATE, type PlannedMessage, type PlannedPhone } from './plan.js';
import { pollUntil } from './util.js';

export interface OutcomeDriverDeps {
  readonly rbm: FakeRbm;
  readonly db: Firestore;
  readonly revokeUrl: string;
  readonly agentId: string;
  /** Deadline for a consent change to be stored. */
  readonly consentTimeoutMs: number;
}

export interface AcceptedMessage {
  readonly messageId: string;
  readonly message: PlannedMessage;
}

export interface RevokeOutcome {
  readonly messageId: string;
  readonly answer: HttpAttempt | undefined;
}

/** The phone's state and options at the fake RBM before the run. */
export async function setUpPhone(rbm: FakeRbm, phone: PlannedPhone): Promise<void> {
  const options = phone.script === 'outcome-dropped' ? { dropOutcomes: true } : undefined;
  await rbm.setPhone(phone.phone, INITIAL_PHONE_STATE[phone.script], options);
}

async function awaitUnsubscribed(deps: OutcomeDriverDeps, phone: string): Promise<void> {
  const consent = deps.db.collection('consents').doc(phone);
  await pollUntil(async () => ((await consent.get()).data()?.subscribed === false ? true : undefined), {
    timeoutMs: deps.consentTimeoutMs,
    intervalMs: 100,
    description: 'the unsubscribe to be stored',
  });
}

/** The user's own steps before the phone's messages are sent; answers the user messages it sent. */
export async function beforeSends(
  deps: OutcomeDriverDeps,
  phone: PlannedPhone,
): Promise<Array<{ id: string; result: CallbackResult }>> {
  const sent: Array<{ id: string; result: CallbackResult }> = [];
  if (phone.script === 'unsubscribed-event') {
    await deps.rbm.callback(unsubscribeEvent({ phone: phone.phone, agentId: deps.agentId }));
  } else if (phone.script === 'unsubscribed-keyword') {
    for (const planned of phone.userMessages.filter((u) => u.kind === 'optOutKeyword')) {
      sent.push({
        id: planned.id,
        result: await deps.rbm.callback(userPayload(planned, phone.phone, deps.agentId)),
      });
    }
  } else {
    return sent;
  }
  await awaitUnsubscribed(deps, phone.phone);
  return sent;
}

/** What happens to the accepted messages at the fake RBM after the sends; answers the revokes made. */
export async function afterSends(
  deps: OutcomeDriverDeps,
  phone: PlannedPhone,
  accepted: readonly AcceptedMessage[],
): Promise<RevokeOutcome[]> {
  const { rbm } = deps;
  const revokes: RevokeOutcome[] = [];
  switch (phone.script) {
    case 'revoke-race':
      for (const { messageId } of accepted) {
        rbm.raceRevoke(messageId);
        revokes.push({ messageId, answer: await revokeMessage(deps.revokeUrl, phone.phone, messageId) });
      }
      break;
    case 'ttl-expired':
      for (const { messageId } of accepted) await rbm.expire(messageId);
      break;
    case 'ttl-revoke-failed':
      for (const { messageId, message } of accepted) {
        await rbm.expire(messageId, { revokeFails: true });
        // Reconcile's revoke, once the grace is over, is the one that races.
        if (message.outcome.revokeRace) rbm.raceRevoke(messageId);
      }
      break;
    case 'ttl-revoke-failed-delivered':
      for (const { messageId } of accepted) await rbm.expire(messageId, { revokeFails: true });
      await rbm.setPhone(phone.phone, 'reachable');
      break;
    default:
      break;
  }
  return revokes;
}
