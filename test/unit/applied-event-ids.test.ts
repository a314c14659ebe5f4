import { describe, expect, it } from 'vitest';
import {
  applyDeliveryEvent,
  type AgentMessageRecord,
  type DeliveryFact,
} from '../../shared/delivery-state.js';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const event = (eventId: string, fact: DeliveryFact) => ({
  eventId,
  messageId: 'm1',
  agentId: 'agent',
  phoneNumber: '+15550000001',
  fact,
});

/** Bytes the applied event ids take in the stored record. */
const idBytes = (record: AgentMessageRecord | undefined) =>
  (record?.appliedEventIds ?? []).reduce((sum, id) => sum + Buffer.byteLength(id), 0);

describe('applied event ids stay small', () => {
  it.each([
    ['a 1 MB event id', 'e'.repeat(1_000_000)],
    ['a 129-byte event id', 'e'.repeat(129)],
  ])('%s is kept as a 71-byte digest and still de-duplicates', (_name, eventId) => {
    const once = applyDeliveryEvent(undefined, event(eventId, { kind: 'delivered', at: at(1) }), at(2));
    expect(once?.appliedEventIds).toEqual([expect.stringMatching(/^sha256:[0-9a-f]{64}$/)]);
    expect(idBytes(once)).toBe(71);
    expect(applyDeliveryEvent(once, event(eventId, { kind: 'delivered', at: at(1) }), at(3))).toBeUndefined();
  });

  it('a short event id is kept as it is', () => {
    const once = applyDeliveryEvent(undefined, event('MxAbC-1', { kind: 'read', at: at(1) }), at(2));
    expect(once?.appliedEventIds).toEqual(['MxAbC-1']);
  });

  it('32 huge distinct event ids take a few KiB, not MiB', () => {
    let record: AgentMessageRecord | undefined;
    for (let i = 0; i < 40; i++) {
      const eventId = `${String(i).padStart(2, '0')}${'e'.repeat(100_000)}`;
      record = applyDeliveryEvent(record, event(eventId, { kind: 'delivered', at: at(i) }), at(i)) ?? record;
    }
    expect(record?.appliedEventIds).toHaveLength(32);
    expect(idBytes(record)).toBeLessThanOrEqual(32 * 71);
  });
});
