/**
 * Types for the request body of RBM `phones.agentMessages.create` (an `AgentMessage`), as described in
 * RBM's AgentMessage reference. These describe a body that passed `validateAgentMessage` (see `./validate.ts`);
 * unions that RBM calls "exactly one of" are modelled with `OneOf`, so narrowing with `'key' in x` or
 * `x.key !== undefined` works.
 *
 * Output-only fields (`name`, `sendTime`, the US billing fields) are not part of the request type: the validator
 * rejects them.
 */

/** Exactly one property of `T` is set; the others are absent. */
export type OneOf<T extends object> = {
  [K in keyof T]: { [P in K]: T[P] } & { [P in Exclude<keyof T, K>]?: never };
}[keyof T];

// ---------------------------------------------------------------------------------------------------------------
// Enums (string-literal unions, each also exported as a readonly array of its values)
// ---------------------------------------------------------------------------------------------------------------

export const MESSAGE_TRAFFIC_TYPES = [
  'MESSAGE_TRAFFIC_TYPE_UNSPECIFIED',
  'AUTHENTICATION',
  'TRANSACTION',
  'PROMOTION',
  'SERVICEREQUEST',
  'ACKNOWLEDGEMENT',
] as const;
export type MessageTrafficType = (typeof MESSAGE_TRAFFIC_TYPES)[number];

export const CARD_ORIENTATIONS = ['CARD_ORIENTATION_UNSPECIFIED', 'HORIZONTAL', 'VERTICAL'] as const;
export type CardOrientation = (typeof CARD_ORIENTATIONS)[number];

/** Only meaningful for HORIZONTAL standalone cards (RBM ignores it otherwise). */
export const THUMBNAIL_IMAGE_ALIGNMENTS = ['THUMBNAIL_IMAGE_ALIGNMENT_UNSPECIFIED', 'LEFT', 'RIGHT'] as const;
export type ThumbnailImageAlignment = (typeof THUMBNAIL_IMAGE_ALIGNMENTS)[number];

/** SMALL = 120 DP (TALL media not allowed), MEDIUM = 232 DP. */
export const CARD_WIDTHS = ['CARD_WIDTH_UNSPECIFIED', 'SMALL', 'MEDIUM'] as const;
export type CardWidth = (typeof CARD_WIDTHS)[number];

/** SHORT = 112 DP, MEDIUM = 168 DP, TALL = 264 DP. */
export const MEDIA_HEIGHTS = ['HEIGHT_UNSPECIFIED', 'SHORT', 'MEDIUM', 'TALL'] as const;
export type MediaHeight = (typeof MEDIA_HEIGHTS)[number];

export const OPEN_URL_APPLICATIONS = ['OPEN_URL_APPLICATION_UNSPECIFIED', 'BROWSER', 'WEBVIEW'] as const;
export type OpenUrlApplication = (typeof OPEN_URL_APPLICATIONS)[number];

export const WEBVIEW_VIEW_MODES = ['WEBVIEW_VIEW_MODE_UNSPECIFIED', 'FULL', 'HALF', 'TALL'] as const;
export type WebviewViewMode = (typeof WEBVIEW_VIEW_MODES)[number];

/** The content kinds of `contentMessage` (the deprecated `fileName` is not accepted). */
export const CONTENT_TYPES = ['text', 'richCard', 'contentInfo', 'uploadedRbmFile'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];

/** The action kinds of a suggested action (`composeAction` was removed by Google and is not accepted). */
export const ACTION_TYPES = [
  'dialAction',
  'viewLocationAction',
  'createCalendarEventAction',
  'openUrlAction',
  'shareLocationAction',
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Files and media
// ---------------------------------------------------------------------------------------------------------------

/** A file sent by URL. */
export interface ContentInfo {
  /** Public http(s) URL, ≤ 2048 characters. No redirects. */
  fileUrl: string;
  /** Public http(s) URL of a thumbnail (≤ 100 kB). */
  thumbnailUrl?: string;
  /** Refetch even if cached (Google recommends false). */
  forceRefresh?: boolean;
}

/** A file uploaded with `files.create`. */
export interface UploadedRbmFile {
  /** `files/{uid}`. */
  fileName: string;
  /** `files/{uid}`. */
  thumbnailName?: string;
}

export type Media = { height?: MediaHeight } & OneOf<{
  contentInfo: ContentInfo;
  uploadedRbmFile: UploadedRbmFile;
}>;

// ---------------------------------------------------------------------------------------------------------------
// Suggestions
// ---------------------------------------------------------------------------------------------------------------

export interface SuggestedReply {
  /** 1–25 characters. */
  text: string;
  /** ≤ 2048 characters; returned in the user's suggestionResponse. */
  postbackData?: string;
}

export interface LatLng {
  /** -90..90 */
  latitude: number;
  /** -180..180 */
  longitude: number;
}

export interface DialAction {
  /** Digits, `+`, `*`, `#`. */
  phoneNumber: string;
}

export type ViewLocationAction =
  { latLong: LatLng; label?: string; query?: never } | { query: string; latLong?: never; label?: never };

export interface CreateCalendarEventAction {
  /** RFC 3339 timestamp. */
  startTime: string;
  /** RFC 3339 timestamp, after startTime. */
  endTime: string;
  /** 1–100 characters. */
  title: string;
  /** ≤ 500 characters. */
  description?: string;
}

export interface OpenUrlAction {
  /** http(s) URL, ≤ 2048 characters. */
  url: string;
  application?: OpenUrlApplication;
  webviewViewMode?: WebviewViewMode;
  /** Accessibility text (webview only). */
  description?: string;
}

export type ShareLocationAction = Record<string, never>;

export interface ActionKinds {
  dialAction: DialAction;
  viewLocationAction: ViewLocationAction;
  createCalendarEventAction: CreateCalendarEventAction;
  openUrlAction: OpenUrlAction;
  shareLocationAction: ShareLocationAction;
}

export type SuggestedAction = {
  /** 1–25 characters. */
  text: string;
  /** ≤ 2048 characters. */
  postbackData?: string;
  /** Absolute URI, ≤ 2048 characters, opened when the client can't run the action. */
  fallbackUrl?: string;
} & OneOf<ActionKinds>;

export type Suggestion = OneOf<{ reply: SuggestedReply; action: SuggestedAction }>;

// ---------------------------------------------------------------------------------------------------------------
// Rich cards
// ---------------------------------------------------------------------------------------------------------------

/** At least one of media, title, description. */
export interface CardContent {
  /** ≤ 200 characters. */
  title?: string;
  /** ≤ 2000 characters. */
  description?: string;
  media?: Media;
  /** ≤ 4. */
  suggestions?: Suggestion[];
}

export interface StandaloneCard {
  cardOrientation?: CardOrientation;
  thumbnailImageAlignment?: ThumbnailImageAlignment;
  cardContent: CardContent;
}

export interface CarouselCard {
  cardWidth?: CardWidth;
  /** 2–10 cards. */
  cardContents: CardContent[];
}

export type RichCard = OneOf<{ standaloneCard: StandaloneCard; carouselCard: CarouselCard }>;

// ---------------------------------------------------------------------------------------------------------------
// AgentMessage
// ---------------------------------------------------------------------------------------------------------------

/** The content kinds, keyed by `ContentType`. */
export interface ContentKinds {
  /** 1–3072 characters (Unicode code points). */
  text: string;
  richCard: RichCard;
  contentInfo: ContentInfo;
  uploadedRbmFile: UploadedRbmFile;
}

export type AgentContentMessage = {
  /** ≤ 11 chips. */
  suggestions?: Suggestion[];
} & OneOf<ContentKinds>;

/** At most one of `ttl` / `expireTime`. */
export type Expiration = { ttl?: string; expireTime?: never } | { expireTime?: string; ttl?: never };

/** The request body of `POST /v1/phones/{E.164}/agentMessages`. */
export type AgentMessage = {
  contentMessage: AgentContentMessage;
  messageTrafficType?: MessageTrafficType;
} & Expiration;
