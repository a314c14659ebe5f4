/** messages (HTTP): the query API over Firestore, and consents (docs/query-api.md). */
import { ApiError } from '../../shared/errors.js';
import { errorResult, type HttpResult } from '../../shared/http/response.js';
import { loadQueryApiConfig } from '../../shared/query/config.js';
import {
  getConsentOf,
  putConsent,
  type ConsentLookup,
  type ConsentPutOutcome,
} from '../../shared/query/consent-requests.js';
import {
  getAgentMessage,
  listAgentMessages,
  listPhoneAgentMessages,
  listUserMessages,
  type LookupOutcome,
  type PageOutcome,
} from '../../shared/query/read-messages.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { consentStore } from '../../shared/store/consents.js';
import { firestore } from '../../shared/store/firestore.js';
import { messageQueryStore } from '../../shared/store/message-queries.js';
import { storageDeadlineMs, withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { messagesSpec } from './spec.js';

serveHttp(
  messagesSpec,
  (platform) => {
    const config = loadConfig(platform, (env) => ({
      ...loadQueryApiConfig(env),
      storageDeadlineMs: storageDeadlineMs(env),
    }));
    // A hung Firestore answers 503 within the function's budget, not after minutes.
    const bounded = <T extends object>(build: () => T, what: string) =>
      lazy(() => withStorageDeadline(build(), config.storageDeadlineMs, what));
    return {
      ...config,
      logger: platform.logger,
      queries: bounded(() => messageQueryStore(firestore(platform.projectId)), 'messageQueries'),
      consents: bounded(() => consentStore(firestore(platform.projectId)), 'consents'),
      publish: () => platform.publisher(),
    };
  },
  {
    getAgentMessage: async (call, deps) =>
      lookupAnswer(
        await getAgentMessage(
          {
            phoneNumber: call.params.phoneNumber ?? '',
            messageId: call.params.messageId ?? '',
            query: call.request.query,
          },
          { store: deps.queries(), pageTokenKey: deps.pageTokenKey },
        ),
      ),
    listPhoneAgentMessages: async (call, deps) =>
      pageAnswer(
        await listPhoneAgentMessages(
          { phoneNumber: call.params.phoneNumber ?? '', query: call.request.query },
          { store: deps.queries(), pageTokenKey: deps.pageTokenKey },
        ),
      ),
    listAgentMessages: async (call, deps) =>
      pageAnswer(
        await listAgentMessages(
          { query: call.request.query },
          { store: deps.queries(), pageTokenKey: deps.pageTokenKey },
        ),
      ),
    listUserMessages: async (call, deps) =>
      pageAnswer(
        await listUserMessages(
          { phoneNumber: call.params.phoneNumber ?? '', query: call.request.query },
          { store: deps.queries(), pageTokenKey: deps.pageTokenKey },
        ),
      ),
    getConsent: async (call, deps) =>
      lookupAnswer(
        await getConsentOf(
          { phoneNumber: call.params.phoneNumber ?? '', query: call.request.query },
          { consents: deps.consents() },
        ),
      ),
    putConsent: async (call, deps) =>
      putConsentAnswer(
        await putConsent(
          { phoneNumber: call.params.phoneNumber ?? '', query: call.request.query, body: await call.json() },
          {
            consents: deps.consents(),
            agentId: deps.agentId,
            publish: deps.publish(),
            consentTopic: deps.consentTopic,
            logger: deps.logger,
          },
        ),
      ),
  },
);

function lookupAnswer(outcome: LookupOutcome | ConsentLookup): HttpResult {
  return outcome.kind === 'found'
    ? { status: 200, body: outcome.body }
    : errorResult(new ApiError(404, outcome.message, 'NOT_FOUND'));
}

function pageAnswer(outcome: PageOutcome): HttpResult {
  return { status: 200, body: outcome.body };
}

function putConsentAnswer(outcome: ConsentPutOutcome): HttpResult {
  switch (outcome.kind) {
    case 'stored':
      return { status: 200, body: outcome.body };
    case 'publishFailed':
      return errorResult(
        new ApiError(
          503,
          'The consent is stored, but the change could not be published yet; retry the same request to publish it.',
          'UNAVAILABLE',
        ),
      );
  }
}
