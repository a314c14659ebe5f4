/** revoke (HTTP): DELETE /v1/phones/{E.164}/agentMessages/{messageId}?agentId= — CONTRACT §4. */
import * as functions from '@google-cloud/functions-framework';
import { ApiError } from '../../shared/errors.js';
import { queryParam } from '../../shared/http/request.js';
import { errorResult, methodNotAllowed, respond } from '../../shared/http/response.js';
import { outboundContext } from '../../shared/outbound/context.js';
import { parseAgentMessagePath } from '../../shared/outbound/request-checks.js';
import { revokeMessage } from '../../shared/outbound/revoke-message.js';

const context = outboundContext('revoke', process.env);

functions.http('revoke', (req, res) =>
  respond(res, context.logger, async () => {
    const path = parseAgentMessagePath(req.path);
    if (!path || path.messageId === undefined) {
      return errorResult(
        new ApiError(404, 'Not found: use DELETE /v1/phones/{E.164}/agentMessages/{messageId}.', 'NOT_FOUND'),
      );
    }
    if (req.method !== 'DELETE') return methodNotAllowed(req.method, 'DELETE');
    return revokeMessage(
      { phoneNumber: path.phoneNumber, messageId: path.messageId, agentId: queryParam(req, 'agentId') },
      { store: context.store(), rbm: context.rbm(), logger: context.logger },
    );
  }),
);
