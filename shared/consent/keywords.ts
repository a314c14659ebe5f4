/** Opt-out and opt-in keywords: a user text that is exactly one of them changes the user's consent. */

export const DEFAULT_OPT_OUT_KEYWORDS: readonly string[] = [
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'BAJA',
  'PARAR',
  'ARRET',
  'ARRÊT',
];

export const DEFAULT_OPT_IN_KEYWORDS: readonly string[] = [
  'START',
  'UNSTOP',
  'SUBSCRIBE',
  'ALTA',
  'COMEÇAR',
  'DEMARRER',
  'DÉMARRER',
];

export type KeywordIntent = 'optOut' | 'optIn';

/** Keywords in their folded form, ready for matching. */
export interface ConsentKeywords {
  optOut: ReadonlySet<string>;
  optIn: ReadonlySet<string>;
}

/**
 * Trimmed and case-folded, in one Unicode normal form, so `arrêt` typed with a combining accent still
 * equals `ARRÊT`. Accents are kept: `ARRET` and `ARRÊT` are separate keywords.
 */
export function foldKeyword(text: string): string {
  return text.trim().toUpperCase().toLowerCase().normalize('NFC');
}

/**
 * A comma-separated keyword list (`RBM_OPT_OUT_KEYWORDS`, `RBM_OPT_IN_KEYWORDS`); unset or blank gives
 * `defaults`, since honouring STOP is not optional. Entries are trimmed, empty ones dropped.
 */
export function parseKeywordList(value: string | undefined, defaults: readonly string[]): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.length > 0 ? entries : [...defaults];
}

export function consentKeywords(
  optOut: readonly string[] = DEFAULT_OPT_OUT_KEYWORDS,
  optIn: readonly string[] = DEFAULT_OPT_IN_KEYWORDS,
): ConsentKeywords {
  return { optOut: new Set(optOut.map(foldKeyword)), optIn: new Set(optIn.map(foldKeyword)) };
}

/** What a user's text asks for, if it is a keyword. A word in both lists opts out: the safer reading. */
export function keywordIntent(text: string, keywords: ConsentKeywords): KeywordIntent | undefined {
  const folded = foldKeyword(text);
  if (keywords.optOut.has(folded)) return 'optOut';
  if (keywords.optIn.has(folded)) return 'optIn';
  return undefined;
}
