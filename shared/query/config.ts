/** The configuration of the query API (messages function). */
import { agentId, optionalString, topicId, type Env } from '../config/env.js';
import { DEFAULT_CONSENT_TOPIC } from '../publishing/consent-publisher.js';
import { pageTokenKey } from './page-token.js';

export interface QueryApiConfig {
  agentId: string;
  consentTopic: string;
  pageTokenKey: Buffer;
}

export function loadQueryApiConfig(env: Env): QueryApiConfig {
  const agent = agentId(env);
  return {
    agentId: agent,
    consentTopic: topicId(env, 'RBM_CONSENT_TOPIC', DEFAULT_CONSENT_TOPIC),
    pageTokenKey: pageTokenKey(
      optionalString(env, 'RBM_PAGE_TOKEN_KEY'),
      optionalString(env, 'GOOGLE_CLOUD_PROJECT') ?? '',
      agent,
    ),
  };
}
