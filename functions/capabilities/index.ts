/** capabilities (HTTP): a phone's capabilities, cached, and users:batchGet (docs/conversation-api.md#capabilities). */
import { batchGetUsers, type BatchGetOutcome } from '../../shared/capabilities/batch-get-users.js';
import { loadCapabilityTtls } from '../../shared/capabilities/cache-rules.js';
import { checkCapabilities, type CapabilityOutcome } from '../../shared/capabilities/check-capabilities.js';
import { AGE_HEADER, CACHE_HEADER } from '../../shared/http/cache-headers.js';
import { rbmUnavailableResult, type HttpResult } from '../../shared/http/response.js';
import { rbmCaller } from '../../shared/rbm/caller.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { capabilityCache } from '../../shared/store/capabilities.js';
import { withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { capabilitiesSpec } from './spec.js';

serveHttp(
  capabilitiesSpec,
  (platform) => {
    const caller = rbmCaller(platform);
    return {
      ...caller,
      ttls: loadConfig(platform, loadCapabilityTtls),
      // A hung Firestore answers 503 (or, once RBM answered, leaves the cache) within the function's budget.
      cache: lazy(() =>
        withStorageDeadline(capabilityCache(caller.db()), caller.storageDeadlineMs, 'capabilities'),
      ),
    };
  },
  {
    get: async (call, deps) =>
      capabilityAnswer(
        await checkCapabilities(
          { phoneNumber: call.params.phoneNumber ?? '', query: call.request.query },
          {
            cache: deps.cache(),
            rbm: deps.rbm(),
            agentId: deps.agentId,
            ttls: deps.ttls,
            logger: deps.logger,
          },
        ),
      ),
    batchGet: async (call, deps) =>
      batchGetAnswer(
        await batchGetUsers(
          { query: call.request.query, body: await call.json() },
          { cache: deps.cache(), rbm: deps.rbm(), agentId: deps.agentId, logger: deps.logger },
        ),
      ),
  },
);

function capabilityAnswer(outcome: CapabilityOutcome): HttpResult {
  switch (outcome.kind) {
    case 'features':
    case 'notReachable': {
      const headers = { [CACHE_HEADER]: outcome.cache, [AGE_HEADER]: String(outcome.ageSeconds) };
      return outcome.kind === 'features'
        ? { status: 200, body: { features: outcome.features }, headers }
        : { status: 404, body: { error: outcome.error }, headers };
    }
    case 'rejected':
      return { status: outcome.status, body: { error: outcome.error } };
    case 'rbmUnavailable':
      return rbmUnavailableResult(outcome);
  }
}

function batchGetAnswer(outcome: BatchGetOutcome): HttpResult {
  switch (outcome.kind) {
    case 'ok':
      return { status: 200, body: outcome.body };
    case 'rejected':
      return { status: outcome.status, body: { error: outcome.error } };
    case 'rbmUnavailable':
      return rbmUnavailableResult(outcome);
  }
}
