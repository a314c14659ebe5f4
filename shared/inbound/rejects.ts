/**
 * `inboundRejects/{id}`: payloads that can never be processed, kept with the reason and the raw bytes so
 * nothing is dropped silently. Keyed by the Pub/Sub message id, so a redelivery writes nothing new.
 */
import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { GrpcCode, grpcCode } from '../grpc-status.js';

export const INBOUND_REJECTS = 'inboundRejects';

export interface Reject {
  reason: string;
  /** The raw message data, base64. */
  data: string;
  attributes?: Record<string, string>;
  pubsubMessageId?: string;
}

export async function recordReject(db: Firestore, reject: Reject, now: Date): Promise<string> {
  const id = reject.pubsubMessageId
    ? `pubsub-${reject.pubsubMessageId}`
    : `sha256-${createHash('sha256').update(reject.data).update('\n').update(reject.reason).digest('hex')}`;
  try {
    await db
      .collection(INBOUND_REJECTS)
      .doc(id.replace(/\//g, '_'))
      .create({ ...reject, receivedAt: now });
  } catch (error) {
    if (grpcCode(error) !== GrpcCode.ALREADY_EXISTS) throw error;
  }
  return id;
}
