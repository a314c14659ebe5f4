/** Response headers of send, shared by its HTTP mapping, the CLI and the tests. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
export const MESSAGE_ID_HEADER = 'Rbm-Message-Id';
