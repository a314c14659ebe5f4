/**
 * RBM device features (what getCapabilities lists) and the features an AgentMessage needs, so the fake can refuse
 * a message the phone cannot show, as RBM does with 400 INVALID_ARGUMENT.
 */

/** Every current RBM feature (the legacy PAYMENTS_V1 and FEATURE_UNSPECIFIED left out). */
export const RBM_FEATURES = [
  'REVOCATION',
  'RICHCARD_STANDALONE',
  'RICHCARD_CAROUSEL',
  'ACTION_CREATE_CALENDAR_EVENT',
  'ACTION_DIAL',
  'ACTION_OPEN_URL',
  'ACTION_SHARE_LOCATION',
  'ACTION_VIEW_LOCATION',
  'ACTION_OPEN_URL_IN_WEBVIEW',
  'PDF_IN_RICH_CARDS',
] as const;
export type RbmFeature = (typeof RBM_FEATURES)[number];

const ACTION_FEATURES: Readonly<Record<string, RbmFeature>> = {
  dialAction: 'ACTION_DIAL',
  viewLocationAction: 'ACTION_VIEW_LOCATION',
  createCalendarEventAction: 'ACTION_CREATE_CALENDAR_EVENT',
  shareLocationAction: 'ACTION_SHARE_LOCATION',
};

type JsonObject = Readonly<Record<string, unknown>>;

function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const child = (value as JsonObject)[key];
  return typeof child === 'object' && child !== null && !Array.isArray(child)
    ? (child as JsonObject)
    : undefined;
}

function arrayAt(value: JsonObject | undefined, key: string): readonly unknown[] {
  const child = value?.[key];
  return Array.isArray(child) ? child : [];
}

function suggestionFeatures(suggestions: readonly unknown[], into: Set<RbmFeature>): void {
  for (const suggestion of suggestions) {
    const action = objectAt(suggestion, 'action');
    if (!action) continue;
    for (const [key, feature] of Object.entries(ACTION_FEATURES)) if (key in action) into.add(feature);
    const openUrl = objectAt(action, 'openUrlAction');
    if (openUrl)
      into.add(openUrl.application === 'WEBVIEW' ? 'ACTION_OPEN_URL_IN_WEBVIEW' : 'ACTION_OPEN_URL');
  }
}

/** The media's MIME type is only known once fetched; a `.pdf` URL path stands in for `application/pdf`. */
function isPdfMedia(media: JsonObject | undefined): boolean {
  const fileUrl = objectAt(media, 'contentInfo')?.fileUrl;
  if (typeof fileUrl !== 'string') return false;
  try {
    return new URL(fileUrl).pathname.toLowerCase().endsWith('.pdf');
  } catch {
    return false;
  }
}

function cardFeatures(cardContent: unknown, into: Set<RbmFeature>): void {
  if (typeof cardContent !== 'object' || cardContent === null) return;
  const content = cardContent as JsonObject;
  suggestionFeatures(arrayAt(content, 'suggestions'), into);
  if (isPdfMedia(objectAt(content, 'media'))) into.add('PDF_IN_RICH_CARDS');
}

/** The features an AgentMessage request body needs, in `RBM_FEATURES` order. Unreadable parts need none. */
export function featuresUsedBy(agentMessage: unknown): RbmFeature[] {
  const used = new Set<RbmFeature>();
  const content = objectAt(agentMessage, 'contentMessage');
  suggestionFeatures(arrayAt(content, 'suggestions'), used);
  const richCard = objectAt(content, 'richCard');
  const standalone = objectAt(richCard, 'standaloneCard');
  if (standalone) {
    used.add('RICHCARD_STANDALONE');
    cardFeatures(standalone.cardContent, used);
  }
  const carousel = objectAt(richCard, 'carouselCard');
  if (carousel) {
    used.add('RICHCARD_CAROUSEL');
    for (const cardContent of arrayAt(carousel, 'cardContents')) cardFeatures(cardContent, used);
  }
  return RBM_FEATURES.filter((feature) => used.has(feature));
}

/** The needed features the device lacks, in the order given. */
export function missingFeatures(needed: readonly string[], available: readonly string[]): string[] {
  const has = new Set(available);
  return needed.filter((feature) => !has.has(feature));
}
