/** files (HTTP): POST /v1/files, one RBM upload per URL pair (docs/conversation-api.md#files). */
import { loadRbmConfig } from '../../shared/config/rbm.js';
import { ApiError } from '../../shared/errors.js';
import { createFile, type FileOutcome } from '../../shared/files/create-file.js';
import { CACHE_HEADER } from '../../shared/http/cache-headers.js';
import { errorResult, type HttpResult } from '../../shared/http/response.js';
import { RbmClient } from '../../shared/rbm/client.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy, loadConfig } from '../../shared/runtime/platform.js';
import { filesSpec } from './spec.js';

serveHttp(
  filesSpec,
  (platform) => {
    const rbmConfig = loadConfig(platform, loadRbmConfig);
    return {
      agentId: rbmConfig.agentId,
      logger: platform.logger,
      db: () => platform.firestore(),
      rbm: lazy(() => new RbmClient(rbmConfig, { logger: platform.logger })),
    };
  },
  {
    create: async (call, deps) =>
      fileAnswer(
        await createFile(
          { query: call.request.query, body: await call.json() },
          { db: deps.db(), rbm: deps.rbm(), agentId: deps.agentId, logger: deps.logger },
        ),
      ),
  },
);

function fileAnswer(outcome: FileOutcome): HttpResult {
  switch (outcome.kind) {
    case 'created':
      return { status: 200, body: { name: outcome.name }, headers: { [CACHE_HEADER]: outcome.cache } };
    case 'rejected':
      return { status: outcome.status, body: { error: outcome.error } };
    case 'rbmUnavailable':
      return errorResult(
        new ApiError(
          503,
          `RBM API unavailable after ${outcome.attempts} attempt(s) (${outcome.rbmStatus}); no file was created.`,
          'UNAVAILABLE',
        ),
      );
  }
}
