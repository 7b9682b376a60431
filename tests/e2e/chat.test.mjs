// The foundation journey, as people do it: a visitor on the shop's origin asks a question, two
// agents see the request, one accepts and answers, the visitor reloads and keeps everything,
// the agent ends the chat and the visitor can no longer send into it.
//
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, signIn, eventually, screenshot, visitorStartsChat } from './harness.mjs';

test('a visitor message travels to an agent and back across two origins', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());

  // --- the visitor on the shop -------------------------------------------------------------
  const visitor = await stack.person('visitor');
  const shop = visitor.page;
  await shop.goto(`${stack.siteUrl}/`);
  await screenshot(shop, '01-shop-with-bubble');
  await shop.getByRole('button', { name: 'Open chat' }).click();
  const chat = shop.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Marta');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill('hello');
  await chat.getByRole('button', { name: 'Send' }).click();
  const visitorLog = chat.getByRole('log', { name: 'Messages' });
  await visitorLog.getByText('hello', { exact: true }).waitFor();
  await screenshot(shop, '02-visitor-waiting');

  // --- two agents see the request; the first to accept wins --------------------------------
  const ada = await stack.person('ada');
  const grace = await stack.person('grace');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');
  const accept = (page) => page
    .getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Marta' });
  await accept(ada.page).waitFor();
  await accept(grace.page).waitFor();
  await screenshot(ada.page, '03-console-queue');
  await accept(ada.page).click();
  // The request vanishes from the other agent at once.
  await accept(grace.page).waitFor({ state: 'detached' });

  const conversation = ada.page.getByRole('log', { name: 'Conversation with Marta' });
  await conversation.getByText('hello', { exact: true }).waitFor();
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Hi Marta, how can I help?');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await conversation.getByText('Hi Marta, how can I help?').waitFor();
  await screenshot(ada.page, '04-console-conversation');

  // --- the visitor sees the reply, reloads, and keeps the whole conversation ----------------
  await visitorLog.getByText('Hi Marta, how can I help?').waitFor();
  await visitorLog.getByText('Ada joined the chat').waitFor();
  await screenshot(shop, '05-visitor-reply');

  await shop.reload();
  const launcher = shop.getByRole('button', { name: /Open chat/ });
  if (!(await chat.isVisible())) await launcher.click();
  await visitorLog.getByText('hello', { exact: true }).waitFor();
  await visitorLog.getByText('Hi Marta, how can I help?').waitFor();
  await visitorLog.getByText('Ada joined the chat').waitFor();
  // Nothing twice after the reload.
  assert.equal(await visitorLog.getByText('hello', { exact: true }).count(), 1);
  assert.equal(await visitorLog.getByText('Hi Marta, how can I help?').count(), 1);

  // --- the agent ends the chat; the visitor is told and cannot send ------------------------
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await chat.getByText('This chat has ended').waitFor();
  const composer = chat.getByRole('textbox', { name: 'Message' });
  await eventually('the composer is disabled', async () =>
    (await composer.count()) === 0 || (await composer.isDisabled()));
  await chat.getByRole('button', { name: 'Start a new chat' }).waitFor();
  await screenshot(shop, '06-visitor-ended');

  assert.deepEqual(stack.pageErrors, [], 'no uncaught errors in any page');
});

test('markup in a visitor name and message is shown as text to the agent (SCENARIOS #1, #2)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());

  const visitor = await stack.person('visitor');
  const evilName = '<img src=x onerror="window.__pwned=1">';
  const evilBody = '<script>window.__pwned=2</script><b>bold?</b> javascript:alert(1) data:text/html,x';
  await visitorStartsChat(visitor.page, stack.siteUrl, evilName, evilBody);

  const agent = await stack.person('ada');
  await signIn(agent.page, stack.serverUrl, 'ada@example.com');
  await agent.page.getByRole('button', { name: `Accept chat with ${evilName}` }).click();
  const log = agent.page.getByRole('log', { name: `Conversation with ${evilName}` });
  await log.getByText(evilBody).waitFor();

  for (const page of [visitor.page, agent.page]) {
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no injected script ran');
  }
  assert.equal(await agent.page.locator('img[src="x"]').count(), 0, 'no element was created from the name');
  // SCENARIOS #2: a javascript: or data: URL never becomes a link.
  for (const page of [visitor.page, agent.page]) {
    assert.equal(await page.getByRole('link', { name: /javascript:|data:/ }).count(), 0);
  }
  assert.deepEqual(stack.pageErrors, []);
});
