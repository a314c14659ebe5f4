/** `consents/{phoneNumber}`: the user's latest SUBSCRIBE / UNSUBSCRIBE, by event sendTime. */
import type { Firestore } from '@google-cloud/firestore';
import { mutateDocument } from '../store/optimistic.js';

export const CONSENTS = 'consents';

export interface Consent {
  phoneNumber: string;
  agentId: string;
  subscribed: boolean;
  changedAt: Date;
  eventId: string;
}

/** Whether `candidate` is a later statement than `current` (ties broken by event id, so order never matters). */
export function supersedes(candidate: Consent, current: Consent | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.eventId === current.eventId) return false;
  const delta = candidate.changedAt.getTime() - current.changedAt.getTime();
  return delta > 0 || (delta === 0 && candidate.eventId > current.eventId);
}

function decodeConsent(data: Record<string, unknown>): Consent {
  return {
    phoneNumber: String(data.phoneNumber ?? ''),
    agentId: String(data.agentId ?? ''),
    subscribed: data.subscribed === true,
    changedAt: data.changedAt instanceof Date ? data.changedAt : new Date(0),
    eventId: String(data.eventId ?? ''),
  };
}

export async function recordConsent(db: Firestore, consent: Consent): Promise<boolean> {
  const result = await mutateDocument(
    db.collection(CONSENTS).doc(consent.phoneNumber),
    decodeConsent,
    (current) => (supersedes(consent, current) ? consent : undefined),
  );
  return result.written;
}
