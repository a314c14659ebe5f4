/** What the outbound orchestrators need from storage and RBM: narrow, so unit tests can hand in fakes. */
import type { AgentMessage } from '../agent-message/types.js';
import type { RbmOutcome } from '../rbm/client.js';
import type { AgentMessageStore } from '../store/agent-messages.js';

export type AgentMessagePort = Pick<
  AgentMessageStore,
  'get' | 'createPending' | 'applyFact' | 'applyFactToCreated'
>;

export interface RbmMessaging {
  createAgentMessage(phoneNumber: string, messageId: string, message: AgentMessage): Promise<RbmOutcome>;
  deleteAgentMessage(phoneNumber: string, messageId: string): Promise<RbmOutcome>;
}
