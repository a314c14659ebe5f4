/**
 * What send and revoke need at run time, built once per instance. Configuration is read immediately, so
 * a bad environment stops the function at start-up with the variable's name; clients are created on first use.
 */
import { loadOutboundConfig, type OutboundConfig } from '../config/functions.js';
import type { Env } from '../config/env.js';
import { loadAtStartup } from '../config/startup.js';
import { createLogger, type Logger } from '../log/logger.js';
import { RbmClient } from '../rbm/client.js';
import { AgentMessageStore } from '../store/agent-messages.js';
import { firestore } from '../store/firestore.js';

export interface OutboundContext {
  config: OutboundConfig;
  logger: Logger;
  store(): AgentMessageStore;
  rbm(): RbmClient;
}

export function outboundContext(functionName: string, env: Env): OutboundContext {
  const logger = createLogger({ function: functionName });
  const config = loadAtStartup(logger, () => loadOutboundConfig(env));
  let store: AgentMessageStore | undefined;
  let rbm: RbmClient | undefined;
  return {
    config,
    logger,
    store: () => (store ??= new AgentMessageStore(firestore(config.projectId))),
    rbm: () => (rbm ??= new RbmClient(config.rbm, { logger })),
  };
}
