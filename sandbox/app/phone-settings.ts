/**
 * `POST /sandbox/api/phones[/{phone}]`: add a sandbox phone or change its reachability, delivery mode and
 * features. Options the request does not name are kept.
 */
import type { FakeRbm, PhoneOptions, PhoneState } from '../fake-rbm/index.js';
import { badRequest, optionalNumber, optionalString } from './http-io.js';
import { PHONE_MODES, PHONE_STATES, phoneOptionsFor } from './view-model.js';
import type { PhoneMode } from './view-model.js';

const MAX_FEATURES = 64;
const FEATURE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;

export function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  field: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw badRequest(`${field} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** RBM feature names; unknown ones are allowed (the device reports what it reports). */
function optionalFeatures(body: Record<string, unknown>): string[] | undefined {
  const value = body.features;
  if (value === undefined || value === null) return undefined;
  if (
    !Array.isArray(value) ||
    value.length > MAX_FEATURES ||
    !value.every((name) => typeof name === 'string' && FEATURE_NAME.test(name))
  ) {
    throw badRequest(
      `features must be a list of at most ${MAX_FEATURES} feature names such as RICHCARD_CAROUSEL`,
    );
  }
  return [...new Set(value as string[])];
}

export interface PhoneSettings {
  readonly phone: string;
  readonly state: PhoneState;
  readonly options?: PhoneOptions;
}

/**
 * Applies `{state?, mode?, delayMs?, features?}` to the phone. A phone seen for the first time gets the mode
 * (default auto-read) with `defaultDelayMs`; later calls replace the delivery options only when a mode is given.
 */
export async function configurePhone(
  rbm: FakeRbm,
  phone: string,
  body: Record<string, unknown>,
  defaultDelayMs: number,
): Promise<PhoneSettings> {
  const known = rbm.phones().find((info) => info.phone === phone);
  const state = oneOf<PhoneState>(optionalString(body, 'state'), PHONE_STATES, 'state');
  const mode = oneOf<PhoneMode>(optionalString(body, 'mode'), PHONE_MODES, 'mode');
  const delayMs = optionalNumber(body, 'delayMs');
  if (delayMs !== undefined && (delayMs < 0 || delayMs > 600_000)) throw badRequest('delayMs out of range');
  const features = optionalFeatures(body);
  const delivery =
    mode !== undefined || known === undefined
      ? phoneOptionsFor(mode ?? 'auto-read', delayMs ?? defaultDelayMs)
      : undefined;
  // setPhone replaces the phone's options: keep the delivery options when only the features change.
  const options =
    delivery === undefined && features === undefined
      ? undefined
      : { ...(delivery ?? known?.options), ...(features ? { features } : {}) };
  const nextState = state ?? known?.state ?? 'reachable';
  await rbm.setPhone(phone, nextState, options);
  return { phone, state: nextState, ...(options ? { options } : {}) };
}
