/** The send gate: whether a message must be refused because its recipient unsubscribed. */
import type { Consent } from './consent-rules.js';

export const CONSENT_MODES = ['promotional', 'strict', 'off'] as const;
/**
 * `promotional` refuses promotions to unsubscribed phones; `strict` refuses them everything but what a user
 * asked for or must get (codes, requested service, the acknowledgement of the unsubscribe); `off` refuses
 * nothing.
 */
export type ConsentMode = (typeof CONSENT_MODES)[number];
export const DEFAULT_CONSENT_MODE: ConsentMode = 'promotional';

/** Traffic types still sent to an unsubscribed phone in `strict` mode. */
const STRICT_ALLOWED_TRAFFIC = new Set(['AUTHENTICATION', 'SERVICEREQUEST', 'ACKNOWLEDGEMENT']);

/** `RBM_CONSENT_MODE`, case-insensitive; unset or blank is the default; undefined when not a mode. */
export function parseConsentMode(value: string | undefined): ConsentMode | undefined {
  const mode = (value ?? '').trim().toLowerCase();
  if (mode === '') return DEFAULT_CONSENT_MODE;
  return (CONSENT_MODES as readonly string[]).includes(mode) ? (mode as ConsentMode) : undefined;
}

/**
 * True when the message must not be sent. A phone with no consent document is subscribed. In `strict`
 * mode a message without a traffic type is refused: nothing says it is one of the allowed kinds.
 */
export function consentRefusal(
  mode: ConsentMode,
  trafficType: string | undefined,
  consent: Pick<Consent, 'subscribed'> | undefined,
): boolean {
  if (consent === undefined || consent.subscribed) return false;
  switch (mode) {
    case 'off':
      return false;
    case 'promotional':
      return trafficType === 'PROMOTION';
    case 'strict':
      return trafficType === undefined || !STRICT_ALLOWED_TRAFFIC.has(trafficType);
  }
}
