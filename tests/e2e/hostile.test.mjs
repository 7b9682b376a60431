// Host pages that make embedding hard, on the shop's origin (the demo site's hostile-*.html and
// strict-csp.html):
// global CSS aimed at everything, including rules aimed at our host element; built-ins the
// page replaced or polluted; and a strict Content-Security-Policy (the README's, exactly). In
// each the bubble and the window must show, be clickable and chat with an agent, and the
// widget must add no CSS to the page. Elements are found by role and accessible name only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, screenshot, agentAccepts, agentReplies, settled } from './harness.mjs';

/** The host document's own styles: every sheet's rules, and the adopted ones. */
function pageStyles(page) {
  return page.evaluate(() => JSON.stringify({
    sheets: [...document.styleSheets].map((s) => [...s.cssRules].map((r) => r.cssText)),
    adopted: document.adoptedStyleSheets.length,
  }));
}

/** The visitor chats from `page` (already on the host page) with Ada, both ways. */
async function chatsWithAda(stack, page, ada, name) {
  // the widget mounted (before that the loader's placeholder is about to be replaced)
  await page.waitForFunction(() => window.LiveChat);
  await page.evaluate(() => new Promise((resolve) => LiveChat.on('ready', resolve)));
  const bubble = page.getByRole('button', { name: 'Open chat' });
  await settled(bubble);
  const box = await bubble.boundingBox();
  assert.deepEqual(box && [Math.round(box.width), Math.round(box.height)], [60, 60], 'the bubble at full size');
  await bubble.click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await settled(chat);
  const win = await chat.boundingBox();
  assert.deepEqual([Math.round(win.width), Math.round(win.height)], [360, 520], 'the window at full size');
  await chat.getByRole('textbox', { name: 'Your name' }).fill(name);
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill('Hello from a difficult page');
  await chat.getByRole('button', { name: 'Send' }).click();
  const log = chat.getByRole('log', { name: 'Messages' });
  await log.getByText('Hello from a difficult page', { exact: true }).waitFor();
  const agentLog = await agentAccepts(ada.page, stack.serverUrl, 'ada@example.com', name);
  await agentLog.getByText('Hello from a difficult page', { exact: true }).waitFor();
  await agentReplies(ada.page, 'Hello back');
  await log.getByText('Hello back', { exact: true }).waitFor();
}

test('hostile CSS aimed at everything, and at our host, changes nothing of the widget', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const { page } = await stack.person('marta');
  const ada = await stack.person('ada');
  await page.goto(`${stack.siteUrl}/hostile-css.html`);
  const before = await pageStyles(page);
  await chatsWithAda(stack, page, ada, 'Marta');
  await screenshot(page, 'hostile-css');
  await page.mouse.move(640, 10); // off the Send button it just clicked
  await settled(page.getByRole('button', { name: 'Send' }));
  assert.equal(
    await page.getByRole('button', { name: 'Send' }).evaluate((b) => getComputedStyle(b).backgroundColor),
    'rgb(36, 84, 214)', 'the accent is ours, not the page\'s custom property',
  );
  assert.equal(await pageStyles(page), before, 'no CSS added to the page');
  assert.deepEqual(stack.pageErrors, []);
});

test('a page that replaced or polluted built-ins still gets a working chat', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const { page } = await stack.person('marta');
  const ada = await stack.person('ada');
  // (what old libraries and shims do, before the loader runs: see the page)
  await page.goto(`${stack.siteUrl}/hostile-js.html`);
  await chatsWithAda(stack, page, ada, 'Marta');
  const right = await page.getByRole('dialog', { name: 'Live chat' })
    .evaluate((w) => Math.round(innerWidth - w.getBoundingClientRect().right));
  assert.equal(right, 20, 'inherited members are not settings');
  await screenshot(page, 'hostile-js');
  assert.deepEqual(stack.pageErrors, []);
});

test('under the README\'s strict CSP the widget boots and chats, with no violation', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const { page } = await stack.person('marta');
  const ada = await stack.person('ada');
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(`${stack.siteUrl}/strict-csp.html`);
  const before = await pageStyles(page);
  await chatsWithAda(stack, page, ada, 'Marta');
  await screenshot(page, 'strict-csp');
  assert.deepEqual(await page.evaluate(() => window.violations), []);
  assert.equal(await pageStyles(page), before, 'no CSS added to the page');
  assert.deepEqual(stack.pageErrors, []);
});
