// What "nothing lost" means in a real browser: a second tab, a dropped network, a crashed
// server, an unread count while minimised, and a site that is not allowed to embed the chat.
// Rows of ../../../shared/corpus/SCENARIOS.md are named where a test covers one.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, eventually, screenshot, signIn, visitorStartsChat, agentAccepts, agentReplies,
} from './harness.mjs';

test('a second tab shows the same conversation and both stay live', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Noor', 'first tab here');

  // Same browser profile (shared localStorage), another tab, another page of the shop.
  const tab2 = await visitor.context.newPage();
  await tab2.goto(`${stack.siteUrl}/about.html`);
  await tab2.getByRole('button', { name: /Open chat/ }).click();
  const log2 = tab2.getByRole('dialog', { name: 'Live chat' }).getByRole('log', { name: 'Messages' });
  await log2.getByText('first tab here', { exact: true }).waitFor();

  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Noor');
  await agentReplies(agent.page, 'Hello Noor');
  await log.getByText('Hello Noor').waitFor();
  await log2.getByText('Hello Noor').waitFor();

  // What one tab sends, the other tab shows too (routed by identity, not by socket).
  const chat2 = tab2.getByRole('dialog', { name: 'Live chat' });
  await chat2.getByRole('textbox', { name: 'Message' }).fill('sent from tab two');
  await chat2.getByRole('button', { name: 'Send' }).click();
  await log.getByText('sent from tab two').waitFor();
  await agentLog.getByText('sent from tab two').waitFor();
  assert.equal(await agentLog.getByText('sent from tab two').count(), 1);
  assert.deepEqual(stack.pageErrors, []);
});

test('messages written offline are queued and delivered once, in order (SCENARIOS #15)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Omar', 'hi there');
  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Omar');

  await visitor.context.setOffline(true);
  for (const text of ['offline one', 'offline two', 'offline three']) {
    await chat.getByRole('textbox', { name: 'Message' }).fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
    await log.getByText(text).waitFor();
  }
  await screenshot(visitor.page, '07-visitor-offline-queue');
  await visitor.context.setOffline(false);

  await agentLog.getByText('offline three').waitFor({ timeout: 30_000 });
  const bodies = await agentLog.getByText(/^offline /).allTextContents();
  assert.deepEqual(bodies, ['offline one', 'offline two', 'offline three'], 'in order, each once');
  await eventually('the visitor sees every queued message confirmed', async () =>
    (await log.getByText('Sending…').count()) === 0, 30_000);
  assert.deepEqual(stack.pageErrors, []);
});

test('after a server crash (SIGKILL) everything acknowledged is still there and clients resume (SCENARIOS #16)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Lena', 'before the crash');
  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Lena');
  await agentReplies(agent.page, 'reply before the crash');
  await log.getByText('reply before the crash').waitFor();

  await stack.crashAndRestartServer();

  // Both sides reconnect by themselves; what was acknowledged before is still there.
  await chat.getByRole('textbox', { name: 'Message' }).fill('after the restart');
  await chat.getByRole('button', { name: 'Send' }).click();
  await agentLog.getByText('after the restart').waitFor({ timeout: 45_000 });
  await agentReplies(agent.page, 'still here');
  await log.getByText('still here').waitFor({ timeout: 45_000 });

  await visitor.page.reload();
  const launcher = visitor.page.getByRole('button', { name: /Open chat/ });
  if (!(await chat.isVisible())) await launcher.click();
  for (const text of ['before the crash', 'reply before the crash', 'after the restart', 'still here']) {
    await log.getByText(text, { exact: true }).waitFor();
    assert.equal(await log.getByText(text, { exact: true }).count(), 1, `${text} once`);
  }
  assert.deepEqual(stack.pageErrors, []);
});

test('while minimised the bubble counts unread replies; opening clears it', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Ines', 'question');
  const agent = await stack.person('ada');
  await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Ines');

  // Esc minimises and gives focus back to the bubble.
  await chat.getByRole('textbox', { name: 'Message' }).press('Escape');
  await chat.waitFor({ state: 'hidden' });
  const launcher = visitor.page.getByRole('button', { name: /^Open chat/ });
  await eventually('focus returns to the bubble', () => launcher.evaluate((el) =>
    el.getRootNode().activeElement === el));

  await agentReplies(agent.page, 'answer one');
  await visitor.page.getByRole('button', { name: 'Open chat, 1 unread message' }).waitFor();
  await agentReplies(agent.page, 'answer two');
  await visitor.page.getByRole('button', { name: 'Open chat, 2 unread messages' }).waitFor();
  await screenshot(visitor.page, '08-visitor-unread-badge');
  // One icon on the bubble at a time (the chat icon while minimised, the chevron while open).
  assert.equal(await launcher.locator('svg:visible').count(), 1, 'one icon while minimised');

  await launcher.click();
  await chat.getByText('answer two').waitFor();
  await visitor.page.getByRole('button', { name: 'Close chat' }).waitFor();
  assert.equal(
    await visitor.page.getByRole('button', { name: 'Close chat' }).locator('svg:visible').count(), 1,
    'one icon while open');
  assert.deepEqual(stack.pageErrors, []);
});

test('a site that is not on the allow-list cannot start a chat (SCENARIOS #9)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  await visitor.page.goto(`${stack.foreignSiteUrl}/`);
  await visitor.page.getByRole('button', { name: 'Open chat' }).click();
  const chat = visitor.page.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Mallory');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('alert').getByText(/couldn't start the chat/).waitFor();

  // And nothing reached the agents.
  const agent = await stack.person('ada');
  await signIn(agent.page, stack.serverUrl, 'ada@example.com');
  const queue = agent.page.getByRole('region', { name: 'Waiting chats' });
  await queue.getByText('No one is waiting.').waitFor();
  assert.equal(await queue.getByRole('button', { name: /Accept chat/ }).count(), 0);
  assert.deepEqual(stack.pageErrors, []);
});
