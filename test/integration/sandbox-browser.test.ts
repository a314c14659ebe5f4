/**
 * The sandbox page in Debian's Chromium (playwright-core): a phone added from the page receives a card sent
 * through `send`, a person taps a chip and types a reply; Firestore has the suggestion response and the reply,
 * and the card's recorded state, READ, shows on the page. Without Chromium this fails with the install command.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../devtools/local-stack.js';
import { launchChromium, type Browser } from '../../devtools/clients/chromium.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { clearFirestore, firestoreAdmin } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { testPhone } from '../support/phones.js';
import { pollUntil } from '../support/poll.js';

let stack: LocalStack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  await clearFirestore();
  stack = await startStackOnTestEmulators({
    agentId: 'browser-agent',
    clientToken: 'browser-test-client-token',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

it('shows a sent card live, and a chip tap and a typed reply reach Firestore; the card ends READ on the page', async () => {
  const { page } = browser!;
  const local = stack!;
  const db = firestoreAdmin();
  const phone = testPhone();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(local.sandbox.url);
  await page.locator('#connection.live').waitFor({ timeout: 10_000 });

  // Add the phone from the page: delivered automatically, read only when the person acts.
  await page.fill('#add-phone input[name=phone]', phone);
  await page.selectOption('#add-phone select[name=mode]', 'auto-deliver');
  await page.click('#add-phone button[type=submit]');
  const column = page.locator(`section.phone[data-phone="${phone}"]`);
  await column.waitFor({ timeout: 10_000 });

  const messageId = randomUUID();
  const hostile = '<img src=x onerror="document.body.dataset.owned=1">';
  const sent = await request(
    `${local.functions.send.url}/v1/phones/${phone}/agentMessages?messageId=${messageId}`,
    {
      method: 'POST',
      body: {
        contentMessage: {
          richCard: {
            standaloneCard: {
              cardOrientation: 'VERTICAL',
              cardContent: {
                title: 'Your table is booked',
                description: hostile,
                media: {
                  height: 'SHORT',
                  contentInfo: { fileUrl: `${local.rbm.url}/sandbox/media/store.svg` },
                },
                suggestions: [{ reply: { text: 'Confirm', postbackData: 'confirm-booking' } }],
              },
            },
          },
        },
      },
    },
  );
  expect(sent.status).toBe(200);

  const message = column.locator(`.item.agent[data-message-id="${messageId}"]`);
  await message.waitFor({ timeout: 15_000 });
  await expect(message.locator('.card-title').textContent()).resolves.toBe('Your table is booked');
  await expect(message.locator('.card-description').textContent()).resolves.toBe(hostile);
  const badge = message.locator('[data-role=backend-state]');
  await pollUntil(async () => ((await badge.textContent()) === 'DELIVERED' ? true : undefined), {
    description: 'the card to show DELIVERED',
    timeoutMs: 20_000,
  });

  await message.locator('button.chip[data-postback="confirm-booking"]').click();
  const suggestion = await pollUntil(
    async () => {
      const snapshot = await db
        .collection('userMessages')
        .where('phoneNumber', '==', phone)
        .where('kind', '==', 'suggestionResponse')
        .get();
      return snapshot.docs[0]?.data();
    },
    { description: 'the suggestion response in userMessages', timeoutMs: 20_000 },
  );
  expect(suggestion.suggestionResponse).toMatchObject({
    postbackData: 'confirm-booking',
    text: 'Confirm',
    type: 'REPLY',
  });

  const record = await pollUntil(
    async () => {
      const data = (await db.collection('agentMessages').doc(messageId).get()).data();
      return data?.state === 'READ' ? data : undefined;
    },
    { description: 'the card READ in Firestore', timeoutMs: 20_000 },
  );
  expect(record.readAt).toBeDefined();
  await pollUntil(async () => ((await badge.textContent()) === 'READ' ? true : undefined), {
    description: 'the page to show READ',
    timeoutMs: 20_000,
  });

  await column.locator('.composer input').fill('Table by the window, please');
  await column.locator('.composer input').press('Enter');
  await pollUntil(
    async () => {
      const snapshot = await db
        .collection('userMessages')
        .where('phoneNumber', '==', phone)
        .where('kind', '==', 'text')
        .get();
      return snapshot.docs[0]?.data().text === 'Table by the window, please' ? true : undefined;
    },
    { description: 'the typed reply in userMessages', timeoutMs: 20_000 },
  );
  await column.locator('.item.user', { hasText: 'Table by the window, please' }).waitFor({ timeout: 10_000 });
  await pollUntil(
    async () =>
      (await column.locator('.item.user .meta', { hasText: 'stored ✓' }).count()) >= 2 ? true : undefined,
    { description: 'both user messages shown as stored', timeoutMs: 20_000 },
  );

  expect(
    await page.evaluate(
      () =>
        (globalThis as { document?: { body: { dataset: Record<string, string> } } }).document?.body.dataset
          .owned,
    ),
  ).toBeUndefined();
  expect(pageErrors).toEqual([]);
});
