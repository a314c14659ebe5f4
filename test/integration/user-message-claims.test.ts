/**
 * User-message publish claims on the Firestore emulator: claim times on Firestore's clock, takeovers only
 * from the version read, and a holder's updates fenced on its claim id.
 */
import type { Timestamp } from '@google-cloud/firestore';
import { beforeEach, describe, expect, it } from 'vitest';
import { FirestoreUserMessageClaims } from '../../shared/store/user-message-claims.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';

const db = () => firestoreAdmin();
const document = { messageId: 'u1', agentId: 'agent', phoneNumber: '+15550002222', kind: 'text', text: 'hi' };
const raw = async (id: string) => (await db().collection('userMessages').doc(id).get()).data();

beforeEach(async () => {
  await clearFirestore();
});

describe('FirestoreUserMessageClaims', () => {
  it('creates the document claimed, once, and reads the claim age on the server clock', async () => {
    const claims = new FirestoreUserMessageClaims(db());
    const hold = await claims.create('u1', document, 'a');
    expect(hold?.claimId).toBe('a');
    expect(await claims.create('u1', document, 'b')).toBeUndefined();
    const stored = await claims.read('u1');
    expect(stored?.document).toEqual(document);
    expect(stored?.state.kind).toBe('claimed');
    const ageMs = stored?.state.kind === 'claimed' ? stored.state.ageMs : -1;
    expect(ageMs).toBeGreaterThanOrEqual(0);
    expect(ageMs).toBeLessThan(60_000);
  });

  it("a holder whose claim was taken over cannot mark the message published or give the new holder's claim back", async () => {
    const claims = new FirestoreUserMessageClaims(db());
    const first = (await claims.create('u1', document, 'first'))!;
    const read = (await claims.read('u1'))!;
    const second = (await claims.takeOver('u1', 'second', read.version))!;
    expect(second.claimId).toBe('second');

    expect(await claims.markPublished('u1', first, { pubsubMessageId: 'p-first', at: new Date() })).toBe(
      false,
    );
    expect(await claims.release('u1', first)).toBe(false);
    expect(await raw('u1')).toMatchObject({ publishState: 'CLAIMED', claimId: 'second' });

    expect(await claims.markPublished('u1', second, { pubsubMessageId: 'p-second', at: new Date() })).toBe(
      true,
    );
    const stored = await raw('u1');
    expect(stored).toMatchObject({ publishState: 'PUBLISHED', pubsubMessageId: 'p-second' });
    expect(stored?.claimId).toBeUndefined();
    expect((await claims.read('u1'))?.state).toEqual({ kind: 'published' });
  });

  it('a takeover from a stale read fails (someone else changed the document first)', async () => {
    const claims = new FirestoreUserMessageClaims(db());
    await claims.create('u1', document, 'first');
    const read = (await claims.read('u1'))!;
    expect(await claims.takeOver('u1', 'second', read.version)).toBeDefined();
    expect(await claims.takeOver('u1', 'third', read.version)).toBeUndefined();
    expect(await raw('u1')).toMatchObject({ claimId: 'second' });
  });

  it('an unrelated write to the document does not cost the holder its claim', async () => {
    const claims = new FirestoreUserMessageClaims(db());
    const hold = (await claims.create('u1', document, 'holder'))!;
    await db().collection('userMessages').doc('u1').update({ readByAgentAt: new Date() });
    expect(await claims.markPublished('u1', hold, { pubsubMessageId: 'p1', at: new Date() })).toBe(true);
    expect(await raw('u1')).toMatchObject({ publishState: 'PUBLISHED', pubsubMessageId: 'p1' });
  });

  it('a released claim reads as free, and the document keeps the message', async () => {
    const claims = new FirestoreUserMessageClaims(db());
    const hold = (await claims.create('u1', document, 'holder'))!;
    expect(await claims.release('u1', hold)).toBe(true);
    const stored = await claims.read('u1');
    expect(stored?.state).toEqual({ kind: 'unclaimed' });
    expect(stored?.document).toEqual(document);
    expect((stored?.version as Timestamp).toMillis()).toBeGreaterThan(0);
  });
});
