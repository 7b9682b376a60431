// The widget in the visitor's language and colours, across two origins: a German browser gets
// German (the loader fetches the catalogue), an Arabic one Arabic, mirrored right to left, and
// a system in dark mode gets the dark palette; a site may pin the language from the page
// (LiveChat.setLocale). Each state passes axe-core and is saved as a screenshot at desktop and
// phone sizes (artifacts/a11y-8*.png). Elements are found by role and accessible name only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, signIn, admin, audit, agentReplies, screenshot } from './harness.mjs';

const PHONE = { width: 390, height: 844 };

/** Opens the widget once the real one (not the placeholder) is there, in its language. */
async function openChat(page, siteUrl, openLabel) {
  await page.goto(`${siteUrl}/`);
  await page.getByRole('button', { name: openLabel, exact: true }).click();
}

/** The window's background colour as the browser paints it. */
const background = (dialog) => dialog.evaluate((el) => getComputedStyle(el).backgroundColor);

test('German, Arabic (mirrored) and dark mode, each accessible', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const found = [];
  const ada = await stack.person('ada');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');

  // A German browser: every word German, the agent's reply tagged as from a "Mitarbeiter"
  const hans = await stack.person('hans', { locale: 'de-DE' });
  await openChat(hans.page, stack.siteUrl, 'Chat öffnen');
  const chat = hans.page.getByRole('dialog', { name: 'Live-Chat' });
  await chat.getByRole('heading', { name: 'Schreiben Sie uns' }).waitFor();
  await audit(found, hans.page, '80-widget-de-name-step', { include: '#livechat-root' });
  await chat.getByRole('textbox', { name: 'Ihr Name' }).fill('Hans');
  await chat.getByRole('button', { name: 'Chat starten' }).click();
  await chat.getByRole('textbox', { name: 'Nachricht' }).fill('Wo ist meine Bestellung?');
  await chat.getByRole('button', { name: 'Senden' }).click();
  await chat.getByText('Warten auf einen Mitarbeiter…').waitFor();
  // and, within a second, the place in the queue
  await chat.getByText('Sie sind Nummer 1 in der Warteschlange.').waitFor();
  await ada.page.getByRole('button', { name: 'Accept chat with Hans' }).click();
  await agentReplies(ada.page, 'Sie ist unterwegs.');
  const log = chat.getByRole('log', { name: 'Nachrichten' });
  await log.getByText('Sie ist unterwegs.').waitFor();
  await log.getByText('Mitarbeiter', { exact: true }).waitFor();
  await audit(found, hans.page, '81-widget-de-chatting', { include: '#livechat-root' });

  // An Arabic browser: Arabic words, the window right to left; at phone size too
  const layla = await stack.person('layla', { locale: 'ar' });
  await openChat(layla.page, stack.siteUrl, 'فتح المحادثة');
  const arabic = layla.page.getByRole('dialog', { name: 'محادثة مباشرة' });
  await arabic.getByRole('button', { name: 'بدء المحادثة' }).waitFor();
  assert.equal(await arabic.getAttribute('dir'), 'rtl');
  assert.equal(await arabic.getAttribute('lang'), 'ar');
  await audit(found, layla.page, '82-widget-ar-name-step', { include: '#livechat-root' });
  await layla.page.setViewportSize(PHONE);
  await screenshot(layla.page, 'a11y-83-widget-ar-phone');

  // Dark mode, as the visitor's system has it
  const nora = await stack.person('nora', { colorScheme: 'dark' });
  await openChat(nora.page, stack.siteUrl, 'Open chat');
  const dark = nora.page.getByRole('dialog', { name: 'Live chat' });
  await dark.getByRole('button', { name: 'Start chat' }).waitFor();
  assert.equal(await background(dark), 'rgb(27, 30, 37)', 'the dark palette');
  await audit(found, nora.page, '84-widget-dark-name-step', { include: '#livechat-root' });
  await dark.getByRole('textbox', { name: 'Your name' }).fill('Nora');
  await dark.getByRole('button', { name: 'Start chat' }).click();
  await dark.getByRole('textbox', { name: 'Message' }).fill('Hello from the dark side');
  await dark.getByRole('button', { name: 'Send' }).click();
  await dark.getByText('Waiting for an agent…').waitFor();
  await audit(found, nora.page, '85-widget-dark-waiting', { include: '#livechat-root' });
  await nora.page.setViewportSize(PHONE);
  await screenshot(nora.page, 'a11y-86-widget-dark-phone');

  // The page pins a language: French, whatever the browser says
  await nora.page.setViewportSize({ width: 1280, height: 800 });
  await nora.page.evaluate(() => window.LiveChat.setLocale('fr'));
  await nora.page.getByRole('dialog', { name: 'Chat en direct' })
    .getByText('En attente d\'un conseiller…').waitFor();
  await audit(found, nora.page, '87-widget-fr-dark-waiting', { include: '#livechat-root' });

  assert.deepEqual(found, [], `${found.length} axe violation(s):\n${found.join('\n')}`);
  assert.deepEqual(stack.pageErrors, []);
});
