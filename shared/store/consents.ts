/**
 * `consents/{E.164}` and its history `consents/{E.164}/history/{id}`: a consent change is applied with the pure
 * rules of consent/consent-rules.ts, and an applied change writes the document and its history entry in one
 * batch (optimistic: an update-time precondition, retried on conflict). Publishing is the caller's: the
 * document lists the applied changes whose publish is not yet confirmed, so a caller whose publish failed (or
 * crashed) publishes them on its next call for the phone, and each applied change reaches the topic.
 * See docs/query-api.md#consents.
 */
import type { DocumentReference, DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import {
  CONSENT_SOURCES,
  applyConsentChange as nextConsent,
  type Consent,
  type ConsentSource,
} from '../consent/consent-rules.js';
import { GrpcCode, grpcCode } from '../grpc-status.js';
import { COLLECTIONS } from './collections.js';
import { timestampsToDates } from './firestore.js';
import { ContentionError, mutateDocument } from './optimistic.js';

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
  /** Whether the document changed: a new value, or only a later `changedAt` (no history, no publish). */
  applied: boolean;
  /** The history entry this change wrote; absent for a duplicate, an older change, or a `changedAt` move. */
  history?: ConsentHistoryRecord;
  /**
   * Every applied change of the phone not yet confirmed published, oldest first (`history` among them):
   * publish each, then call `markConsentChangesPublished`.
   */
  unpublished: ConsentHistoryRecord[];
}

/** A field of the consent document only: never shown by the query API. */
const UNPUBLISHED_FIELD = 'unpublishedChangeIds';
const MAX_ATTEMPTS = 25;

interface StoredConsent {
  consent: Consent;
  unpublishedChangeIds: string[];
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
    unpublishedChangeIds: Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [],
  };
}

function documentOf(consent: Consent, unpublishedChangeIds: readonly string[]): Record<string, unknown> {
  return {
    phoneNumber: consent.phoneNumber,
    agentId: consent.agentId,
    subscribed: consent.subscribed,
    changedAt: consent.changedAt,
    source: consent.source,
    [UNPUBLISHED_FIELD]: [...unpublishedChangeIds],
  };
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
        await writeDocument(db, ref, snapshot, documentOf(update.next, pendingIds));
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
      await writeDocument(db, ref, snapshot, documentOf(update.next, ids), history);
      const earlier = await readHistory(db, update.next, ids.slice(0, -1));
      return { consent: update.next, applied: true, history, unpublished: [...earlier, history] };
    } catch (error) {
      const code = grpcCode(error);
      if (code !== GrpcCode.ALREADY_EXISTS && code !== GrpcCode.FAILED_PRECONDITION) throw error;
      await pause(Math.random() * Math.min(200, 5 * 2 ** attempt));
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
    batch.update(ref, document, { lastUpdateTime: snapshot.updateTime });
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

/** Confirms that these changes of the phone were published: they are not handed out again. */
export async function markConsentChangesPublished(
  db: Firestore,
  phoneNumber: string,
  historyIds: readonly string[],
): Promise<void> {
  if (historyIds.length === 0) return;
  const confirmed = new Set(historyIds);
  await mutateDocument(
    consentRef(db, phoneNumber),
    (data) => data,
    (current) => {
      const ids = current?.[UNPUBLISHED_FIELD];
      if (!Array.isArray(ids) || !ids.some((id) => confirmed.has(id as string))) return undefined;
      return { ...current, [UNPUBLISHED_FIELD]: ids.filter((id) => !confirmed.has(id as string)) };
    },
  );
}
