/** The configuration each function reads at start-up (docs/configuration.md). */
import { parseConsentMode, type ConsentMode } from '../consent/send-gate.js';
import type { EventTopics } from '../events/topics.js';
import {
  ConfigError,
  agentId,
  optionalString,
  nonNegativeInteger,
  requiredString,
  topicId,
  type Env,
} from './env.js';
import { loadRbmConfig, type RbmConfig } from './rbm.js';

export const DEFAULT_INBOUND_TOPIC = 'rbm-inbound';
export const DEFAULT_USER_MESSAGES_TOPIC = 'rbm-user-messages';
export const DEFAULT_STATUS_TOPIC = 'rbm-message-status';
export const DEFAULT_FALLBACK_TOPIC = 'rbm-fallback';
export const DEFAULT_CONSENT_TOPIC = 'rbm-consent-changes';

/** The topics of status events and fallback decisions. */
export function loadEventTopics(env: Env): EventTopics {
  return {
    status: topicId(env, 'RBM_STATUS_TOPIC', DEFAULT_STATUS_TOPIC),
    fallback: topicId(env, 'RBM_FALLBACK_TOPIC', DEFAULT_FALLBACK_TOPIC),
  };
}

/** The topic of consent changes (docs/topics.md). */
export function loadConsentTopic(env: Env): string {
  return topicId(env, 'RBM_CONSENT_TOPIC', DEFAULT_CONSENT_TOPIC);
}

export function loadConsentMode(env: Env): ConsentMode {
  const mode = parseConsentMode(optionalString(env, 'RBM_CONSENT_MODE'));
  if (mode === undefined) throw new ConfigError('RBM_CONSENT_MODE', 'must be promotional, strict or off.');
  return mode;
}

/** Seconds from a variable (0 allowed: "at once"), as milliseconds. */
export function secondsAsMs(env: Env, name: string, fallbackSeconds: number): number {
  return nonNegativeInteger(env, name, fallbackSeconds) * 1000;
}

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
