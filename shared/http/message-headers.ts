/** Response headers of send and of campaign dispatch, shared by their HTTP mappings, the request log and the tests. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MESSAGE_ID_HEADER = 'Rbm-Message-Id';
