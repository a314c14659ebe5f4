/** `phones.getCapabilities` and `users.batchGet`: what a phone supports, and which phones are on RCS. */
import { NOT_FOUND_ANSWER, errorAnswer, okAnswer } from '../api-answer.js';
import type { ApiAnswer } from '../api-answer.js';
import type { FakeRbmState } from '../state.js';
import type { BatchGetUsersResponse, RecordedCall } from '../types.js';
import { E164, callerAgentKey, isJsonObject } from './context.js';
import type { RouteContext } from './context.js';

export const MAX_BATCH_GET_USERS = 10_000;
/** Below this many numbers RBM draws no random sample (both sample counts are 0). */
export const MIN_SAMPLED_USERS = 500;
const SAMPLE_SHARE = 0.75;

/** 200 `{features}` (omitted when empty, as Google's JSON omits empty lists) for a phone on RCS; 404 otherwise. A
 * repeated requestId is marked a duplicate and answered the same way (what RBM answers then is not documented). */
export function getCapabilities(context: RouteContext, call: RecordedCall, phone: string): ApiAnswer {
  const { state } = context;
  const requestId = call.query.requestId;
  if (requestId !== undefined && !state.claimCapabilityRequestId(callerAgentKey(call), requestId)) {
    call.duplicate = true;
  }
  if (state.phoneState(phone) === 'unreachable') return NOT_FOUND_ANSWER;
  const features = state.featuresOf(phone);
  return okAnswer(features.length === 0 ? {} : { features: [...features] });
}

export function batchGetUsers(context: RouteContext, call: RecordedCall): ApiAnswer {
  const body = call.body;
  const users = isJsonObject(body) ? body.users : undefined;
  if (!Array.isArray(users) || users.length === 0 || !users.every((user) => typeof user === 'string')) {
    return errorAnswer(400, 'INVALID_ARGUMENT', 'users must be a non-empty list of phone numbers.');
  }
  const distinct = [...new Set(users as string[])];
  if (distinct.length > MAX_BATCH_GET_USERS) {
    return errorAnswer(400, 'INVALID_ARGUMENT', `At most ${MAX_BATCH_GET_USERS} users per request.`);
  }
  return okAnswer(batchGetAnswer(context.state, distinct));
}

/** The sample is the first 75 % of the distinct numbers, so answers are reproducible. */
function batchGetAnswer(state: FakeRbmState, users: readonly string[]): BatchGetUsersResponse {
  const reachable = (user: string): boolean => E164.test(user) && state.phoneState(user) !== 'unreachable';
  const sample =
    users.length < MIN_SAMPLED_USERS ? [] : users.slice(0, Math.round(users.length * SAMPLE_SHARE));
  return {
    reachableUsers: users.filter(reachable),
    totalRandomSampleUserCount: sample.length,
    reachableRandomSampleUserCount: sample.filter(reachable).length,
  };
}
