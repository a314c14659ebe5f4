/**
 * `consents/{E.164}` and its history `consents/{E.164}/history/{id}`: a consent change is applied with the pure
 * rules of consent/consent-rules.ts, and an applied change writes the document and its history entry in one
 * batch (optimistic: an update-time precondition, retried on conflict). Publishing is the caller's: the
 * document lists the applied changes whose publish is not yet confirmed, and carries the publish claim of the
 * caller publishing them (rules in consent/publish-claim.ts), so concurrent callers publish each change once
 * while a caller whose publish failed (or crashed) leaves them to the next call for the phone.
 * See docs/query-api.md#consents and docs/consent.md#history-and-the-topic.
 */
import {
  FieldValue,
  type DocumentReference,
  type DocumentSnapshot,
  type Firestore,
  type Timestamp,
} from '@google-cloud/firestore';
import {
  CONSENT_SOURCES,
  applyConsentChange as nextConsent,
  type Consent,
  type ConsentSource,
} from '../consent/consent-rules.js';
import { afterConfirm, type StoredConsentClaim } from '../consent/publish-claim.js';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';
import { ContentionError, mutateDocument, pauseAfterConflict, updateIfUnchanged } from './optimistic.js';

/** One applied change, as kept in the phone's history. */
export interface ConsentHistoryRecord {
  /** The id of `consents/{phoneNumber}/history/{id}`. */
  id: string;
  phoneNumber: string;
  agentId: string;
  subscribed: boolean;
  source: ConsentSource;
  changedAt: Date;
  recordedAt: Date;
}

export interface ConsentChangeResult {
  /** The stored consent after the call. */
  consent: Consent;
  /**
   * Whether the document changed: a new value, or only a later `changedAt`, or a first `subscribed: true`
   * (those two keep the value: no history, no publish).
   */
  applied: boolean;
  /** The history entry this change wrote; absent for a duplicate, an older change, or a change keeping the value. */
  history?: ConsentHistoryRecord;
  /**
   * Every applied change of the phone not yet confirmed published, oldest first (`history` among them):
   * when not empty, claim and publish them through `ConsentPublishClaims`.
   */
  unpublished: ConsentHistoryRecord[];
}

/** Fields of the consent document only: never shown by the query API. */
const UNPUBLISHED_FIELD = 'unpublishedChangeIds';
/**
 * When the oldest change still in `unpublishedChangeIds` was recorded; absent when the list is empty. Reconcile
 * queries it (single-field index) to publish what a crashed or failed caller left behind.
 */
const UNPUBLISHED_SINCE_FIELD = 'unpublishedSince';
/** `{holder, claimedAt, leaseMs}`: `claimedAt` is Firestore's own time, so instances' clocks need not agree. */
const CLAIM_FIELD = 'publishClaim';
const NOT_FOUND = 5;
const MAX_ATTEMPTS = 25;

interface StoredConsent {
  consent: Consent;
  unpublishedChangeIds: string[];
  unpublishedSince?: Date;
}

function consentRef(db: Firestore, phoneNumber: string): DocumentReference {
  return db.collection(COLLECTIONS.consents).doc(phoneNumber);
}

function historyRef(db: Firestore, phoneNumber: string, id: string): DocumentReference {
  return consentRef(db, phoneNumber).collection(COLLECTIONS.consentHistory).doc(id);
}

/** One id per change: a change is applied at most once, so its entry is never written twice. */
export function consentHistoryId(change: Pick<Consent, 'changedAt' | 'subscribed'>): string {
  return `${change.changedAt.toISOString()}_${change.subscribed ? 'subscribed' : 'unsubscribed'}`;
}

function isSource(value: unknown): value is ConsentSource {
  return typeof value === 'string' && (CONSENT_SOURCES as readonly string[]).includes(value);
}

function decodeStored(raw: Record<string, unknown> | undefined): StoredConsent | undefined {
  if (raw === undefined) return undefined;
  const data = timestampsToDates(raw) as Record<string, unknown>;
  const ids = data[UNPUBLISHED_FIELD];
  return {
    consent: {
      phoneNumber: typeof data.phoneNumber === 'string' ? data.phoneNumber : '',
      agentId: typeof data.agentId === 'string' ? data.agentId : '',
      subscribed: data.subscribed === true,
      changedAt: data.changedAt instanceof Date ? data.changedAt : new Date(0),
      // Documents written before sources existed came from RBM's SUBSCRIBE/UNSUBSCRIBE events.
      source: isSource(data.source) ? data.source : 'EVENT',
    },
    unpublishedChangeIds: stringIds(ids),
    ...(data[UNPUBLISHED_SINCE_FIELD] instanceof Date
      ? { unpublishedSince: data[UNPUBLISHED_SINCE_FIELD] }
      : {}),
  };
}

function stringIds(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

function claimHolder(value: unknown): string | undefined {
  const holder = (value as { holder?: unknown } | null | undefined)?.holder;
  return typeof holder === 'string' ? holder : undefined;
}

/** The stored claim, its age measured against the read's time; a malformed lease counts as over. */
function decodeClaim(value: unknown, readTime: Timestamp): StoredConsentClaim | undefined {
  const holder = claimHolder(value);
  const { claimedAt, leaseMs } = (value ?? {}) as { claimedAt?: unknown; leaseMs?: unknown };
  if (holder === undefined || typeof (claimedAt as Timestamp | undefined)?.toMillis !== 'function') {
    return undefined;
  }
  return {
    holder,
    ageMs: readTime.toMillis() - (claimedAt as Timestamp).toMillis(),
    leaseMs: typeof leaseMs === 'number' && leaseMs > 0 ? leaseMs : 0,
  };
}

/** `unpublishedSince` goes with a non-empty list only (writeDocument deletes it from a stored document otherwise). */
function documentOf(
  consent: Consent,
  unpublishedChangeIds: readonly string[],
  unpublishedSince: Date | undefined,
): Record<string, unknown> {
  return {
    phoneNumber: consent.phoneNumber,
    agentId: consent.agentId,
    subscribed: consent.subscribed,
    changedAt: consent.changedAt,
    source: consent.source,
    [UNPUBLISHED_FIELD]: [...unpublishedChangeIds],
    ...(unpublishedChangeIds.length > 0 && unpublishedSince !== undefined
      ? { [UNPUBLISHED_SINCE_FIELD]: unpublishedSince }
      : {}),
  };
}

/**
 * The list's `unpublishedSince`: kept while it stays non-empty, set when the first change is added (and on
 * documents written before the field existed, so reconcile finds them too).
 */
function unpublishedSinceOf(
  stored: StoredConsent | undefined,
  ids: readonly string[],
  now: () => Date,
): Date | undefined {
  if (ids.length === 0) return undefined;
  return stored?.unpublishedChangeIds.length ? (stored.unpublishedSince ?? now()) : now();
}

export async function getConsent(db: Firestore, phoneNumber: string): Promise<Consent | undefined> {
  const snapshot = await consentRef(db, phoneNumber).get();
  return decodeStored(snapshot.data())?.consent;
}

/** Applies `change` to the phone's consent (the latest `changedAt` wins); see ConsentChangeResult. */
export async function applyConsentChange(
  db: Firestore,
  change: Consent,
  now: () => Date = () => new Date(),
): Promise<ConsentChangeResult> {
  const ref = consentRef(db, change.phoneNumber);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const snapshot = await ref.get();
    const stored = decodeStored(snapshot.data());
    const update = nextConsent(stored?.consent, change);
    const pendingIds = stored?.unpublishedChangeIds ?? [];
    try {
      if (update === undefined) {
        // `stored` exists: a change to a phone without a document always applies.
        const consent = stored?.consent ?? change;
        return { consent, applied: false, unpublished: await readHistory(db, consent, pendingIds) };
      }
      if (update.historyEntry === undefined) {
        const since = unpublishedSinceOf(stored, pendingIds, now);
        await writeDocument(db, ref, snapshot, documentOf(update.next, pendingIds, since));
        return {
          consent: update.next,
          applied: true,
          unpublished: await readHistory(db, update.next, pendingIds),
        };
      }
      const history: ConsentHistoryRecord = {
        id: consentHistoryId(update.historyEntry),
        phoneNumber: update.next.phoneNumber,
        agentId: update.next.agentId,
        ...update.historyEntry,
        recordedAt: now(),
      };
      const ids = [...pendingIds.filter((id) => id !== history.id), history.id];
      const since = unpublishedSinceOf(stored, ids, () => history.recordedAt);
      await writeDocument(db, ref, snapshot, documentOf(update.next, ids, since), history);
      const earlier = await readHistory(db, update.next, ids.slice(0, -1));
      return { consent: update.next, applied: true, history, unpublished: [...earlier, history] };
    } catch (error) {
      const code = grpcCode(error);
      if (code !== GrpcCode.ALREADY_EXISTS && code !== GrpcCode.FAILED_PRECONDITION) throw error;
      await pauseAfterConflict(attempt);
    }
  }
  throw new ContentionError(ref.path, MAX_ATTEMPTS);
}

/** The document (created, or updated if unchanged since `snapshot`) and the history entry, in one batch. */
async function writeDocument(
  db: Firestore,
  ref: DocumentReference,
  snapshot: DocumentSnapshot,
  document: Record<string, unknown>,
  history?: ConsentHistoryRecord,
): Promise<void> {
  const batch = db.batch();
  if (snapshot.exists && snapshot.updateTime !== undefined) {
    // An update keeps fields it does not name (the claim): an emptied list must drop its timestamp explicitly.
    const since = document[UNPUBLISHED_SINCE_FIELD] ?? FieldValue.delete();
    batch.update(
      ref,
      { ...document, [UNPUBLISHED_SINCE_FIELD]: since },
      { lastUpdateTime: snapshot.updateTime },
    );
  } else {
    batch.create(ref, document);
  }
  if (history !== undefined) {
    batch.set(historyRef(db, history.phoneNumber, history.id), {
      subscribed: history.subscribed,
      source: history.source,
      changedAt: history.changedAt,
      recordedAt: history.recordedAt,
    });
  }
  await batch.commit();
}

/** The history entries of `ids`, oldest first (entries that vanished are skipped). */
async function readHistory(
  db: Firestore,
  consent: Consent,
  ids: readonly string[],
): Promise<ConsentHistoryRecord[]> {
  const records = await Promise.all(
    ids.map(async (id): Promise<ConsentHistoryRecord | undefined> => {
      const data = (await historyRef(db, consent.phoneNumber, id).get()).data();
      if (data === undefined) return undefined;
      const entry = timestampsToDates(data) as Record<string, unknown>;
      if (!(entry.changedAt instanceof Date)) return undefined;
      return {
        id,
        phoneNumber: consent.phoneNumber,
        agentId: consent.agentId,
        subscribed: entry.subscribed === true,
        source: isSource(entry.source) ? entry.source : 'EVENT',
        changedAt: entry.changedAt,
        recordedAt: entry.recordedAt instanceof Date ? entry.recordedAt : entry.changedAt,
      };
    }),
  );
  return records.filter((record): record is ConsentHistoryRecord => record !== undefined);
}

/** A phone's consent document as a publisher sees it before claiming. */
export interface ConsentClaimSnapshot<V> {
  consent: Consent;
  /** Applied changes not yet confirmed published, oldest first. */
  unpublishedIds: string[];
  claim?: StoredConsentClaim;
  /** The storage's token of the read, for a conditional claim. */
  version: V;
}

/** Where a phone's unpublished consent changes are claimed and confirmed (Firestore, or memory in unit tests). */
export interface ConsentPublishClaims<V> {
  readPublishClaim(phoneNumber: string): Promise<ConsentClaimSnapshot<V> | undefined>;
  /** Claims the phone's unpublished changes for `holder` if the document is unchanged since `version`. */
  claimUnpublished(phoneNumber: string, holder: string, leaseMs: number, version: V): Promise<boolean>;
  /** The history entries of `ids`, oldest first; entries that vanished are left out. */
  historyOf(consent: Consent, ids: readonly string[]): Promise<ConsentHistoryRecord[]>;
  /**
   * Removes `ids` (published) from the unpublished changes and gives the claim back if `holder` still holds
   * it; resolves to the ids still unpublished (changes applied meanwhile).
   */
  confirmPublished(phoneNumber: string, holder: string, ids: readonly string[]): Promise<string[]>;
}

export async function readPublishClaim(
  db: Firestore,
  phoneNumber: string,
): Promise<ConsentClaimSnapshot<Timestamp> | undefined> {
  const snapshot = await consentRef(db, phoneNumber).get();
  const data = snapshot.data();
  const stored = decodeStored(data);
  if (data === undefined || stored === undefined || snapshot.updateTime === undefined) return undefined;
  return {
    consent: stored.consent,
    unpublishedIds: stored.unpublishedChangeIds,
    claim: decodeClaim(data[CLAIM_FIELD], snapshot.readTime),
    version: snapshot.updateTime,
  };
}

/** Written only over the version read (and so over the claim judged on it): one of two racing claims wins. */
export async function claimUnpublished(
  db: Firestore,
  phoneNumber: string,
  holder: string,
  leaseMs: number,
  version: Timestamp,
): Promise<boolean> {
  const claim = { holder, claimedAt: FieldValue.serverTimestamp(), leaseMs };
  try {
    const ref = consentRef(db, phoneNumber);
    return (await updateIfUnchanged(ref, {}, { [CLAIM_FIELD]: claim }, version)) !== undefined;
  } catch (error) {
    if (grpcCode(error) === NOT_FOUND) return false;
    throw error;
  }
}

export async function confirmPublished(
  db: Firestore,
  phoneNumber: string,
  holder: string,
  ids: readonly string[],
): Promise<string[]> {
  const result = await mutateDocument(
    consentRef(db, phoneNumber),
    (data) => data,
    (current) => {
      if (current === undefined) return undefined;
      const unpublishedIds = stringIds(current[UNPUBLISHED_FIELD]);
      const next = afterConfirm({ unpublishedIds, holder: claimHolder(current[CLAIM_FIELD]) }, holder, ids);
      if (next.remaining.length === unpublishedIds.length && !next.releaseClaim) return undefined;
      const { [CLAIM_FIELD]: claim, [UNPUBLISHED_SINCE_FIELD]: since, ...rest } = current;
      return {
        ...rest,
        ...(next.releaseClaim ? {} : { [CLAIM_FIELD]: claim }),
        [UNPUBLISHED_FIELD]: next.remaining,
        // Kept while changes remain (applied meanwhile): reconcile finds them if their caller fails too.
        ...(next.remaining.length > 0 ? { [UNPUBLISHED_SINCE_FIELD]: since ?? new Date() } : {}),
      };
    },
  );
  return stringIds(result.after?.[UNPUBLISHED_FIELD]);
}

/**
 * The phones whose oldest unpublished change was recorded at `by` or before, oldest first: changes whose
 * caller crashed or failed to publish, for reconcile.
 */
export async function phonesWithUnpublishedChanges(
  db: Firestore,
  by: Date,
  limit: number,
): Promise<string[]> {
  const snapshot = await db
    .collection(COLLECTIONS.consents)
    .where(UNPUBLISHED_SINCE_FIELD, '<=', by)
    .orderBy(UNPUBLISHED_SINCE_FIELD)
    .limit(limit)
    .select()
    .get();
  return snapshot.docs.map((doc) => doc.id);
}

/** The publish claims of consent changes over one Firestore, as one object (bounded by its caller). */
export function consentPublishClaims(db: Firestore): ConsentPublishClaims<Timestamp> {
  return {
    readPublishClaim: (phoneNumber) => readPublishClaim(db, phoneNumber),
    claimUnpublished: (phoneNumber, holder, leaseMs, version) =>
      claimUnpublished(db, phoneNumber, holder, leaseMs, version),
    historyOf: (consent, ids) => readHistory(db, consent, ids),
    confirmPublished: (phoneNumber, holder, ids) => confirmPublished(db, phoneNumber, holder, ids),
  };
}

/** Every consent call over one Firestore, as one object, so its caller can bound each call (storage-deadline.ts). */
export function consentStore(db: Firestore) {
  return {
    get: (phoneNumber: string) => getConsent(db, phoneNumber),
    applyChange: (change: Consent, now?: () => Date) => applyConsentChange(db, change, now),
    phonesWithUnpublishedChanges: (by: Date, limit: number) => phonesWithUnpublishedChanges(db, by, limit),
    ...consentPublishClaims(db),
  };
}

export type ConsentStore = ReturnType<typeof consentStore>;
