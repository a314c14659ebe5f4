import { describe, expect, it } from 'vitest';
import {
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  consentKeywords,
  keywordIntent,
  parseKeywordList,
  type KeywordIntent,
} from '../../shared/consent/keywords.js';

describe('keywordIntent with the default keywords', () => {
  const defaults = consentKeywords();
  const cases: Array<[string, KeywordIntent | undefined]> = [
    ...DEFAULT_OPT_OUT_KEYWORDS.map((keyword): [string, KeywordIntent] => [keyword, 'optOut']),
    ...DEFAULT_OPT_IN_KEYWORDS.map((keyword): [string, KeywordIntent] => [keyword, 'optIn']),
    ['stop', 'optOut'],
    ['  Stop \n', 'optOut'],
    ['\u00a0STOP\u00a0', 'optOut'],
    ['arrêt', 'optOut'],
    ['ARRÊT', 'optOut'],
    ['arre\u0302t', 'optOut'], // ê typed as e + combining circumflex
    ['arret', 'optOut'],
    ['baja', 'optOut'],
    ['parar', 'optOut'],
    ['Démarrer', 'optIn'],
    ['demarrer', 'optIn'],
    ['começar', 'optIn'],
    ['Alta', 'optIn'],
    ['start', 'optIn'],
    ['stop please', undefined],
    ['STOP.', undefined],
    ['sto p', undefined],
    ['arrét', undefined],
    ['', undefined],
    ['   ', undefined],
    ['hello', undefined],
  ];
  it.each(cases)('%j → %s', (text, intent) => {
    expect(keywordIntent(text, defaults)).toBe(intent);
  });
});

describe('parseKeywordList', () => {
  const cases: Array<[string | undefined, string[]]> = [
    [undefined, [...DEFAULT_OPT_OUT_KEYWORDS]],
    ['', [...DEFAULT_OPT_OUT_KEYWORDS]],
    [' , ,', [...DEFAULT_OPT_OUT_KEYWORDS]],
    ['HALT', ['HALT']],
    [' halt , Stop ,,fin ', ['halt', 'Stop', 'fin']],
  ];
  it.each(cases)('%j', (value, expected) => {
    expect(parseKeywordList(value, DEFAULT_OPT_OUT_KEYWORDS)).toEqual(expected);
  });

  it('a configured list replaces the defaults, case-insensitively', () => {
    const keywords = consentKeywords(parseKeywordList('halt, Fin', []), parseKeywordList('go', []));
    expect(keywordIntent('HALT', keywords)).toBe('optOut');
    expect(keywordIntent('fin', keywords)).toBe('optOut');
    expect(keywordIntent('Go', keywords)).toBe('optIn');
    expect(keywordIntent('stop', keywords)).toBeUndefined();
  });

  it('a word in both lists opts out', () => {
    expect(keywordIntent('stop', consentKeywords(['STOP'], ['stop']))).toBe('optOut');
  });
});
