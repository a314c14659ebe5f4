/** OAuth access tokens for the RBM API: from the RBM service-account key, ADC, or none for a local fake. */
import { GoogleAuth } from 'google-auth-library';
import { RBM_SCOPE, type RbmAuthConfig } from '../config/rbm.js';

/** Resolves to the bearer token to send, or undefined to send none. */
export type AccessTokenSource = () => Promise<string | undefined>;

export function accessTokenSource(auth: RbmAuthConfig): AccessTokenSource {
  if (auth.kind === 'none') return async () => undefined;
  const googleAuth =
    auth.kind === 'serviceAccountKey'
      ? new GoogleAuth({ credentials: auth.key, scopes: [RBM_SCOPE] })
      : new GoogleAuth({ scopes: [RBM_SCOPE] });
  return async () => {
    const token = await googleAuth.getAccessToken();
    if (!token) throw new Error('No access token was obtained for the RBM API.');
    return token;
  };
}
