/**
 * One printable line per published event or stored record, for the CLI and the demo. Phone numbers are masked
 * (last four digits at most). Agent messages carry no text here (their records never store it). Pure.
 */
import { maskPhone } from '../../shared/phone.js';

type Json = Readonly<Record<string, unknown>>;

function objectOf(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function text(value: unknown, fallback = '?'): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function phoneOf(json: Json, field = 'phoneNumber'): string {
  const phone = json[field];
  return typeof phone === 'string' ? maskPhone(phone) : '?';
}

/** `key value` pairs for the fields that are set, e.g. `correlation order-42`. */
function extras(pairs: ReadonlyArray<readonly [string, unknown]>): string {
  return pairs
    .filter(([, value]) => value !== undefined && value !== null && value !== false && value !== '')
    .map(([label, value]) => (value === true ? label : `${label} ${String(value)}`))
    .join('  ');
}

function joined(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('  ');
}

/** `REASON/CERTAINTY`, with `delivered after` when the message arrived after the decision. */
export function decisionText(fallback: unknown): string | undefined {
  const decision = objectOf(fallback);
  if (typeof decision.reason !== 'string') return undefined;
  const after = decision.deliveredAfter === true ? ' (delivered after)' : '';
  return `${decision.reason}/${text(decision.certainty)}${after}`;
}

/** A status event from rbm-message-status. */
export function statusLine(event: unknown): string {
  const json = objectOf(event);
  const previous = typeof json.previousState === 'string' ? json.previousState : '∅';
  return joined(
    text(json.at),
    text(json.messageId),
    `${previous} → ${text(json.state)}`,
    `to ${phoneOf(json)}`,
    extras([
      ['correlation', json.correlationId],
      ['campaign', json.campaignId],
      ['fallback', decisionText(json.fallback)],
      ['revoke failed', json.revokeFailed === true],
      ['error', objectOf(json.error).reason ?? objectOf(json.error).status],
    ]),
  );
}

/** A fallback decision from rbm-fallback. */
export function fallbackLine(event: unknown): string {
  const json = objectOf(event);
  return joined(
    text(json.decidedAt),
    text(json.messageId),
    `${text(json.reason)} (${text(json.certainty)})`,
    `to ${phoneOf(json)}`,
    extras([
      ['traffic', json.trafficType],
      ['correlation', json.correlationId],
      ['campaign', json.campaignId],
    ]),
  );
}

/** A consent change from rbm-consent-changes. */
export function consentLine(event: unknown): string {
  const json = objectOf(event);
  const subscribed =
    json.subscribed === true ? 'subscribed' : json.subscribed === false ? 'unsubscribed' : '?';
  return joined(text(json.changedAt), phoneOf(json), subscribed, `(${text(json.source)})`);
}

/** A user message from rbm-user-messages, with its payload (what the user wrote or tapped). */
export function userMessageLine(event: unknown): string {
  const json = objectOf(event);
  const kind = text(json.kind, 'message');
  const payload = JSON.stringify(kind in json ? json[kind] : json);
  return joined(text(json.sendTime), `from ${phoneOf(json)}`, kind, payload, `(id ${text(json.messageId)})`);
}

/** An `agentMessages` record as the query API answers it, for lists. */
export function recordLine(record: unknown): string {
  const json = objectOf(record);
  return joined(
    text(json.createdAt),
    text(json.messageId),
    text(json.state),
    extras([
      ['traffic', json.trafficType],
      ['policy', json.fallbackPolicy],
      ['fallback', decisionText(json.fallback)],
      ['revoke failed', json.revokeFailed === true],
      ['error', objectOf(json.error).reason ?? objectOf(json.error).status],
      ['correlation', json.correlationId],
    ]),
  );
}

/** `+` or its URL encoding, then the digits of an E.164 number. */
const E164_IN_TEXT = /(?:\+|%2B)([1-9]\d{6,14})(?!\d)/gi;

/** The text with every E.164 number in it masked (resource names and error messages carry them too). */
export function maskPhonesIn(output: string): string {
  return output.replace(E164_IN_TEXT, (_, digits: string) => maskPhone(`+${digits}`));
}
