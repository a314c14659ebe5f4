/**
 * When each recipient of a campaign is due, and how the recipient list is cut into chunks: pure arithmetic
 * over the campaign's start, rate and size (docs/campaigns.md#pacing).
 */

/** Recipients per stored chunk (about 16 KB of numbers: far under Firestore's 1 MiB document limit). */
export const CHUNK_SIZE = 1000;

/**
 * A campaign starts no sooner than this after it is accepted, so its first chunk's tasks exist before the
 * first of them is due; a start in the past or within this lead moves to the end of it.
 */
export const START_LEAD_MS = 2_000;

/** Cloud Tasks accepts a scheduleTime at most 30 days ahead; tasks are created within 29, for clock skew. */
export const SCHEDULING_HORIZON_MS = 29 * 24 * 3600 * 1000;

/** The furthest ahead a campaign may start. */
export const MAX_START_AHEAD_MS = 30 * 24 * 3600 * 1000;

export interface Pacing {
  readonly startTime: Date;
  /** Recipients per second, 1 to 500. */
  readonly ratePerSecond: number;
}

/** The recipient at `position` (from 0) is due at startTime + position / ratePerSecond. */
export function scheduleTimeOf(pacing: Pacing, position: number): Date {
  return new Date(pacing.startTime.getTime() + Math.round((position * 1000) / pacing.ratePerSecond));
}

/** When the last of `recipientCount` recipients is due. */
export function lastSendTime(pacing: Pacing, recipientCount: number): Date {
  return scheduleTimeOf(pacing, Math.max(0, recipientCount - 1));
}

/** The start a campaign gets: the requested one, unless that is before now plus the start lead. */
export function effectiveStartTime(requested: Date | undefined, now: Date): Date {
  const earliest = now.getTime() + START_LEAD_MS;
  return new Date(Math.max(requested?.getTime() ?? earliest, earliest));
}

export function chunkCountFor(recipientCount: number): number {
  return Math.ceil(recipientCount / CHUNK_SIZE);
}

/** The positions of one chunk: [first, end). */
export function chunkPositions(chunk: number, recipientCount: number): { first: number; end: number } {
  const first = chunk * CHUNK_SIZE;
  return { first, end: Math.min(recipientCount, first + CHUNK_SIZE) };
}

/** The recipient list cut into chunks of CHUNK_SIZE, in order. */
export function splitIntoChunks<T>(recipients: readonly T[]): T[][] {
  return Array.from({ length: chunkCountFor(recipients.length) }, (_, chunk) =>
    recipients.slice(chunk * CHUNK_SIZE, (chunk + 1) * CHUNK_SIZE),
  );
}

/**
 * When a chunk's task should run: now, unless its last recipient is beyond the scheduling horizon; then as
 * soon as that recipient comes within it (the task puts itself off until then).
 */
export function chunkTaskTime(pacing: Pacing, chunk: number, recipientCount: number, now: Date): Date {
  const { end } = chunkPositions(chunk, recipientCount);
  const last = scheduleTimeOf(pacing, Math.max(0, end - 1)).getTime();
  return new Date(Math.max(now.getTime(), last - SCHEDULING_HORIZON_MS));
}

/** Whether every recipient of the chunk can be scheduled now (its last one is within the horizon). */
export function chunkWithinHorizon(
  pacing: Pacing,
  chunk: number,
  recipientCount: number,
  now: Date,
): boolean {
  return chunkTaskTime(pacing, chunk, recipientCount, now).getTime() <= now.getTime();
}
