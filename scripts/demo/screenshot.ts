/**
 * Takes the README's screenshot of the sandbox page (docs/sandbox.png) after a short scripted conversation on a
 * local stack of its own. Needs `npm run build` first and Chromium (see devtools/clients/chromium.ts).
 *
 *   npx tsx scripts/demo/screenshot.ts [docs/sandbox.png]
 */
import { randomUUID } from 'node:crypto';
import { startLocalStack } from '../../devtools/local-stack.js';
import { emulatorFirestore } from '../../devtools/emulator-clients.js';
import { launchChromium } from '../../devtools/clients/chromium.js';
import { sendAgentEvent } from '../../devtools/clients/conversation-client.js';
import { revokeAgentMessage, sendAgentMessage } from '../../devtools/clients/functions-client.js';
import { watchTransitions } from '../../devtools/clients/records.js';
import { sandboxClient } from '../../devtools/clients/sandbox-client.js';
import { OTP } from './outcomes.js';
import { demoCard } from './scenario.js';

const output = process.argv[2] ?? 'docs/sandbox.png';
const CUSTOMER = '+15550100101';
const OFFLINE = '+15550100102';
const NOT_RCS = '+15550100103';
const UNSUBSCRIBING = '+15550100104';

const stack = await startLocalStack({ rbm: { autoEvents: { deliver: true, read: true, delayMs: 300 } } });
const db = emulatorFirestore(stack.projectId, stack.emulators.firestoreHost);
try {
  const sandbox = sandboxClient(stack.rbm.url);
  const sendUrl = stack.functions.send.url;
  const send = async (phone: string, agentMessage: unknown, critical = false): Promise<string> => {
    const messageId = randomUUID();
    await sendAgentMessage({
      sendUrl,
      phone,
      messageId,
      agentMessage,
      ...(critical ? { fallbackPolicy: 'critical' } : {}),
    });
    return messageId;
  };
  const until = (messageId: string, state: string) =>
    watchTransitions(db, messageId, { until: [state], timeoutMs: 30_000 });

  await sandbox.configurePhone(CUSTOMER, { state: 'reachable', mode: 'auto-read', delayMs: 300 });
  await sandbox.configurePhone(OFFLINE, { state: 'offline', mode: 'auto-read' });
  await sandbox.configurePhone(NOT_RCS, { state: 'unreachable' });
  await sandbox.configurePhone(UNSUBSCRIBING, { state: 'reachable', mode: 'auto-read', delayMs: 300 });

  const card = await send(CUSTOMER, demoCard(stack.rbm.url));
  await until(card, 'READ');
  await sandbox.tapSuggestion(CUSTOMER, {
    postbackData: 'track-parcel',
    text: 'Track it',
    type: 'REPLY',
    agentMessageId: card,
  });
  const carousel = await send(CUSTOMER, {
    contentMessage: {
      richCard: {
        carouselCard: {
          cardWidth: 'MEDIUM',
          cardContents: [
            {
              title: 'Pick up in store',
              description: 'Ready from 14:00 at Main St.',
              media: {
                height: 'SHORT',
                contentInfo: { fileUrl: `${stack.rbm.url}/sandbox/media/store.svg` },
              },
              suggestions: [{ reply: { text: 'Pick up', postbackData: 'pickup' } }],
            },
            {
              title: 'Another day',
              description: 'Choose a delivery slot.',
              media: {
                height: 'SHORT',
                contentInfo: { fileUrl: `${stack.rbm.url}/sandbox/media/calendar.svg` },
              },
              suggestions: [{ reply: { text: 'Reschedule', postbackData: 'reschedule' } }],
            },
          ],
        },
      },
    },
  });
  await until(carousel, 'READ');
  const reply = await sandbox.reply(CUSTOMER, 'Pick up works, thanks!');

  const revoked = await send(OFFLINE, { contentMessage: { text: 'Your driver is 5 minutes away.' } });
  await until(revoked, 'SENT');
  await revokeAgentMessage(stack.functions.revoke.url, OFFLINE, revoked);
  await until(revoked, 'REVOKED');
  const otp = await send(OFFLINE, OTP, true);
  await until(otp, 'SENT');
  await sandbox.expire(otp);
  await until(otp, 'EXPIRED');
  const failed = await send(NOT_RCS, { contentMessage: { text: 'Your code is 123456' } });
  await until(failed, 'FAILED');
  const statement = await send(UNSUBSCRIBING, {
    contentMessage: { text: 'Your March statement is ready.' },
    messageTrafficType: 'TRANSACTION',
  });
  await until(statement, 'READ');
  await sandbox.tapConsent(UNSUBSCRIBING, 'unsubscribe');
  await sendAgentEvent(stack.functions.events.url, CUSTOMER, {
    eventType: 'READ',
    messageId: reply.messageId,
  });
  await sendAgentEvent(stack.functions.events.url, CUSTOMER, { eventType: 'IS_TYPING' });

  const browser = await launchChromium({ width: 1640, height: 1000 });
  try {
    await browser.page.goto(stack.sandbox.url);
    await browser.page.locator('#connection.live').waitFor();
    await browser.page.locator('.item.user', { hasText: 'Pick up works' }).waitFor();
    await browser.page.locator('.item.agent [data-role=backend-state]', { hasText: 'FAILED' }).waitFor();
    await browser.page.locator('[data-role=fallback][data-reason=EXPIRED]').waitFor();
    await browser.page.locator('[data-role=read-by-agent]').waitFor();
    await browser.page.locator('[data-role=typing]').waitFor();
    await browser.page.locator('[data-role=consent][data-subscribed=false]').waitFor();
    await browser.page.waitForFunction(() => {
      const images = (globalThis as unknown as { document: { images: ArrayLike<{ complete: boolean }> } })
        .document.images;
      return Array.from(images).every((image) => image.complete);
    });
    await browser.page.screenshot({ path: output });
    process.stdout.write(`wrote ${output}\n`);
  } finally {
    await browser.close();
  }
} finally {
  await db.terminate();
  await stack.stop();
}
