/** files (HTTP): POST /v1/files, one RBM upload per URL pair (docs/conversation-api.md#files). */
import { createFile, type FileOutcome } from '../../shared/files/create-file.js';
import { ApiError } from '../../shared/errors.js';
import { CACHE_HEADER } from '../../shared/http/cache-headers.js';
import { errorResult, rbmUnavailableResult, type HttpResult } from '../../shared/http/response.js';
import { rbmCaller } from '../../shared/rbm/caller.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { lazy } from '../../shared/runtime/platform.js';
import { fileStore } from '../../shared/store/files.js';
import { withStorageDeadline } from '../../shared/store/storage-deadline.js';
import { filesSpec } from './spec.js';

serveHttp(
  filesSpec,
  (platform) => {
    const caller = rbmCaller(platform);
    return {
      ...caller,
      // A hung Firestore answers 503 (or, once RBM answered, leaves the cache) within the function's budget.
      files: lazy(() => withStorageDeadline(fileStore(caller.db()), caller.storageDeadlineMs, 'files')),
    };
  },
  {
    create: async (call, deps) =>
      fileAnswer(
        await createFile(
          { query: call.request.query, body: await call.json() },
          { files: deps.files(), rbm: deps.rbm(), agentId: deps.agentId, logger: deps.logger },
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
      return rbmUnavailableResult(outcome, 'no file was created.');
    case 'uploadInProgress':
      return errorResult(
        new ApiError(503, 'Another request is uploading this file; retry to get its name.', 'UNAVAILABLE'),
        { 'Retry-After': String(outcome.retryAfterSeconds) },
      );
  }
}
