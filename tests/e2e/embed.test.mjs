// Embedding: the page's JavaScript API (window.LiveChat, usable before the loader and the
// widget have loaded) and the settings a site gives on the script tag or in
// window.LiveChatSettings (position, accent, sound, hidden launcher), each checked in real
// Chromium on the shop's origin (its `embed-*.html` pages). Elements are found by role and
// accessible name only.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, eventually, screenshot, agentAccepts, agentReplies, countChimes, settled,
} from './harness.mjs';

// Recorded before any page script runs: the README's snippet, then handlers and calls made
// while neither the loader nor the widget exists yet.
function recordEvents() {
  window.LiveChat = window.LiveChat || { q: [] };
  ['open', 'close', 'toggle', 'on', 'setLocale', 'identify', 'reset'].forEach(function (m) {
    LiveChat[m] = LiveChat[m] || function () { LiveChat.q.push([m, arguments]); };
  });
  window.events = [];
  for (const e of ['ready', 'open', 'close', 'message', 'unread']) {
    LiveChat.on(e, (v) => window.events.push(v === undefined ? e : `${e}:${JSON.stringify(v)}`));
  }
  LiveChat.setLocale('en'); // no widget export yet: remembered, harmless
}

test('the page drives the chat through LiveChat before and after the widget loaded, and hears its events', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const marta = await stack.person('marta');
  const ada = await stack.person('ada');
  const page = marta.page;
  await page.addInitScript(recordEvents);
  await countChimes(page);
  const events = () => page.evaluate(() => window.events.splice(0));

  await page.goto(`${stack.siteUrl}/`);
  // the shop's own link opens the chat (the widget loads if it has not yet)
  await page.getByRole('link', { name: 'Talk to us' }).click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await chat.waitFor();
  await eventually('ready and open', async () => (await page.evaluate(() => window.events.join())) === 'ready,open');
  await events();

  await page.evaluate(() => LiveChat.close());
  await chat.waitFor({ state: 'hidden' });
  await page.evaluate(() => LiveChat.toggle());
  await chat.waitFor();
  await page.evaluate(() => LiveChat.toggle());
  await chat.waitFor({ state: 'hidden' });
  await eventually('close, open, close', async () => (await page.evaluate(() => window.events.join())) === 'close,open,close');
  await events();

  // a chat, minimised while the agent answers: the page hears the message and the count
  await page.evaluate(() => LiveChat.open());
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Marta');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill('Is the Guji in stock?');
  await chat.getByRole('button', { name: 'Send' }).click();
  await chat.getByRole('log', { name: 'Messages' }).getByText('Is the Guji in stock?', { exact: true }).waitFor();
  await page.evaluate(() => LiveChat.close());
  await chat.waitFor({ state: 'hidden' });
  // a gesture in the widget unlocks audio (the launcher, clicked twice)
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('button', { name: 'Close chat' }).click();
  await events();
  await agentAccepts(ada.page, stack.serverUrl, 'ada@example.com', 'Marta');
  await agentReplies(ada.page, 'Yes, 40 bags.');
  // (the agent joining may be a line of its own: count whatever arrived)
  await page.getByText('Yes, 40 bags.', { exact: true }).waitFor({ state: 'attached' });
  const n = await page.evaluate(() => LiveChat.unread());
  assert.ok(n >= 1, `unread ${n}`);
  await page.getByRole('link', { name: `Talk to us (${n} new)` }).waitFor();
  await eventually('the count told', async () => (await page.evaluate(() => window.events)).includes(`unread:${n}`));
  const told = await events();
  assert.equal(told.filter((e) => e.startsWith('message:')).length, n, told.join());
  assert.ok(told.includes(`message:{"unread":${n}}`), told.join());
  assert.equal(told.at(-1), `unread:${n}`);
  assert.equal(await page.evaluate(() => window.chimes), n, 'minimised: a chime each');
  await screenshot(page, 'embed-unread-link');

  // opening reads it
  await page.getByRole('link', { name: `Talk to us (${n} new)` }).click();
  await chat.getByText('Yes, 40 bags.', { exact: true }).waitFor();
  await page.getByRole('link', { name: 'Talk to us', exact: true }).waitFor();
  await eventually('open, unread 0', async () => (await page.evaluate(() => window.events.join())) === 'open,unread:0');
  assert.equal(await page.evaluate(() => LiveChat.unread()), 0);
  // a handler added after the widget is ready is called at once
  assert.equal(await page.evaluate(() => new Promise((resolve) => LiveChat.on('ready', () => resolve('now')))), 'now');
  assert.deepEqual(stack.pageErrors, []);
});

test('settings on the script tag: left, the site\'s accent, no sound', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const { page } = await stack.person('marta');
  await countChimes(page);
  await page.goto(`${stack.siteUrl}/embed-left.html`);
  const bubble = page.getByRole('button', { name: 'Open chat' });
  const look = async (el) => {
    await page.mouse.move(640, 10); // not hovered (after a click the pointer rests on it)
    await settled(el);
    return el.evaluate((b) => {
      const r = b.getBoundingClientRect();
      return { left: Math.round(r.left), right: Math.round(innerWidth - r.right), colour: getComputedStyle(b).backgroundColor };
    });
  };
  // the loader's placeholder first (the widget loads when idle), then the widget's launcher
  assert.deepEqual(await look(bubble), { left: 20, right: 1200, colour: 'rgb(10, 125, 59)' });
  await bubble.click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await chat.waitFor();
  const close = page.getByRole('button', { name: 'Close chat' });
  assert.deepEqual(await look(close), { left: 20, right: 1200, colour: 'rgb(10, 125, 59)' });
  await settled(chat);
  const win = await chat.evaluate((w) => Math.round(w.getBoundingClientRect().left));
  assert.equal(win, 20, 'the window opens on the left too');
  assert.equal(
    await chat.getByRole('button', { name: 'Start chat' }).evaluate((b) => getComputedStyle(b).backgroundColor),
    'rgb(10, 125, 59)',
  );
  await screenshot(page, 'embed-left-accent');
  // sound off: the loader plays no chime, even when the widget asks for one
  await page.evaluate(() => window.__livechatHook(0, 1, 1));
  assert.equal(await page.evaluate(() => window.chimes), 0);
  assert.deepEqual(stack.pageErrors, []);
});

test('settings in window.LiveChatSettings: no launcher, the page opens the chat; a bad accent is ignored', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const { page } = await stack.person('marta');
  await countChimes(page);
  const warnings = [];
  page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
  await page.goto(`${stack.siteUrl}/embed-own-button.html`);
  await page.evaluate(() => new Promise((resolve) => LiveChat.on('ready', resolve)));
  assert.equal(await page.getByRole('button', { name: /chat/i }).count(), 1, 'only the page\'s own button');
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await chat.waitFor();
  assert.equal(await page.getByRole('button', { name: 'Close chat' }).count(), 0, 'no launcher while open either');
  assert.equal(
    await chat.getByRole('button', { name: 'Start chat' }).evaluate((b) => getComputedStyle(b).backgroundColor),
    'rgb(36, 84, 214)',
    'the default accent',
  );
  assert.ok(warnings.some((w) => w.includes('accent is not a CSS colour')), warnings.join('\n'));
  await settled(chat);
  const right = await chat.evaluate((w) => Math.round(innerWidth - w.getBoundingClientRect().right));
  assert.equal(right, 20, 'on the right by default');
  await screenshot(page, 'embed-no-launcher');
  await chat.getByRole('button', { name: 'Minimise chat' }).click();
  await chat.waitFor({ state: 'hidden' });
  // sound on by default: a chime when the widget asks (after a gesture in it unlocked audio)
  await page.evaluate(() => window.__livechatHook(0, 1, 1));
  assert.equal(await page.evaluate(() => window.chimes), 1);
  assert.deepEqual(stack.pageErrors, []);
});
