/**
 * Client options for the gcloud emulators. Emulators need no credentials, but without any the client
 * libraries first probe Application Default Credentials and the metadata server (about a second on the
 * first call, and a MetadataLookupWarning). A placeholder key skips the probe; it is never used to sign.
 * Outside emulator mode this returns nothing and the libraries use ADC as usual.
 */
export const EMULATOR_PLACEHOLDER_CREDENTIALS = {
  client_email: 'emulator@localhost.invalid',
  private_key: 'unused-in-emulator-mode',
};

export function emulatorCredentials(
  emulatorHostVariable: 'FIRESTORE_EMULATOR_HOST' | 'PUBSUB_EMULATOR_HOST',
): {
  credentials?: typeof EMULATOR_PLACEHOLDER_CREDENTIALS;
} {
  return process.env[emulatorHostVariable] ? { credentials: EMULATOR_PLACEHOLDER_CREDENTIALS } : {};
}
