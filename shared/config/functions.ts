/** The configuration each function reads at start-up (CONTRACT §3). */
import { agentId, optionalString, requiredString, topicId, type Env } from './env.js';
import { loadRbmConfig, type RbmConfig } from './rbm.js';

export const DEFAULT_INBOUND_TOPIC = 'rbm-inbound';
export const DEFAULT_USER_MESSAGES_TOPIC = 'rbm-user-messages';

export interface OutboundConfig {
  projectId: string | undefined;
  rbm: RbmConfig;
}

export interface WebhookConfig {
  projectId: string | undefined;
  clientToken: string;
  inboundTopic: string;
}

export interface InboundConfig {
  projectId: string | undefined;
  agentId: string;
  userMessagesTopic: string;
}

function projectId(env: Env): string | undefined {
  return optionalString(env, 'GOOGLE_CLOUD_PROJECT');
}

/** send and revoke. */
export function loadOutboundConfig(env: Env): OutboundConfig {
  return { projectId: projectId(env), rbm: loadRbmConfig(env) };
}

export function loadWebhookConfig(env: Env): WebhookConfig {
  return {
    projectId: projectId(env),
    clientToken: requiredString(env, 'RBM_WEBHOOK_CLIENT_TOKEN'),
    inboundTopic: topicId(env, 'RBM_INBOUND_TOPIC', DEFAULT_INBOUND_TOPIC),
  };
}

export function loadInboundConfig(env: Env): InboundConfig {
  return {
    projectId: projectId(env),
    agentId: agentId(env),
    userMessagesTopic: topicId(env, 'RBM_USER_MESSAGES_TOPIC', DEFAULT_USER_MESSAGES_TOPIC),
  };
}
