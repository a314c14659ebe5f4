/** The configuration of the query API (messages function). */
import { agentId, optionalString, type Env } from '../config/env.js';
import { loadConsentTopic } from '../config/functions.js';
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
    consentTopic: loadConsentTopic(env),
    pageTokenKey: pageTokenKey(
      optionalString(env, 'RBM_PAGE_TOKEN_KEY'),
      optionalString(env, 'GOOGLE_CLOUD_PROJECT') ?? '',
      agent,
    ),
  };
}
