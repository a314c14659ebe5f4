import { randomUUID } from 'node:crypto';
import { Timestamp } from '@google-cloud/firestore';
import { describe, expect, it } from 'vitest';
import { fileKey } from '../../shared/files/create-file.js';
import { firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { TEST_AGENT_ID } from '../support/outbound-stack.js';
import { useFunctionStack, violatedFields } from '../support/function-stack.js';

const stack = useFunctionStack('files');
const filesUrl = () => `${stack().fn.url}/v1/files`;
const post = (body: unknown) => request(filesUrl(), { method: 'POST', body });
const image = 'https://cdn.example.com/parcel.png';
const thumbnail = 'https://cdn.example.com/parcel-small.png';
const fileCreates = () => stack().rbm.callsOf('fileCreate');

describe('files', () => {
  it('creates the file at RBM once, then answers from the cache', async () => {
    const first = await post({ fileUrl: image, thumbnailUrl: thumbnail });
    expect(first.status).toBe(200);
    const { name } = first.json as { name: string };
    expect(name).toMatch(/^files\//);
    expect(first.headers.get('rbm-cache')).toBe('MISS');
    expect(fileCreates()).toHaveLength(1);
    expect(fileCreates()[0]?.body).toEqual({
      fileUrl: image,
      thumbnailUrl: thumbnail,
      agentId: TEST_AGENT_ID,
    });

    const stored = (await firestoreAdmin().collection('files').doc(fileKey(image, thumbnail)).get()).data();
    expect(stored).toMatchObject({ name, fileUrl: image, thumbnailUrl: thumbnail });
    expect(stored?.createdAt).toBeInstanceOf(Timestamp);

    const again = await post({ fileUrl: image, thumbnailUrl: thumbnail });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ name });
    expect(again.headers.get('rbm-cache')).toBe('HIT');
    expect(fileCreates()).toHaveLength(1);
  });

  it('8 concurrent first requests for one URL upload it once and all answer its name', async () => {
    // A slow upload, so every other request arrives while it runs.
    stack().rbm.failNext(1, { hangMs: 400, then: 'answer' }, { only: 'fileCreate' });
    const fileUrl = `https://cdn.example.com/${randomUUID()}.png`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => post({ fileUrl })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(8).fill(200));
    const names = answers.map((answer) => (answer.json as { name: string }).name);
    expect(new Set(names).size).toBe(1);
    expect(names[0]).toMatch(/^files\//);
    expect(fileCreates()).toHaveLength(1);
    expect(answers.map((answer) => answer.headers.get('rbm-cache')).sort()).toEqual([
      ...Array(7).fill('HIT'),
      'MISS',
    ]);
    // The finished entry keeps no trace of the claim.
    const stored = (await firestoreAdmin().collection('files').doc(fileKey(fileUrl, undefined)).get()).data();
    expect(Object.keys(stored ?? {}).sort()).toEqual(['createdAt', 'fileUrl', 'name', 'thumbnailUrl']);
    expect(stored).toMatchObject({ name: names[0], fileUrl, thumbnailUrl: null });
  });

  it('another thumbnail (or none) is another file', async () => {
    await post({ fileUrl: image, thumbnailUrl: thumbnail });
    const without = await post({ fileUrl: image });
    expect(without.status).toBe(200);
    expect(without.headers.get('rbm-cache')).toBe('MISS');
    expect(fileCreates()).toHaveLength(2);
    expect(fileCreates()[1]?.body).toEqual({ fileUrl: image, agentId: TEST_AGENT_ID });
  });

  it('uploads again once the cached file is 55 days old', async () => {
    const key = fileKey(image, undefined);
    await firestoreAdmin()
      .collection('files')
      .doc(key)
      .set({
        name: 'files/old',
        fileUrl: image,
        thumbnailUrl: null,
        createdAt: Timestamp.fromMillis(Date.now() - 55 * 86_400_000 - 1000),
      });
    const answer = await post({ fileUrl: image });
    expect(answer.headers.get('rbm-cache')).toBe('MISS');
    expect((answer.json as { name: string }).name).not.toBe('files/old');
    expect(fileCreates()).toHaveLength(1);

    await firestoreAdmin()
      .collection('files')
      .doc(key)
      .set({
        name: 'files/young',
        fileUrl: image,
        thumbnailUrl: null,
        createdAt: Timestamp.fromMillis(Date.now() - 54 * 86_400_000),
      });
    const young = await post({ fileUrl: image });
    expect(young.json).toEqual({ name: 'files/young' });
    expect(young.headers.get('rbm-cache')).toBe('HIT');
  });

  it('refuses anything but https URLs of at most 2,048 characters, listing every problem, and calls nothing', async () => {
    const answer = await post({
      fileUrl: 'http://cdn.example.com/a.png',
      thumbnailUrl: `https://cdn.example.com/${'t'.repeat(2040)}`,
      caption: 'x',
    });
    expect(answer.status).toBe(400);
    expect(violatedFields(answer.json).sort()).toEqual(['caption', 'fileUrl', 'thumbnailUrl']);
    expect((await post({})).status).toBe(400);
    expect((await request(filesUrl(), { method: 'POST', rawBody: 'not json' })).status).toBe(400);
    expect(fileCreates()).toHaveLength(0);
  });

  it('passes RBM’s refusal through and caches nothing', async () => {
    stack().rbm.failNext(1, { status: 400 }, { only: 'fileCreate' });
    const answer = await post({ fileUrl: image });
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    expect((await firestoreAdmin().collection('files').doc(fileKey(image, undefined)).get()).exists).toBe(
      false,
    );
  });

  it('retries RBM’s 503 and answers 503 when RBM stays unavailable', async () => {
    stack().rbm.failNext(1, { status: 503 }, { only: 'fileCreate' });
    expect((await post({ fileUrl: image })).status).toBe(200);
    expect(fileCreates()).toHaveLength(2);

    stack().rbm.failNext(100, { status: 503 }, { only: 'fileCreate' });
    const down = await post({ fileUrl: 'https://cdn.example.com/other.png' });
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ error: { status: 'UNAVAILABLE' } });
  });

  it('answers 405 for other methods', async () => {
    expect((await request(filesUrl())).status).toBe(405);
  });
});
