/** Inbound's dependencies on in-memory storage, for the orchestrator tests: what every such test wires alike. */
import { consentKeywords } from '../../shared/consent/keywords.js';
import type { InboundDeps } from '../../shared/inbound/process-inbound.js';
import { createLogger } from '../../shared/log/logger.js';
import type { Publish } from '../../shared/pubsub/publisher.js';
import { OutcomePublisher } from '../../shared/publishing/outcome-publisher.js';
import type { InMemoryAgentMessages } from './in-memory-agent-messages.js';

export const INBOUND_TEST_AGENT = 'agent';

export function inboundDeps(
  wiring: {
    storage: InboundDeps['storage'];
    /** Where status and fallback events are confirmed. */
    agentMessages: InMemoryAgentMessages;
    publish: Publish;
  },
  overrides: Partial<InboundDeps> = {},
): InboundDeps {
  const silent = createLogger({}, () => undefined);
  return {
    storage: wiring.storage,
    publish: wiring.publish,
    agentId: INBOUND_TEST_AGENT,
    userMessagesTopic: 'user-messages',
    logger: silent,
    now: () => new Date(),
    claimLeaseMs: 30_000,
    events: new OutcomePublisher({
      publish: wiring.publish,
      topics: { status: 'status', fallback: 'fallback' },
      store: wiring.agentMessages,
      logger: silent,
    }),
    recordConsent: async () => true,
    keywords: consentKeywords(),
    ...overrides,
  };
}
