import { describe, expect, it } from 'vitest';
import {
  applyConsentChange,
  type Consent,
  type ConsentHistoryEntry,
  type ConsentSource,
} from '../../shared/consent/consent-rules.js';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const change = (subscribed: boolean, ms: number, source: ConsentSource): Consent => ({
  phoneNumber: '+15550000001',
  agentId: 'agent',
  subscribed,
  changedAt: at(ms),
  source,
});

/** Applies changes in order, as the store would: what is left, what was kept in history, what was published. */
function fold(changes: Consent[], start?: Consent) {
  let current = start;
  const history: ConsentHistoryEntry[] = [];
  let publishes = 0;
  for (const next of changes) {
    const update = applyConsentChange(current, next);
    if (update === undefined) continue;
    current = update.next;
    if (update.historyEntry) history.push(update.historyEntry);
    if (update.publish) publishes++;
  }
  return { current, history, publishes };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}

describe('applyConsentChange', () => {
  const subscribedAt0 = change(true, 0, 'API');
  // [name, current, change, expected next (undefined: nothing changes), history + publish]
  const cases: Array<[string, Consent | undefined, Consent, Consent | undefined, boolean]> = [
    ['a first unsubscribe', undefined, change(false, 10, 'EVENT'), change(false, 10, 'EVENT'), true],
    // A phone without a document is subscribed: the document is written, but nothing changed for the business.
    ['a first SUBSCRIBE event', undefined, change(true, 10, 'EVENT'), change(true, 10, 'EVENT'), false],
    ['a first opt-in keyword', undefined, change(true, 10, 'KEYWORD'), change(true, 10, 'KEYWORD'), false],
    ['a first PUT subscribed', undefined, change(true, 10, 'API'), change(true, 10, 'API'), false],
    [
      'a newer opposite change',
      subscribedAt0,
      change(false, 10, 'KEYWORD'),
      change(false, 10, 'KEYWORD'),
      true,
    ],
    ['an older opposite change', subscribedAt0, change(false, -10, 'EVENT'), undefined, false],
    ['a duplicate', subscribedAt0, change(true, 0, 'API'), undefined, false],
    ['an older change keeping the value', subscribedAt0, change(true, -10, 'EVENT'), undefined, false],
    [
      'a newer change keeping the value only moves changedAt (source stays)',
      subscribedAt0,
      change(true, 10, 'EVENT'),
      change(true, 10, 'API'),
      false,
    ],
    [
      'a newer unsubscribe keeping the value only moves changedAt (source stays)',
      change(false, 0, 'KEYWORD'),
      change(false, 10, 'EVENT'),
      change(false, 10, 'KEYWORD'),
      false,
    ],
    [
      'the same value at the same instant from RBM is a duplicate',
      change(false, 0, 'KEYWORD'),
      change(false, 0, 'EVENT'),
      undefined,
      false,
    ],
    [
      'the same value at the same instant from a keyword is a duplicate',
      change(false, 0, 'EVENT'),
      change(false, 0, 'KEYWORD'),
      undefined,
      false,
    ],
    [
      'an unsubscribe at the same instant wins',
      subscribedAt0,
      change(false, 0, 'EVENT'),
      change(false, 0, 'EVENT'),
      true,
    ],
    [
      'a subscribe at the same instant loses',
      change(false, 0, 'EVENT'),
      change(true, 0, 'API'),
      undefined,
      false,
    ],
  ];
  it.each(cases)('%s', (_name, current, next, expected, recorded) => {
    const update = applyConsentChange(current, next);
    expect(update?.next).toEqual(expected);
    expect(update?.publish ?? false).toBe(recorded);
    expect(update?.historyEntry).toEqual(
      recorded ? { subscribed: next.subscribed, source: next.source, changedAt: next.changedAt } : undefined,
    );
  });
});

describe('the Unsubscribe tap pair (keyword + UNSUBSCRIBE event) is one change', () => {
  const keyword = change(false, 1_000, 'KEYWORD');
  const starts: Array<[string, Consent | undefined]> = [
    ['no consent yet', undefined],
    ['subscribed earlier', change(true, 0, 'API')],
  ];
  // The event a moment after, before, or at the same time as the keyword.
  const offsets = [250, -250, 0];
  const cases = starts.flatMap(([start, initial]) =>
    offsets.flatMap((offset) =>
      [true, false].map((keywordFirst) => ({ start, initial, offset, keywordFirst })),
    ),
  );

  it.each(cases)(
    'from $start, event at keyword $offset ms, keyword first: $keywordFirst',
    ({ initial, offset, keywordFirst }) => {
      const event = change(false, 1_000 + offset, 'EVENT');
      const { current, history, publishes } = fold(
        keywordFirst ? [keyword, event] : [event, keyword],
        initial,
      );
      expect(history).toHaveLength(1);
      expect(history[0]?.subscribed).toBe(false);
      expect(publishes).toBe(1);
      expect(current?.subscribed).toBe(false);
      expect(current?.changedAt).toEqual(at(1_000 + Math.max(offset, 0)));
      // The half that set the value names it: the other only moves changedAt forward, or changes nothing.
      expect(current?.source).toBe(keywordFirst ? 'KEYWORD' : 'EVENT');
      const other = fold(keywordFirst ? [event, keyword] : [keyword, event], initial);
      expect(other.current).toMatchObject({ subscribed: false, changedAt: current?.changedAt });
    },
  );

  it('an older START arriving after the pair still loses, in every arrival order', () => {
    const changes = [keyword, change(false, 1_200, 'EVENT'), change(true, 1_100, 'KEYWORD')];
    for (const order of permutations(changes)) {
      const { current } = fold(order, change(true, 0, 'API'));
      expect(current).toMatchObject({ subscribed: false, changedAt: at(1_200) });
    }
  });

  it('a later START wins in every arrival order, with one unsubscribe and one subscribe recorded', () => {
    const changes = [keyword, change(false, 1_200, 'EVENT'), change(true, 5_000, 'KEYWORD')];
    for (const order of permutations(changes)) {
      const { current } = fold(order, change(true, 0, 'API'));
      expect(current).toMatchObject({ subscribed: true, changedAt: at(5_000) });
    }
    // In order the START changes the value, so it names the document.
    expect(fold(changes, change(true, 0, 'API')).current).toEqual(change(true, 5_000, 'KEYWORD'));
    const inOrder = fold(changes, change(true, 0, 'API'));
    expect(inOrder.history.map((entry) => entry.subscribed)).toEqual([false, true]);
    expect(inOrder.publishes).toBe(2);
  });
});

describe('a phone without a document is subscribed', () => {
  const sources: ConsentSource[] = ['EVENT', 'KEYWORD', 'API'];

  it.each(sources)('a first subscribe (%s) records and publishes nothing', (source) => {
    const { current, history, publishes } = fold([change(true, 1_000, source)]);
    expect(current).toEqual(change(true, 1_000, source));
    expect(history).toEqual([]);
    expect(publishes).toBe(0);
  });

  it.each(sources)('an older unsubscribe arriving after a first subscribe (%s) still loses', (source) => {
    const { current, history, publishes } = fold([change(true, 1_000, source), change(false, 500, 'EVENT')]);
    expect(current).toEqual(change(true, 1_000, source));
    expect(history).toEqual([]);
    expect(publishes).toBe(0);
  });

  it('a newer unsubscribe after a first subscribe is one change, in either arrival order', () => {
    const changes = [change(true, 1_000, 'API'), change(false, 2_000, 'KEYWORD')];
    for (const order of permutations(changes)) {
      const { current, history, publishes } = fold(order);
      expect(current).toEqual(change(false, 2_000, 'KEYWORD'));
      expect(history).toEqual([{ subscribed: false, source: 'KEYWORD', changedAt: at(2_000) }]);
      expect(publishes).toBe(1);
    }
  });

  it('subscribed and changedAt end the same in every arrival order', () => {
    const changes = [
      change(true, 1_000, 'API'),
      change(false, 1_500, 'KEYWORD'),
      change(false, 1_600, 'EVENT'),
      change(true, 1_200, 'EVENT'),
      change(true, 1_600, 'KEYWORD'),
    ];
    for (const order of permutations(changes)) {
      expect(fold(order).current).toMatchObject({ subscribed: false, changedAt: at(1_600) });
    }
  });
});
