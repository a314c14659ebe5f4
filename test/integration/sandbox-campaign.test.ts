/**
 * The sandbox page's campaign panel in Debian's Chromium (playwright-core): a campaign to 30 generated phones at
 * 1/s starts from the page, its counts move, Cancel stops it: CANCELLED with recipients never dispatched. The
 * prepared phones are real: some offline, some not on RCS, some unsubscribed.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../devtools/local-stack.js';
import { launchChromium, type Browser } from '../../devtools/clients/chromium.js';
import { startStackOnTestEmulators } from '../support/full-stack.js';
import { clearFirestore } from '../support/firestore-admin.js';
import { request } from '../support/http.js';
import { pollUntil } from '../support/poll.js';

let stack: LocalStack | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  await clearFirestore();
  stack = await startStackOnTestEmulators({
    agentId: 'campaign-browser-agent',
    clientToken: 'campaign-browser-test-client-token',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function countOf(panel: Locator, state: string): Promise<number> {
  const item = panel.locator(`[data-count=${state}]`);
  if ((await item.count()) === 0) return -1;
  const text = (await item.textContent()) ?? '';
  return Number(text.split(' ').at(-1));
}

async function campaignState(page: Page): Promise<string | null> {
  return page.locator('#campaign-progress [data-role=campaign-state]').textContent();
}

it('starts a campaign from the page, shows its progress live, and cancels it', async () => {
  const { page } = browser!;
  const local = stack!;
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));

  await page.goto(local.sandbox.url);
  await page.locator('#connection.live').waitFor({ timeout: 10_000 });
  await page.fill('#start-campaign input[name=count]', '30');
  await page.fill('#start-campaign input[name=ratePerSecond]', '1');
  await page.click('#start-campaign button[type=submit]');

  const panel = page.locator('#campaign-progress');
  await panel.waitFor({ state: 'visible', timeout: 30_000 });
  const campaignId = await pollUntil(
    async () => (await panel.getAttribute('data-campaign-id')) ?? undefined,
    {
      description: 'the campaign id on the panel',
      timeoutMs: 30_000,
    },
  );

  // The phones were prepared through the fake before the campaign: 3 offline, 3 not on RCS, 3 unsubscribed.
  const generated = local.rbm
    .phones()
    .filter((info) => info.phone.startsWith('+1555') && !info.phone.startsWith('+1555010'));
  expect(generated).toHaveLength(30);
  expect(generated.filter((info) => info.state === 'offline')).toHaveLength(3);
  expect(generated.filter((info) => info.state === 'unreachable')).toHaveLength(3);
  await page
    .locator('section.phone [data-role=consent][data-subscribed=false]')
    .nth(2)
    .waitFor({ timeout: 20_000 });

  // Progress: some recipients have a record, the bar moved, and the campaign is running.
  await pollUntil(
    async () => {
      const dispatched = 30 - (await countOf(panel, 'NOT_DISPATCHED'));
      return dispatched > 0 && dispatched < 30 && (await campaignState(page)) === 'RUNNING'
        ? true
        : undefined;
    },
    { description: 'the panel to show sends while RUNNING', timeoutMs: 30_000 },
  );
  expect(Number(await panel.locator('[data-role=campaign-bar]').getAttribute('value'))).toBeGreaterThan(0);
  const recorded = await Promise.all(
    ['PENDING', 'SENT', 'DELIVERED', 'READ', 'FAILED'].map((state) => countOf(panel, state)),
  );
  expect(recorded.some((count) => count > 0)).toBe(true);

  await panel.locator('[data-action=cancel-campaign]').click();
  await pollUntil(async () => ((await campaignState(page)) === 'CANCELLED' ? true : undefined), {
    description: 'the panel to show CANCELLED',
    timeoutMs: 20_000,
  });
  const notDispatched = await countOf(panel, 'NOT_DISPATCHED');
  expect(notDispatched).toBeGreaterThan(0);
  expect(await panel.locator('[data-action=cancel-campaign]').isHidden()).toBe(true);

  // The page relays the function's own answer.
  const direct = await request(`${local.functions.campaigns.url}/v1/campaigns/${campaignId}`);
  expect(direct.status).toBe(200);
  expect(direct.json).toMatchObject({ campaignId, state: 'CANCELLED', recipientCount: 30 });
  const relayed = await request(`${local.rbm.url}/sandbox/api/campaigns/${campaignId}`);
  expect(relayed.json).toMatchObject({ campaignId, state: 'CANCELLED' });
  expect(pageErrors).toEqual([]);
});
