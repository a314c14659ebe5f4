/** What inbound keeps, on Firestore: one object over this layer's modules (the shape inbound's ports ask for). */
import type { Firestore } from '@google-cloud/firestore';
import type { AgentMessageStore } from './agent-messages.js';
import { recordReject, type Reject } from './inbound-rejects.js';
import { recordLaunchEvent } from './launch-events.js';
import { FirestoreUserMessageClaims } from './user-message-claims.js';

export function firestoreInboundStorage(db: Firestore, agentMessages: AgentMessageStore) {
  return {
    applyEvent: (event: Parameters<AgentMessageStore['applyEvent']>[0]) => agentMessages.applyEvent(event),
    userMessages: new FirestoreUserMessageClaims(db),
    recordReject: (reject: Reject, now: Date) => recordReject(db, reject, now),
    recordLaunchEvent: (
      eventId: string,
      fields: Record<string, unknown>,
      sendTime: Date | undefined,
      now: Date,
    ) => recordLaunchEvent(db, eventId, fields, sendTime, now),
  };
}
