import { describe, expect, it } from 'vitest';
import { heldMessageOf } from '../../devtools/clients/dead-letter-clients.js';
import {
  DELIVERY_COUNT_ATTRIBUTE,
  describePayload,
  formatList,
  forwardedAttributes,
  listDeadLetters,
  replayDeadLetters,
  type HeldMessage,
  type HoldSubscription,
  type RejectReasons,
} from '../../devtools/dead-letters.js';

const PHONE = '+15550109876';

/** The hold subscription in memory: pull leases, acknowledge removes, release gives back; every call logged. */
class FakeHold implements HoldSubscription {
  readonly held = new Map<string, HeldMessage>();
  readonly leased = new Set<string>();
  readonly calls: string[] = [];
  private deliveries = 0;
  failPullAfter: number | undefined;
  /** Real Pub/Sub may return fewer messages than asked for. */
  perPull = Number.MAX_SAFE_INTEGER;

  constructor(messages: readonly HeldMessage[]) {
    for (const message of messages) this.held.set(message.messageId, message);
  }

  async pull(max: number): Promise<HeldMessage[]> {
    if (
      this.failPullAfter !== undefined &&
      this.calls.filter((c) => c === 'pull').length >= this.failPullAfter
    )
      throw new Error('pull failed');
    this.calls.push('pull');
    const available = [...this.held.values()]
      .filter((m) => !this.leased.has(m.messageId))
      .slice(0, Math.min(max, this.perPull));
    return available.map((message) => {
      this.leased.add(message.messageId);
      return { ...message, ackId: `${message.messageId}#${++this.deliveries}` };
    });
  }

  async acknowledge(ackIds: readonly string[]): Promise<void> {
    for (const ackId of ackIds) {
      const id = ackId.split('#')[0] ?? '';
      this.calls.push(`ack ${id}`);
      this.held.delete(id);
      this.leased.delete(id);
    }
  }

  async release(ackIds: readonly string[]): Promise<void> {
    for (const ackId of ackIds) {
      const id = ackId.split('#')[0] ?? '';
      this.calls.push(`release ${id}`);
      this.leased.delete(id);
    }
  }
}

function held(id: string, payload: unknown, attributes: Record<string, string> = {}): HeldMessage {
  return {
    ackId: '',
    messageId: id,
    publishTime: new Date('2026-11-20T10:00:00Z'),
    data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    attributes: {
      [DELIVERY_COUNT_ATTRIBUTE]: '10',
      CloudPubSubDeadLetterSourceSubscription: 'rbm-inbound-to-inbound',
      ...attributes,
    },
  };
}

const userText = (id: string) => ({
  senderPhoneNumber: PHONE,
  messageId: id,
  sendTime: '2026-11-20T09:59:00Z',
  text: 'my one-time code is 123456',
  agentId: 'agent@rbm.goog',
});
const delivered = { eventType: 'DELIVERED', eventId: 'e1', messageId: 'm1', senderPhoneNumber: PHONE };

const noReasons: RejectReasons = async () => new Map();

describe('listDeadLetters', () => {
  it('lists every held message with id, publish time, attempts and size, and acknowledges none', async () => {
    const hold = new FakeHold([held('1', userText('u1')), held('2', delivered)]);
    const result = await listDeadLetters({ hold, rejectReasons: noReasons, max: 100 });

    expect(result.truncated).toBe(false);
    expect(result.messages.map((m) => [m.messageId, m.deliveryAttempts, m.sizeBytes])).toEqual([
      ['1', 10, Buffer.byteLength(JSON.stringify(userText('u1')))],
      ['2', 10, Buffer.byteLength(JSON.stringify(delivered))],
    ]);
    expect(result.messages[0]?.publishTime?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(hold.held.size).toBe(2);
    expect(hold.leased.size).toBe(0);
    expect(hold.calls.some((call) => call.startsWith('ack'))).toBe(false);
  });

  it('keeps pulling while a pull returns fewer messages than are held', async () => {
    const hold = new FakeHold(['1', '2', '3'].map((id) => held(id, delivered)));
    hold.perPull = 1;
    const result = await listDeadLetters({ hold, rejectReasons: noReasons, max: 100 });
    expect(result.messages.map((m) => m.messageId)).toEqual(['1', '2', '3']);
    expect(result.truncated).toBe(false);
    expect(hold.leased.size).toBe(0);
  });

  it('stops at max, says the list is truncated, and still releases every lease', async () => {
    const hold = new FakeHold(['1', '2', '3'].map((id) => held(id, delivered)));
    const result = await listDeadLetters({ hold, rejectReasons: noReasons, max: 2 });
    expect(result.messages).toHaveLength(2);
    expect(result.truncated).toBe(true);
    expect(hold.leased.size).toBe(0);
    expect(formatList(result, 'hold').at(-1)).toMatch(/raise --max/);
  });

  it('releases what it leased when a later pull fails', async () => {
    const hold = new FakeHold(['1', '2'].map((id) => held(id, delivered)));
    hold.perPull = 1;
    hold.failPullAfter = 1;
    await expect(listDeadLetters({ hold, rejectReasons: noReasons, max: 10 })).rejects.toThrow('pull failed');
    expect(hold.leased.size).toBe(0);
  });

  it('gives the inboundRejects reason of a reject with the same bytes, and none otherwise', async () => {
    const rejected = held('1', '{"not": "rbm"}');
    const other = held('2', delivered);
    const hold = new FakeHold([rejected, other]);
    let askedSince: Date | undefined;
    const reasons: RejectReasons = async (payloads, since) => {
      askedSince = since;
      expect(payloads.map((p) => p.toString())).toEqual(['{"not": "rbm"}', JSON.stringify(delivered)]);
      return new Map([[rejected.data.toString('base64'), `unknown shape from ${PHONE}`]]);
    };
    const result = await listDeadLetters({ hold, rejectReasons: reasons, max: 10 });
    expect(result.messages.map((m) => m.rejectReason)).toEqual([
      'unknown shape from +*******9876',
      undefined,
    ]);
    expect(askedSince?.toISOString()).toBe('2026-11-13T10:00:00.000Z');
  });

  it('says so when nothing is held, without looking up rejects', async () => {
    const result = await listDeadLetters({
      hold: new FakeHold([]),
      rejectReasons: () => Promise.reject(new Error('not called')),
      max: 10,
    });
    expect(formatList(result, 'projects/p/subscriptions/hold')).toEqual([
      'projects/p/subscriptions/hold holds no messages.',
    ]);
  });
});

describe('describePayload and formatList never print a full phone number or the message text', () => {
  it.each([
    ['user text', userText('u1'), `user text from +*******9876, id u1`],
    ['delivery event', delivered, 'DELIVERED for +*******9876, message m1'],
    [
      'unsubscribe',
      { eventType: 'UNSUBSCRIBE', eventId: 'e2', senderPhoneNumber: PHONE },
      'UNSUBSCRIBE from +*******9876',
    ],
    ['not JSON', 'garbage', 'not JSON'],
  ])('%s', (_label, payload, expected) => {
    const data = Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
    const line = describePayload(data, {});
    expect(line).toBe(expected);
    expect(line).not.toContain(PHONE);
    expect(line).not.toContain('123456');
  });

  it('formatList masks phone numbers wherever they appear', async () => {
    const hold = new FakeHold([held('1', userText('u1'))]);
    const reasons: RejectReasons = async (payloads) =>
      new Map([[payloads[0]!.toString('base64'), `foreign agent for ${PHONE}`]]);
    const lines = formatList(await listDeadLetters({ hold, rejectReasons: reasons, max: 5 }), 'hold');
    expect(lines.join('\n')).not.toContain(PHONE);
    expect(lines[1]).toMatch(
      /^ {2}1 {2}published 2026-11-20T10:00:00\.000Z {2}attempts 10 {2}\d+ B {2}user text/,
    );
    expect(lines[1]).toContain('rejected: foreign agent for +*******9876');
  });
});

describe('replayDeadLetters', () => {
  it('republishes data and original attributes, acknowledging each message right after its republish', async () => {
    const hold = new FakeHold([held('1', delivered, { type: 'x' }), held('2', userText('u2'))]);
    const published: Array<{ data: string; attributes: Record<string, string> }> = [];
    const result = await replayDeadLetters({
      hold,
      max: Number.MAX_SAFE_INTEGER,
      republish: async (data, attributes) => {
        hold.calls.push(`publish ${published.length + 1}`);
        published.push({ data: data.toString(), attributes });
        return `new-${published.length}`;
      },
    });
    expect(result.failure).toBeUndefined();
    expect(result.replayed).toEqual([
      { heldMessageId: '1', republishedId: 'new-1' },
      { heldMessageId: '2', republishedId: 'new-2' },
    ]);
    expect(published).toEqual([
      { data: JSON.stringify(delivered), attributes: { type: 'x' } },
      { data: JSON.stringify(userText('u2')), attributes: {} },
    ]);
    expect(hold.calls.filter((c) => c !== 'pull')).toEqual(['publish 1', 'ack 1', 'publish 2', 'ack 2']);
    expect(hold.held.size).toBe(0);
  });

  it('stops at the first failed republish: that message and the rest stay held, unleased', async () => {
    const hold = new FakeHold(['1', '2', '3'].map((id) => held(id, delivered)));
    let calls = 0;
    const result = await replayDeadLetters({
      hold,
      max: 10,
      republish: async () => {
        calls += 1;
        if (calls === 2) throw new Error('PERMISSION_DENIED');
        return `new-${calls}`;
      },
    });
    expect(result.replayed.map((r) => r.heldMessageId)).toEqual(['1']);
    expect(result.failure).toEqual({ heldMessageId: '2', error: 'PERMISSION_DENIED' });
    expect([...hold.held.keys()]).toEqual(['2', '3']);
    expect(hold.leased.size).toBe(0);
    expect(hold.calls).not.toContain('ack 2');
  });

  it('replays at most max messages', async () => {
    const hold = new FakeHold(['1', '2', '3'].map((id) => held(id, delivered)));
    const result = await replayDeadLetters({ hold, max: 2, republish: async () => 'id' });
    expect(result.replayed).toHaveLength(2);
    expect([...hold.held.keys()]).toEqual(['3']);
  });

  it('acknowledges a redelivery of a message it already replayed without publishing it again', async () => {
    const message = held('1', delivered);
    const ackIds: string[] = [];
    let pulls = 0;
    const hold: HoldSubscription = {
      // The acknowledgement of the first delivery is lost: the message comes once more.
      pull: async () => (++pulls <= 2 ? [{ ...message, ackId: `a${pulls}` }] : []),
      acknowledge: async (ids) => void ackIds.push(...ids),
      release: async () => undefined,
    };
    let publishes = 0;
    const result = await replayDeadLetters({ hold, max: 10, republish: async () => `p${++publishes}` });
    expect(publishes).toBe(1);
    expect(result.replayed).toHaveLength(1);
    expect(ackIds).toEqual(['a1', 'a2']);
  });
});

describe('forwardedAttributes', () => {
  it.each([
    [{}, {}],
    [{ type: 'agent_launch_event' }, { type: 'agent_launch_event' }],
    [
      {
        a: '1',
        CloudPubSubDeadLetterSourceDeliveryCount: '10',
        CloudPubSubDeadLetterSourceSubscription: 's',
      },
      { a: '1' },
    ],
  ])('%j → %j', (attributes, expected) => {
    expect(forwardedAttributes(attributes)).toEqual(expected);
  });
});

describe('heldMessageOf', () => {
  it('converts a pulled message: publish time with milliseconds, bytes and attributes', () => {
    expect(
      heldMessageOf({
        ackId: 'ack-1',
        message: {
          messageId: '42',
          data: Buffer.from('{}'),
          attributes: { a: 'b' },
          publishTime: { seconds: 1795886966, nanos: 690_000_000 },
        },
      }),
    ).toEqual({
      ackId: 'ack-1',
      messageId: '42',
      publishTime: new Date('2026-11-28T17:29:26.690Z'),
      data: Buffer.from('{}'),
      attributes: { a: 'b' },
    });
  });

  it.each([
    ['no ack id', { message: { messageId: '1' } }],
    ['no message', { ackId: 'a' }],
  ])('skips an entry with %s', (_label, received) => {
    expect(heldMessageOf(received)).toBeUndefined();
  });
});
