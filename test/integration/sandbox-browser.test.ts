/**
 * The sandbox page in Debian's Chromium (playwright-core): a phone added from the page receives a card sent
 * through `send`, a person taps a chip and types a reply; Firestore has the suggestion response and the reply,
 * and the card's recorded state, READ, shows on the page. Then the message outcomes and conversation basics:
 * Unsubscribe (consent shown, a PROMOTION refused), fallback decision badges (an expired OTP; a failed TTL revoke
 * delivered afterwards), the agent's READ of a reply and its typing indicator. Without Chromium this fails with
 * the install command.
 */
import { randomUUID } from 'node:crypto';
import type { Locator } from 'playwright-core';
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

/** Polls until the locator's text satisfies `wanted` (the page re-renders on every change). */
async function textOf(
  locator: Locator,
  wanted: (text: string) => boolean,
  description: string,
): Promise<string> {
  return pollUntil(
    async () => {
      const text = (await locator.count()) > 0 ? await locator.first().textContent() : null;
      return text !== null && wanted(text) ? text : undefined;
    },
    { description, timeoutMs: 20_000 },
  );
}

it('shows consent, fallback decisions, the agent reading a reply and typing', async () => {
  const { page } = browser!;
  const local = stack!;
  const db = firestoreAdmin();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const sandboxApi = (path: string, body: unknown) =>
    request(`${local.rbm.url}/sandbox/api${path}`, { method: 'POST', body });
  const send = (phone: string, messageId: string, body: unknown, headers: Record<string, string> = {}) =>
    request(`${local.functions.send.url}/v1/phones/${phone}/agentMessages?messageId=${messageId}`, {
      method: 'POST',
      body,
      headers,
    });
  const agentEvent = (phone: string, body: unknown) =>
    request(`${local.functions.events.url}/v1/phones/${phone}/agentEvents`, { method: 'POST', body });

  const customer = testPhone();
  const offline = testPhone();
  expect((await sandboxApi('/phones', { phone: customer, mode: 'auto-deliver' })).status).toBe(200);
  expect(
    (await sandboxApi('/phones', { phone: offline, state: 'offline', mode: 'auto-deliver' })).status,
  ).toBe(200);
  await page.goto(local.sandbox.url);
  await page.locator('#connection.live').waitFor({ timeout: 10_000 });
  const customerColumn = page.locator(`section.phone[data-phone="${customer}"]`);
  const offlineColumn = page.locator(`section.phone[data-phone="${offline}"]`);

  // Unsubscribe: STOP and UNSUBSCRIBE for one tap, one consent change; the page shows it; a PROMOTION is refused.
  const consent = customerColumn.locator('[data-role=consent]');
  await textOf(consent, (text) => text.startsWith('subscribed'), 'the phone shown subscribed');
  await customerColumn.locator('button[data-action=unsubscribe]').click();
  await customerColumn.locator('[data-role=consent][data-subscribed=false]').waitFor({ timeout: 20_000 });
  expect(await consent.textContent()).toMatch(/^unsubscribed · /);
  await customerColumn.locator('.item.user .bubble', { hasText: 'STOP' }).waitFor({ timeout: 10_000 });
  await customerColumn.locator('button[data-action=subscribe]').waitFor({ timeout: 10_000 });
  const history = await db.collection('consents').doc(customer).collection('history').get();
  expect(history.docs.map((doc) => doc.data().subscribed)).toEqual([false]);
  const promotion = await send(customer, randomUUID(), {
    contentMessage: { text: '20% off this weekend' },
    messageTrafficType: 'PROMOTION',
  });
  expect(promotion.status).toBe(400);
  expect(JSON.stringify(promotion.json)).toContain('RECIPIENT_UNSUBSCRIBED');

  // An OTP to an offline phone, policy critical with a ttl, expires: EXPIRED · NOT_DELIVERED.
  const otpId = randomUUID();
  const otp = {
    contentMessage: { text: 'Your code is 620419' },
    messageTrafficType: 'AUTHENTICATION',
    ttl: '300s',
  };
  expect((await send(offline, otpId, otp, { 'Fallback-Policy': 'critical' })).status).toBe(200);
  const otpItem = offlineColumn.locator(`.item.agent[data-message-id="${otpId}"]`);
  await textOf(otpItem.locator('[data-role=backend-state]'), (text) => text === 'SENT', 'the OTP SENT');
  await otpItem.locator('button[data-action=expire]').click();
  const expiredBadge = otpItem.locator('[data-role=fallback]');
  await textOf(expiredBadge, (text) => text.includes('EXPIRED · NOT_DELIVERED'), 'the EXPIRED badge');
  expect(await otpItem.locator('[data-role=history] li').allTextContents()).toEqual([
    expect.stringMatching(/^created /),
    expect.stringMatching(/^SENT /),
    expect.stringMatching(/^EXPIRED /),
    expect.stringMatching(/^fallback EXPIRED /),
  ]);

  // A TTL revoke that fails: EXPIRY_UNCONFIRMED · UNKNOWN at once; the phone comes online and gets it after all.
  const lateId = randomUUID();
  expect((await send(offline, lateId, otp, { 'Fallback-Policy': 'critical' })).status).toBe(200);
  const lateItem = offlineColumn.locator(`.item.agent[data-message-id="${lateId}"]`);
  await textOf(
    lateItem.locator('[data-role=backend-state]'),
    (text) => text === 'SENT',
    'the second OTP SENT',
  );
  await lateItem.locator('button[data-action=expire-revoke-fails]').click();
  const lateBadge = lateItem.locator('[data-role=fallback]');
  await textOf(lateBadge, (text) => text === 'fallback: EXPIRY_UNCONFIRMED · UNKNOWN', 'the UNKNOWN badge');
  await offlineColumn.locator('select[aria-label="phone state"]').selectOption('reachable');
  await lateBadge.locator('[data-role=delivered-after]').waitFor({ timeout: 20_000 });
  await textOf(
    lateItem.locator('[data-role=backend-state]'),
    (text) => text === 'DELIVERED',
    'DELIVERED late',
  );
  expect(await lateBadge.getAttribute('data-reason')).toBe('EXPIRY_UNCONFIRMED');
  expect(await expiredBadge.locator('[data-role=delivered-after]').count()).toBe(0);

  // The agent reads the user's reply (through the events function): "Read" under the user's bubble.
  await customerColumn.locator('.composer input').fill('Is my order shipped?');
  await customerColumn.locator('.composer input').press('Enter');
  const reply = customerColumn.locator('.item.user', { hasText: 'Is my order shipped?' });
  await reply.waitFor({ timeout: 10_000 });
  const replyId = await reply.getAttribute('data-message-id');
  expect(await reply.locator('[data-role=read-by-agent]').count()).toBe(0);
  expect((await agentEvent(customer, { eventType: 'READ', messageId: replyId })).status).toBe(200);
  await textOf(
    reply.locator('[data-role=read-by-agent]'),
    (text) => text === 'Read',
    '"Read" under the reply',
  );

  // IS_TYPING: the phone shows the agent typing.
  const typing = customerColumn.locator('[data-role=typing]');
  expect(await typing.count()).toBe(0);
  expect((await agentEvent(customer, { eventType: 'IS_TYPING' })).status).toBe(200);
  await typing.waitFor({ timeout: 10_000 });
  expect(local.rbm.isTyping(customer)).toBe(true);

  expect(pageErrors).toEqual([]);
});
