/** The numeric limits of an RBM AgentMessage request (docs/http-api.md#send). */

/** Largest accepted body: 250 KB, taken as 250 * 1000 bytes of UTF-8 JSON (`JSON.stringify(body)`). */
export const MAX_AGENT_MESSAGE_BYTES = 250_000;

/** The numeric limits enforced by `validateAgentMessage` (characters are Unicode code points). */
export const AGENT_MESSAGE_LIMITS = {
  bodyBytes: MAX_AGENT_MESSAGE_BYTES,
  textChars: 3072,
  messageSuggestions: 11,
  cardSuggestions: 4,
  suggestionTextChars: 25,
  postbackDataChars: 2048,
  urlChars: 2048,
  cardTitleChars: 200,
  cardDescriptionChars: 2000,
  carouselMinCards: 2,
  carouselMaxCards: 10,
  calendarTitleChars: 100,
  calendarDescriptionChars: 500,
  /** 15 days, for both `ttl` and `expireTime` (from now). */
  maxExpirationSeconds: 15 * 24 * 60 * 60,
} as const;
