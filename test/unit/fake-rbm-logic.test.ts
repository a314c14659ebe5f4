import { describe, expect, it } from 'vitest';
import { RBM_FEATURES, featuresUsedBy, missingFeatures } from '../../sandbox/fake-rbm/features.js';
import { FaultQueue } from '../../sandbox/fake-rbm/faults.js';
import { matchRoute } from '../../sandbox/fake-rbm/route-table.js';
import { FakeRbmState, TYPING_INDICATOR_MS } from '../../sandbox/fake-rbm/state.js';
import type { CallKind, Fault, StoredAgentEvent, StoredMessage } from '../../sandbox/fake-rbm/types.js';

const PHONE = '+15550001111';
const card = (extra: Record<string, unknown> = {}) => ({ title: 't', ...extra });
const action = (kind: Record<string, unknown>) => ({ action: { text: 'go', ...kind } });

describe('featuresUsedBy', () => {
  it.each([
    ['plain text', { contentMessage: { text: 'hi' } }, []],
    ['replies only', { contentMessage: { text: 'hi', suggestions: [{ reply: { text: 'ok' } }] } }, []],
    [
      'a standalone card',
      { contentMessage: { richCard: { standaloneCard: { cardContent: card() } } } },
      ['RICHCARD_STANDALONE'],
    ],
    [
      'a carousel',
      { contentMessage: { richCard: { carouselCard: { cardContents: [card(), card()] } } } },
      ['RICHCARD_CAROUSEL'],
    ],
    [
      'every action kind on the message',
      {
        contentMessage: {
          text: 'hi',
          suggestions: [
            action({ dialAction: { phoneNumber: '+1' } }),
            action({ viewLocationAction: { query: 'x' } }),
            action({ createCalendarEventAction: {} }),
            action({ openUrlAction: { url: 'https://a.example' } }),
            action({ shareLocationAction: {} }),
          ],
        },
      },
      [
        'ACTION_CREATE_CALENDAR_EVENT',
        'ACTION_DIAL',
        'ACTION_OPEN_URL',
        'ACTION_SHARE_LOCATION',
        'ACTION_VIEW_LOCATION',
      ],
    ],
    [
      'a webview link',
      {
        contentMessage: {
          text: 'hi',
          suggestions: [action({ openUrlAction: { url: 'https://a.example', application: 'WEBVIEW' } })],
        },
      },
      ['ACTION_OPEN_URL_IN_WEBVIEW'],
    ],
    [
      'actions inside carousel cards, and a PDF in a card',
      {
        contentMessage: {
          richCard: {
            carouselCard: {
              cardContents: [
                card({ suggestions: [action({ dialAction: { phoneNumber: '+1' } })] }),
                card({ media: { contentInfo: { fileUrl: 'https://a.example/terms.PDF' } } }),
              ],
            },
          },
        },
      },
      ['RICHCARD_CAROUSEL', 'ACTION_DIAL', 'PDF_IN_RICH_CARDS'],
    ],
    ['no body', undefined, []],
    ['garbage', { contentMessage: { richCard: 'nope', suggestions: 'nope' } }, []],
  ])('%s', (_name, body, expected) => {
    expect(featuresUsedBy(body)).toEqual(expected);
  });

  it('names only known features', () => {
    const every = featuresUsedBy({
      contentMessage: {
        richCard: {
          standaloneCard: {
            cardContent: card({
              media: { contentInfo: { fileUrl: 'https://a.example/x.pdf' } },
              suggestions: [action({ openUrlAction: { url: 'https://a.example', application: 'WEBVIEW' } })],
            }),
          },
        },
      },
    });
    for (const feature of every) expect(RBM_FEATURES).toContain(feature);
  });
});

describe('missingFeatures', () => {
  it.each([
    [['RICHCARD_CAROUSEL'], [...RBM_FEATURES], []],
    [['RICHCARD_CAROUSEL', 'ACTION_DIAL'], ['ACTION_DIAL'], ['RICHCARD_CAROUSEL']],
    [[], [], []],
    [['ACTION_DIAL'], ['SOMETHING_NEW'], ['ACTION_DIAL']],
  ])('needs %j, has %j → lacks %j', (needed, available, missing) => {
    expect(missingFeatures(needed, available)).toEqual(missing);
  });
});

describe('matchRoute', () => {
  it.each<[string, string, CallKind | undefined, string | undefined, string | undefined]>([
    ['POST', '/v1/phones/%2B15550001111/agentMessages', 'create', PHONE, undefined],
    ['POST', '/v1/phones/+15550001111/agentMessages', 'create', PHONE, undefined],
    ['DELETE', '/v1/phones/+15550001111/agentMessages/abc', 'delete', PHONE, 'abc'],
    ['DELETE', '/v1/phones/+15550001111/agentMessages', 'other', PHONE, undefined],
    ['GET', '/v1/phones/+15550001111/agentMessages/abc', 'other', PHONE, 'abc'],
    ['POST', '/v1/phones/+15550001111/agentEvents', 'agentEvent', PHONE, undefined],
    ['GET', '/v1/phones/+15550001111/agentEvents', 'other', PHONE, undefined],
    ['GET', '/v1/phones/+15550001111/capabilities', 'capabilities', PHONE, undefined],
    ['POST', '/v1/phones/+15550001111/capabilities', 'other', PHONE, undefined],
    ['POST', '/v1/users:batchGet', 'batchGet', undefined, undefined],
    ['POST', '/v1/users%3AbatchGet', 'batchGet', undefined, undefined],
    ['GET', '/v1/users:batchGet', 'other', undefined, undefined],
    ['POST', '/v1/files', 'fileCreate', undefined, undefined],
    ['GET', '/v1/files', 'other', undefined, undefined],
    ['POST', '/upload/v1/files', undefined, undefined, undefined],
    ['GET', '/sandbox/api/state', undefined, undefined, undefined],
  ])('%s %s → %s', (method, path, kind, phone, resourceId) => {
    const route = matchRoute(method, path);
    if (kind === undefined) {
      expect(route).toBeUndefined();
      return;
    }
    expect(route).toEqual({
      kind,
      ...(phone === undefined ? {} : { phone, resourceId }),
    });
  });
});

describe('FaultQueue', () => {
  const unavailable: Fault = { status: 503 };
  const exhausted: Fault = { status: 429 };

  it('gives unscoped faults to creates and deletes only', () => {
    const queue = new FaultQueue();
    queue.add(2, unavailable);
    for (const kind of ['agentEvent', 'capabilities', 'batchGet', 'fileCreate', 'other'] as const) {
      expect(queue.take(kind)).toBeUndefined();
    }
    expect(queue.take('create')).toBe(unavailable);
    expect(queue.take('delete')).toBe(unavailable);
    expect(queue.take('create')).toBeUndefined();
  });

  it.each(['create', 'delete', 'agentEvent', 'capabilities', 'batchGet', 'fileCreate'] as const)(
    'a fault scoped to %s goes to that kind alone, in queue order',
    (kind) => {
      const queue = new FaultQueue();
      queue.add(1, unavailable, { only: kind });
      queue.add(1, exhausted, { only: kind });
      const others = (
        ['create', 'delete', 'agentEvent', 'capabilities', 'batchGet', 'fileCreate'] as const
      ).filter((other) => other !== kind);
      for (const other of others) expect(queue.take(other)).toBeUndefined();
      expect(queue.take(kind)).toBe(unavailable);
      expect(queue.take(kind)).toBe(exhausted);
      expect(queue.take(kind)).toBeUndefined();
    },
  );
});

describe('FakeRbmState: typing indicator and features', () => {
  const typing = (at: number): StoredAgentEvent => {
    const createdAt = new Date(at);
    return {
      eventId: `e-${at}`,
      agentId: 'a',
      phone: PHONE,
      eventType: 'IS_TYPING',
      response: { name: 'n', eventType: 'IS_TYPING', sendTime: createdAt.toISOString() },
      createdAt,
    };
  };

  it('shows typing for 20 s, or until the next agent message', () => {
    let now = 1_000_000;
    const state = new FakeRbmState({}, () => now);
    expect(state.isTyping(PHONE)).toBe(false);
    state.addAgentEvent('a', typing(now));
    now += TYPING_INDICATOR_MS - 1;
    expect(state.isTyping(PHONE)).toBe(true);
    expect(state.isTyping('+15550002222')).toBe(false);
    now += 1;
    expect(state.isTyping(PHONE)).toBe(false);

    state.addAgentEvent('a', typing(now));
    expect(state.isTyping(PHONE)).toBe(true);
    const message: StoredMessage = {
      messageId: 'm',
      agentId: 'a',
      phone: PHONE,
      request: {},
      response: { name: 'n', sendTime: '', contentMessage: {} },
      state: 'delivered',
      createdAt: new Date(now),
    };
    state.addMessage('a', message);
    expect(state.isTyping(PHONE)).toBe(false);
    state.dispose();
  });

  it('keeps a phone’s features across setPhone calls without features; null restores the default', () => {
    const state = new FakeRbmState({ defaultFeatures: ['ACTION_DIAL'] });
    expect(state.featuresOf(PHONE)).toEqual(['ACTION_DIAL']);
    state.setPhone(PHONE, 'reachable', { features: ['RICHCARD_STANDALONE', 'SOMETHING_NEW'] });
    state.setPhone(PHONE, 'offline', { autoDeliver: false });
    expect(state.featuresOf(PHONE)).toEqual(['RICHCARD_STANDALONE', 'SOMETHING_NEW']);
    expect(state.phones()).toEqual([
      {
        phone: PHONE,
        state: 'offline',
        options: { autoDeliver: false },
        features: ['RICHCARD_STANDALONE', 'SOMETHING_NEW'],
      },
    ]);
    state.setPhone(PHONE, 'reachable', { features: null });
    expect(state.featuresOf(PHONE)).toEqual(['ACTION_DIAL']);
    expect(new FakeRbmState({}).featuresOf(PHONE)).toEqual(RBM_FEATURES);
  });
});
