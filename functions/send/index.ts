/** send (HTTP): POST /v1/phones/{E.164}/agentMessages?messageId=&agentId= — CONTRACT §4. */
import * as functions from '@google-cloud/functions-framework';
import { ApiError } from '../../shared/errors.js';
import { installBodyParseErrorPassthrough } from '../../shared/http/body-parse-errors.js';
import { jsonObjectBody, queryParam } from '../../shared/http/request.js';
import { errorResult, methodNotAllowed, respond } from '../../shared/http/response.js';
import { outboundContext } from '../../shared/outbound/context.js';
import { parseAgentMessagePath } from '../../shared/outbound/request-checks.js';
import { sendMessage } from '../../shared/outbound/send-message.js';

installBodyParseErrorPassthrough();
const context = outboundContext('send', process.env);

functions.http('send', (req, res) =>
  respond(res, context.logger, async () => {
    const path = parseAgentMessagePath(req.path);
    if (!path || path.messageId !== undefined) {
      return errorResult(
        new ApiError(404, 'Not found: use POST /v1/phones/{E.164}/agentMessages.', 'NOT_FOUND'),
      );
    }
    if (req.method !== 'POST') return methodNotAllowed(req.method, 'POST');
    return sendMessage(
      {
        phoneNumber: path.phoneNumber,
        messageId: queryParam(req, 'messageId'),
        agentId: queryParam(req, 'agentId'),
        idempotencyKey: req.get('idempotency-key'),
        body: await jsonObjectBody(req),
      },
      { store: context.store(), rbm: context.rbm(), logger: context.logger },
    );
  }),
);
