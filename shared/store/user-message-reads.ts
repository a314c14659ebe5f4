/** `readByAgentAt` on `userMessages/{messageId}`: when the agent's READ of the user's message was accepted. */
import type { Firestore } from '@google-cloud/firestore';
import { grpcCode } from '../grpc-status.js';
import { COLLECTIONS } from './collections.js';

const NOT_FOUND = 5;

/** Sets `readByAgentAt` when the document exists (one write, no read); resolves to whether it did. */
export async function recordReadByAgent(db: Firestore, userMessageId: string, at: Date): Promise<boolean> {
  try {
    await db.collection(COLLECTIONS.userMessages).doc(userMessageId).update({ readByAgentAt: at });
    return true;
  } catch (error) {
    if (grpcCode(error) === NOT_FOUND) return false;
    throw error;
  }
}
