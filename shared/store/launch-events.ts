/** `agentLaunchEvents/{eventId}`: agent launch state changes, kept as decoded. */
import type { Firestore } from '@google-cloud/firestore';
import { GrpcCode, grpcCode } from '../grpc-status.js';

export const AGENT_LAUNCH_EVENTS = 'agentLaunchEvents';

export async function recordLaunchEvent(
  db: Firestore,
  eventId: string,
  fields: Record<string, unknown>,
  sendTime: Date | undefined,
  now: Date,
): Promise<boolean> {
  try {
    await db
      .collection(AGENT_LAUNCH_EVENTS)
      .doc(eventId)
      .create({ ...fields, eventId, ...(sendTime ? { sendTime } : {}), receivedAt: now });
    return true;
  } catch (error) {
    if (grpcCode(error) === GrpcCode.ALREADY_EXISTS) return false;
    throw error;
  }
}
