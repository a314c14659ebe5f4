/** `agentLaunchEvents/{eventId}`: agent launch state changes, kept as decoded. */
import type { Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from './collections.js';
import { createOnce } from './optimistic.js';

/** Keeps the event once; false when it was already kept. */
export async function recordLaunchEvent(
  db: Firestore,
  eventId: string,
  fields: Record<string, unknown>,
  sendTime: Date | undefined,
  now: Date,
): Promise<boolean> {
  const written = await createOnce(db.collection(COLLECTIONS.agentLaunchEvents).doc(eventId), {
    ...fields,
    eventId,
    ...(sendTime ? { sendTime } : {}),
    receivedAt: now,
  });
  return written !== undefined;
}
