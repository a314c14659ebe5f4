/**
 * Publishing to Pub/Sub topics: one REST call per message (`topics.publish`), with bounded retries, no silent loss.
 *
 * Plain `fetch` rather than `@google-cloud/pubsub`: starting that client (its module, its protos and a gRPC
 * channel) was a third of a cold start whose first request publishes a status event. The token source,
 * backoff and retry loop are the ones the RBM and Cloud Tasks clients use.
 */
import type { Env } from '../config/env.js';
import { callWithRetries, defaultSleep, toApiError } from '../http/retrying-call.js';
import { createLogger, type Logger } from '../log/logger.js';
import { accessTokenSource, type AccessTokenSource } from '../http/access-tokens.js';
import {
  publishBody,
  publishedMessageId,
  publishError,
  publishRetryPolicy,
  publishUrl,
  pubsubTarget,
  PUBSUB_SCOPE,
  type PubSubTarget,
} from './publish-request.js';

export type Attributes = Record<string, string>;

export interface PublishOptions {
  /**
   * The whole publish, retries included, is given up after this long: the attempt in flight is aborted and
   * the promise rejects with DEADLINE_EXCEEDED. Without it the client library's budget applies (ten minutes).
   */
  timeoutMs?: number;
}

/** Resolves to the Pub/Sub message id once the service accepted the message; rejects otherwise. */
export type Publish = (
  topicId: string,
  data: Buffer,
  attributes?: Attributes,
  options?: PublishOptions,
) => Promise<string>;

export interface PublisherDeps {
  /** Where failed attempts are logged; a logger of its own unless given. */
  logger?: Logger;
  fetch?: typeof fetch;
  /** Read at the first publish; PUBSUB_EMULATOR_HOST sends every publish to the emulator without a token. */
  env?: Env;
  /** Where tokens come from for Google's endpoint; ADC with the Pub/Sub scope unless given. */
  tokens?: AccessTokenSource;
}

const API = 'Pub/Sub';

export function createPublisher(projectId: string | undefined, deps: PublisherDeps = {}): Publish {
  const logger = deps.logger ?? createLogger();
  let target: { where: PubSubTarget; tokens: AccessTokenSource } | undefined;
  const targetOnce = () => {
    if (!target) {
      const where = pubsubTarget((deps.env ?? process.env).PUBSUB_EMULATOR_HOST);
      const tokens = !where.authenticated
        ? async () => undefined
        : (deps.tokens ?? accessTokenSource({ kind: 'applicationDefault' }, PUBSUB_SCOPE, API));
      target = { where, tokens };
    }
    return target;
  };
  return async (topicId, data, attributes = {}, options = {}) => {
    if (!projectId) throw new Error('Cannot publish: GOOGLE_CLOUD_PROJECT is not set.');
    const { where, tokens } = targetOnce();
    const result = await callWithRetries(
      API,
      publishRetryPolicy(options.timeoutMs),
      {
        fetch: deps.fetch ?? fetch,
        tokens,
        sleep: defaultSleep,
        random: Math.random,
        now: Date.now,
        logger,
      },
      {
        method: 'POST',
        url: publishUrl(where.endpoint, projectId, topicId),
        body: publishBody(data, attributes),
        logFields: { topic: topicId },
      },
    );
    if (result.kind === 'unavailable') throw publishError(topicId, result.error);
    if (result.status < 200 || result.status >= 300) {
      throw publishError(topicId, toApiError(API, result.status, result.body));
    }
    const messageId = publishedMessageId(result.body);
    if (messageId === undefined) {
      throw publishError(topicId, {
        code: result.status,
        status: 'UNKNOWN',
        message: `${API} accepted the publish but answered no message id.`,
      });
    }
    return messageId;
  };
}
