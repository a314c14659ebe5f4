/**
 * Publishing consent changes to the consent topic: the JSON of the consent as the change left it (times as
 * RFC 3339), attribute `subscribed`. Each applied change the store hands out is published, oldest first, and
 * confirmed back to the store; a failed publish stops there and throws, and the next call for the phone (a
 * retry, a redelivery, or the next change) publishes what is left.
 */
import type { Firestore } from '@google-cloud/firestore';
import type { Attributes, Publish } from '../pubsub/publisher.js';
import {
  markConsentChangesPublished,
  type ConsentChangeResult,
  type ConsentHistoryRecord,
} from '../store/consents.js';

export const DEFAULT_CONSENT_TOPIC = 'rbm-consent-changes';

export interface ConsentChangeMessage {
  data: Buffer;
  attributes: Attributes;
}

export function consentChangeMessage(change: ConsentHistoryRecord): ConsentChangeMessage {
  const json = {
    phoneNumber: change.phoneNumber,
    agentId: change.agentId,
    subscribed: change.subscribed,
    changedAt: change.changedAt.toISOString(),
    source: change.source,
  };
  return { data: Buffer.from(JSON.stringify(json)), attributes: { subscribed: String(change.subscribed) } };
}

export interface ConsentPublishDeps {
  db: Firestore;
  publish: Publish;
  topicId: string;
}

/** Publishes every unconfirmed change of `result`, oldest first; resolves to how many were published. */
export async function publishConsentChanges(
  result: ConsentChangeResult,
  deps: ConsentPublishDeps,
): Promise<number> {
  const published: string[] = [];
  try {
    for (const change of result.unpublished) {
      const message = consentChangeMessage(change);
      await deps.publish(deps.topicId, message.data, message.attributes);
      published.push(change.id);
    }
  } finally {
    await markConsentChangesPublished(deps.db, result.consent.phoneNumber, published);
  }
  return published.length;
}
