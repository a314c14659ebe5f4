/** The agentMessages records as the product decodes them (timestamps as Dates), for the outcome checks. */
import type { Firestore } from '@google-cloud/firestore';
import type { AgentMessageRecord } from '../../shared/delivery-state.js';
import { decodeAgentMessage } from '../../shared/store/agent-messages.js';
import { timestampsToDates } from '../../shared/store/firestore.js';

export function decodeRecords(
  raw: ReadonlyMap<string, Record<string, unknown>>,
): Map<string, AgentMessageRecord> {
  return new Map(
    [...raw].map(([id, data]) => [
      id,
      decodeAgentMessage(timestampsToDates(data) as Record<string, unknown>),
    ]),
  );
}

export async function readRecords(db: Firestore): Promise<Map<string, AgentMessageRecord>> {
  const snapshot = await db.collection('agentMessages').get();
  return decodeRecords(new Map(snapshot.docs.map((doc) => [doc.id, doc.data()])));
}
