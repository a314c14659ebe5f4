/** handleWebhook with a recording publisher: handshake, signatures, publish-before-200. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/log/logger.js';
import { handleWebhook } from '../../../shared/webhook/handle-webhook.js';
import { recordingPublisher } from '../../support/recording-publisher.js';

const TOKEN = 'client-token';
const silent = createLogger({}, () => undefined);
const payload = Buffer.from(JSON.stringify({ senderPhoneNumber: '+15550101234', text: 'hi' }));
const sign = (data: Buffer, key = TOKEN) => createHmac('sha512', key).update(data).digest('base64');
const callback = (data = payload) => ({
  message: { data: data.toString('base64'), attributes: { type: 'message', count: 2 }, messageId: 'm-1' },
});

function harness() {
  const recorder = recordingPublisher();
  const handle = (body: Record<string, unknown>, signature?: string) =>
    handleWebhook(
      { body, signature },
      { clientToken: TOKEN, inboundTopic: 'inbound', publish: recorder.publish, logger: silent },
    );
  return { ...recorder, handle };
}

describe('handleWebhook', () => {
  it('answers the handshake with the secret for the right client token only', async () => {
    const h = harness();
    expect(await h.handle({ clientToken: TOKEN, secret: 's3cret' })).toEqual({
      kind: 'handshakeAnswered',
      secret: 's3cret',
    });
    expect(await h.handle({ clientToken: 'wrong', secret: 's3cret' })).toEqual({ kind: 'handshakeRefused' });
  });

  it('publishes a verified callback with its attributes as strings', async () => {
    const h = harness();
    expect(await h.handle(callback(), sign(payload))).toEqual({ kind: 'published' });
    expect(h.published).toEqual([
      {
        topic: 'inbound',
        json: { senderPhoneNumber: '+15550101234', text: 'hi' },
        attributes: { type: 'message', count: '2' },
      },
    ]);
  });

  it.each([
    ['missing', undefined],
    ['signed with another key', sign(payload, 'other')],
    ['not base64', '%%%'],
  ])('refuses a signature that is %s and publishes nothing', async (_what, signature) => {
    const h = harness();
    expect(await h.handle(callback(), signature)).toEqual({ kind: 'signatureInvalid' });
    expect(h.published).toHaveLength(0);
  });

  it('a failed publish is reported so RBM retries', async () => {
    const h = harness();
    h.failNext(1);
    expect(await h.handle(callback(), sign(payload))).toEqual({ kind: 'publishFailed' });
  });

  it('a malformed body is a 400', async () => {
    const h = harness();
    await expect(h.handle({ message: { data: 42 } }, sign(payload))).rejects.toMatchObject({ code: 400 });
  });

  it.each([
    ['no message', {}],
    ['empty data', { message: { data: '' } }],
    ['data not base64', { message: { data: '%%%' } }],
  ])('a malformed body is a 400 unsigned too (%s): it cannot carry a signature', async (_what, body) => {
    const h = harness();
    await expect(h.handle(body, undefined)).rejects.toMatchObject({ code: 400 });
    expect(h.published).toHaveLength(0);
  });
});
