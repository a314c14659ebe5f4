/** send (HTTP): POST /v1/phones/{E.164}/agentMessages (docs/http-api.md#send). */
import { ApiError } from '../../shared/errors.js';
import {
  errorResult,
  rbmUnavailableResult,
  storageUnavailableResult,
  type HttpResult,
} from '../../shared/http/response.js';
import { MESSAGE_ID_HEADER, REPLAYED_HEADER } from '../../shared/http/message-headers.js';
import { sendMessage, unsubscribedError, type SendOutcome } from '../../shared/outbound/send-message.js';
import { serveHttp } from '../../shared/runtime/http.js';
import { CORRELATION_ID_HEADER, FALLBACK_POLICY_HEADER } from '../../shared/outbound/send-headers.js';
import { sendPath } from '../../shared/outbound/send-wiring.js';
import { sendSpec } from './spec.js';

serveHttp(sendSpec, sendPath, {
  send: async (call, deps) =>
    sendAnswer(
      await sendMessage(
        {
          phoneNumber: call.params.phoneNumber ?? '',
          messageId: call.query('messageId'),
          agentId: call.query('agentId'),
          idempotencyKey: call.header('idempotency-key'),
          correlationId: call.header(CORRELATION_ID_HEADER),
          fallbackPolicy: call.header(FALLBACK_POLICY_HEADER),
          body: await call.json(),
        },
        deps(),
      ),
    ),
});

function sendAnswer(outcome: SendOutcome): HttpResult {
  const headers: Record<string, string> = { [MESSAGE_ID_HEADER]: outcome.messageId };
  switch (outcome.kind) {
    case 'sent':
      if (outcome.replayed) headers[REPLAYED_HEADER] = 'true';
      return { status: 200, body: outcome.body, headers };
    case 'rejected':
      if (outcome.replayed) headers[REPLAYED_HEADER] = 'true';
      return { status: outcome.status, body: { error: outcome.error }, headers };
    case 'unsubscribed':
      if (outcome.replayed) headers[REPLAYED_HEADER] = 'true';
      return errorResult(unsubscribedError(), headers);
    case 'idConflict':
      return errorResult(
        new ApiError(
          409,
          `Message id ${outcome.messageId} was already used for a different request.`,
          'ALREADY_EXISTS',
        ),
        headers,
      );
    case 'rbmUnavailable':
      return rbmUnavailableResult(
        outcome,
        'the message is recorded as PENDING. Retry with the same messageId or Idempotency-Key.',
        headers,
      );
    case 'storageUnavailable':
      return storageUnavailableResult(
        'retry with the same messageId (see the Rbm-Message-Id header): nothing is sent twice.',
        headers,
      );
    case 'internalError':
      return errorResult(
        new ApiError(
          500,
          'Internal error; retry with the same messageId (see the Rbm-Message-Id header): nothing is sent twice.',
          'INTERNAL',
        ),
        headers,
      );
  }
}
