/** OAuth access tokens for the RBM API: from the RBM service-account key, ADC, or none for a local fake. */
import { GoogleAuth } from 'google-auth-library';
import { RBM_SCOPE, type RbmAuthConfig } from '../config/rbm.js';

/** Resolves to the bearer token to send, or undefined to send none. */
export type AccessTokenSource = () => Promise<string | undefined>;

/** Tokens for `scope` (the RBM API's unless given); `api` names the API in the error when none is obtained. */
export function accessTokenSource(
  auth: RbmAuthConfig,
  scope: string = RBM_SCOPE,
  api = 'the RBM API',
): AccessTokenSource {
  if (auth.kind === 'none') return async () => undefined;
  const googleAuth =
    auth.kind === 'serviceAccountKey'
      ? new GoogleAuth({ credentials: auth.key, scopes: [scope] })
      : new GoogleAuth({ scopes: [scope] });
  return async () => {
    const token = await googleAuth.getAccessToken();
    if (!token) throw new Error(`No access token was obtained for ${api}.`);
    return token;
  };
}
