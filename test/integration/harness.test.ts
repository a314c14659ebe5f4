import { afterAll, describe, expect, it } from 'vitest';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { emulatorContext } from '../support/emulator-context.js';
import { pollUntil } from '../support/poll.js';
import { pubsubAdmin } from '../support/pubsub-admin.js';

const context = emulatorContext();
const firestore = firestoreAdmin(context);

afterAll(async () => {
  await firestore.terminate();
});

describe('test harness', () => {
  it('provides both emulators on loopback ports, and both answer', async () => {
    expect(context.projectId).toBe('rbm-test');
    for (const host of [context.pubsubHost, context.firestoreHost]) {
      expect(host).toMatch(/^127\.0\.0\.1:\d+$/);
      const response = await fetch(`http://${host}/`);
      expect(response.status).toBe(200);
      expect((await response.text()).trim()).toBe('Ok');
    }
  });

  it('clears Firestore through the emulator endpoint', async () => {
    const doc = firestore.collection('harness').doc('probe');
    await doc.set({ written: true });
    expect((await doc.get()).exists).toBe(true);

    await clearFirestore(context);

    expect((await doc.get()).exists).toBe(false);
    expect((await firestore.collection('harness').get()).size).toBe(0);
  });

  it('carries a message through the Pub/Sub emulator', async () => {
    const pubsub = pubsubAdmin(context);
    try {
      const [topic] = await pubsub.createTopic(`harness-${Date.now()}`);
      const [subscription] = await topic.createSubscription(
        `${topic.name.split('/').pop() ?? 'harness'}-pull`,
      );
      await topic.publishMessage({ data: Buffer.from('hello'), attributes: { kind: 'probe' } });
      const received: string[] = [];
      subscription.on('message', (message) => {
        received.push(`${message.attributes.kind}:${message.data.toString()}`);
        message.ack();
      });
      expect(
        await pollUntil(() => received[0], { description: 'the published message', timeoutMs: 20_000 }),
      ).toBe('probe:hello');
      await subscription.close();
    } finally {
      await pubsub.close();
    }
  });
});
