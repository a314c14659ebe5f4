/** Google's JSON error shape (google.rpc.Status), as the RBM API answers it. */

export type GoogleErrorStatus =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE';

export interface GoogleErrorBody {
  readonly error: { readonly code: number; readonly status: GoogleErrorStatus; readonly message: string };
}

export function googleError(code: number, status: GoogleErrorStatus, message: string): GoogleErrorBody {
  return { error: { code, status, message } };
}

export type InjectableStatus = 400 | 401 | 403 | 404 | 429 | 500 | 503;

export function statusNameFor(code: InjectableStatus): GoogleErrorStatus {
  switch (code) {
    case 400:
      return 'INVALID_ARGUMENT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'PERMISSION_DENIED';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RESOURCE_EXHAUSTED';
    case 500:
      return 'INTERNAL';
    case 503:
      return 'UNAVAILABLE';
  }
}
