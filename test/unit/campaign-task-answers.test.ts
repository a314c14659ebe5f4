/** How the campaign task routes answer Cloud Tasks: 2xx for every permanent outcome, 5xx only when a retry can help. */
import { describe, expect, it } from 'vitest';
import {
  EXPIRED_BEFORE_DISPATCH,
  INVALID_AT_DISPATCH,
  undeliverableError,
  type DispatchOutcome,
} from '../../shared/campaigns/dispatch-recipient.js';
import type { EnqueueChunkOutcome } from '../../shared/campaigns/enqueue-chunk.js';
import {
  dispatchTaskAnswer,
  enqueueTaskAnswer,
  malformedTaskAnswer,
  retryCannotHelp,
} from '../../shared/campaigns/task-answers.js';
import { validateAgentMessage } from '../../shared/agent-message/validate.js';
import { ApiError } from '../../shared/errors.js';

const ID = '6f1c3b0e-9d2a-4c1e-8b7a-2f3d4e5f6a7b';
const EXPIRED = { ...undeliverableError([{ field: 'expireTime', description: 'must be in the future' }]) };
const RBM_ERROR = { code: 404, status: 'NOT_FOUND', message: 'not on RCS' };

describe('dispatchTaskAnswer', () => {
  const sendOutcome = (outcome: Extract<DispatchOutcome, { kind: 'sendOutcome' }>['outcome']) =>
    ({ kind: 'sendOutcome', messageId: ID, outcome }) as const;
  it.each<{ name: string; outcome: DispatchOutcome; status: number; body?: unknown; log?: string }>([
    {
      name: 'sent',
      outcome: sendOutcome({ kind: 'sent', messageId: ID, body: {}, replayed: false }),
      status: 200,
      body: { outcome: 'sent' },
    },
    {
      name: 'RBM refused',
      outcome: sendOutcome({
        kind: 'rejected',
        messageId: ID,
        status: 404,
        error: RBM_ERROR,
        replayed: false,
      }),
      status: 200,
      body: { outcome: 'rejected' },
    },
    {
      name: 'unsubscribed',
      outcome: sendOutcome({ kind: 'unsubscribed', messageId: ID, replayed: false }),
      status: 200,
    },
    { name: 'id conflict', outcome: sendOutcome({ kind: 'idConflict', messageId: ID }), status: 200 },
    {
      name: 'cancelled',
      outcome: { kind: 'cancelled', messageId: ID },
      status: 200,
      body: { outcome: 'cancelled' },
    },
    {
      name: 'expired before dispatch',
      outcome: { kind: 'undeliverable', messageId: ID, error: EXPIRED, replayed: false },
      status: 200,
      body: { outcome: 'undeliverable', reason: EXPIRED_BEFORE_DISPATCH },
    },
    {
      name: 'unknown campaign',
      outcome: { kind: 'notFound', messageId: ID },
      status: 200,
      body: { outcome: 'notFound' },
      log: 'WARNING',
    },
    {
      name: 'RBM unavailable',
      outcome: sendOutcome({ kind: 'rbmUnavailable', messageId: ID, attempts: 3, rbmStatus: 'UNAVAILABLE' }),
      status: 503,
    },
    {
      name: 'storage unavailable',
      outcome: sendOutcome({ kind: 'storageUnavailable', messageId: ID }),
      status: 503,
    },
    {
      name: 'an unexpected error (retried by the queue)',
      outcome: sendOutcome({ kind: 'internalError', messageId: ID }),
      status: 500,
    },
  ])('$name → $status', ({ outcome, status, body, log }) => {
    const answer = dispatchTaskAnswer(outcome);
    expect(answer.http.status).toBe(status);
    expect(answer.http.headers).toMatchObject({ 'Rbm-Message-Id': ID });
    if (body !== undefined) expect(answer.http.body).toEqual(body);
    expect(answer.log?.severity).toBe(log);
  });
});

describe('enqueueTaskAnswer', () => {
  const rejectedBy = (status: number, googleStatus: string): EnqueueChunkOutcome => ({
    kind: 'tasksRejected',
    status,
    googleStatus,
    message: 'refused',
  });
  it.each<{
    name: string;
    outcome: EnqueueChunkOutcome;
    status: number;
    outcomeField?: string;
    log?: string;
  }>([
    { name: 'enqueued', outcome: { kind: 'enqueued', tasks: 1000 }, status: 200, outcomeField: 'enqueued' },
    {
      name: 'deferred',
      outcome: { kind: 'deferred', until: new Date(0) },
      status: 200,
      outcomeField: 'deferred',
    },
    {
      name: 'already enqueued',
      outcome: { kind: 'alreadyEnqueued' },
      status: 200,
      outcomeField: 'alreadyEnqueued',
    },
    { name: 'cancelled', outcome: { kind: 'cancelled' }, status: 200, outcomeField: 'cancelled' },
    {
      name: 'unknown campaign',
      outcome: { kind: 'notFound' },
      status: 200,
      outcomeField: 'notFound',
      log: 'WARNING',
    },
    {
      name: 'tasks refused as invalid: retrying cannot help',
      outcome: rejectedBy(400, 'INVALID_ARGUMENT'),
      status: 200,
      outcomeField: 'tasksRejected',
      log: 'ERROR',
    },
    { name: 'tasks refused for a missing grant', outcome: rejectedBy(403, 'PERMISSION_DENIED'), status: 500 },
    { name: 'tasks refused for a missing queue', outcome: rejectedBy(404, 'NOT_FOUND'), status: 500 },
    { name: 'tasks refused on a precondition', outcome: rejectedBy(400, 'FAILED_PRECONDITION'), status: 500 },
    {
      name: 'Cloud Tasks unavailable',
      outcome: { kind: 'tasksUnavailable', message: 'timeout' },
      status: 503,
    },
    { name: 'storage unavailable', outcome: { kind: 'storageUnavailable' }, status: 503 },
  ])('$name → $status', ({ outcome, status, outcomeField, log }) => {
    const answer = enqueueTaskAnswer(outcome);
    expect(answer.http.status).toBe(status);
    if (outcomeField !== undefined) expect(answer.http.body).toMatchObject({ outcome: outcomeField });
    expect(answer.log?.severity).toBe(log);
  });

  it.each([
    [400, 'INVALID_ARGUMENT', true],
    [400, 'FAILED_PRECONDITION', false],
    [401, 'UNAUTHENTICATED', false],
    [403, 'PERMISSION_DENIED', false],
    [404, 'NOT_FOUND', false],
  ])('retryCannotHelp(%s %s) = %s', (status, googleStatus, expected) => {
    expect(retryCannotHelp({ status, googleStatus })).toBe(expected);
  });
});

describe('malformedTaskAnswer', () => {
  it.each([
    {
      name: 'field violations',
      refusal: [{ field: 'phoneNumber', description: 'must be an E.164 number.' }],
      fields: ['phoneNumber'],
      reason: 'invalid fields',
    },
    {
      name: 'a body that is not JSON',
      refusal: new ApiError(400, 'Request body is not valid JSON.'),
      fields: [],
      reason: 'Request body is not valid JSON.',
    },
  ])(
    '$name: 200 (not retried) with a WARNING naming the fields, never the body',
    ({ refusal, fields, reason }) => {
      const answer = malformedTaskAnswer('dispatch', refusal);
      expect(answer.http.status).toBe(200);
      expect(answer.http.body).toMatchObject({ outcome: 'invalid' });
      expect(answer.log).toMatchObject({
        severity: 'WARNING',
        fields: { route: 'dispatch', fields, reason },
      });
    },
  );
});

describe('undeliverableError', () => {
  const message = (expireTime: string) => ({ contentMessage: { text: 'Sale' }, expireTime });
  it.each([
    {
      name: 'an expireTime gone by',
      violations: validateAgentMessage(message('2020-01-01T00:00:00Z'), {
        now: new Date('2030-01-01T00:00:00Z'),
      }),
      reason: EXPIRED_BEFORE_DISPATCH,
      status: 'FAILED_PRECONDITION',
    },
    {
      name: 'another rule',
      violations: [{ field: 'contentMessage.text', description: 'too long' }],
      reason: INVALID_AT_DISPATCH,
      status: 'INVALID_ARGUMENT',
    },
  ])('$name → $reason', ({ violations, reason, status }) => {
    expect(violations).not.toEqual([]);
    expect(undeliverableError(violations)).toMatchObject({ code: 400, status, reason });
  });
});
