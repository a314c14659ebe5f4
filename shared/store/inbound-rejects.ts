/**
 * `inboundRejects/{id}`: payloads that can never be processed, kept with the reason and the raw bytes so
 * nothing is dropped silently. Keyed by the Pub/Sub message id, so a redelivery writes nothing new. The
 * record itself is always storable: whatever the payload carried, its id and field names are made safe.
 */
import { createHash } from 'node:crypto';
import type { Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from './collections.js';
import { boundedId, storableFieldsProblem } from '../document-ids.js';
import { createOnce } from './optimistic.js';

export interface Reject {
  reason: string;
  /** The raw message data, base64. */
  data: string;
  attributes?: Record<string, string>;
  pubsubMessageId?: string;
}

/** Longest reason kept (reasons quote what they refuse, which may be long). */
const MAX_REASON_LENGTH = 1000;

/** The record as stored: attributes whose names Firestore refuses are kept as their JSON text. */
function storedReject(reject: Reject): Record<string, unknown> {
  const { attributes, reason, ...rest } = reject;
  const safeAttributes =
    attributes === undefined
      ? {}
      : storableFieldsProblem({ attributes }) === undefined
        ? { attributes }
        : { attributesJson: JSON.stringify(attributes) };
  return { ...rest, reason: reason.slice(0, MAX_REASON_LENGTH), ...safeAttributes };
}

/** Keeps `reject` once (a redelivery writes nothing new); resolves to its id. */
export async function recordReject(db: Firestore, reject: Reject, now: Date): Promise<string> {
  const id = reject.pubsubMessageId
    ? `pubsub-${boundedId(reject.pubsubMessageId, 256)}`
    : `sha256-${createHash('sha256').update(reject.data).update('\n').update(reject.reason).digest('hex')}`;
  await createOnce(db.collection(COLLECTIONS.inboundRejects).doc(id.replace(/\//g, '_')), {
    ...storedReject(reject),
    receivedAt: now,
  });
  return id;
}
