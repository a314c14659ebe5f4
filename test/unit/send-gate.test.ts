import { describe, expect, it } from 'vitest';
import { MESSAGE_TRAFFIC_TYPES } from '../../shared/agent-message/types.js';
import {
  CONSENT_MODES,
  consentRefusal,
  parseConsentMode,
  type ConsentMode,
} from '../../shared/consent/send-gate.js';

const TRAFFIC_TYPES: Array<string | undefined> = [undefined, ...MESSAGE_TRAFFIC_TYPES];

/** The traffic types each mode refuses to an unsubscribed phone. */
const REFUSED: Record<ConsentMode, Array<string | undefined>> = {
  promotional: ['PROMOTION'],
  strict: [undefined, 'MESSAGE_TRAFFIC_TYPE_UNSPECIFIED', 'TRANSACTION', 'PROMOTION'],
  off: [],
};

const consents = [
  { name: 'unsubscribed', consent: { subscribed: false } },
  { name: 'subscribed', consent: { subscribed: true } },
  { name: 'no consent document', consent: undefined },
];

const cases = CONSENT_MODES.flatMap((mode) =>
  TRAFFIC_TYPES.flatMap((trafficType) =>
    consents.map(({ name, consent }) => ({
      mode,
      trafficType: trafficType ?? '(none)',
      name,
      consent,
      refused: consent?.subscribed === false && REFUSED[mode].includes(trafficType),
      raw: trafficType,
    })),
  ),
);

describe('consentRefusal', () => {
  it.each(cases)('$mode, $trafficType, $name → refused $refused', ({ mode, raw, consent, refused }) => {
    expect(consentRefusal(mode, raw, consent)).toBe(refused);
  });
});

describe('parseConsentMode', () => {
  const modes: Array<[string | undefined, ConsentMode | undefined]> = [
    [undefined, 'promotional'],
    ['', 'promotional'],
    ['strict', 'strict'],
    [' OFF ', 'off'],
    ['Promotional', 'promotional'],
    ['everything', undefined],
  ];
  it.each(modes)('%j → %s', (value, mode) => {
    expect(parseConsentMode(value)).toBe(mode);
  });
});
