// One-click answers, across two origins: the site lets visitors pick a section, so the widget
// asks "Who would you like to talk to?" before the first message and the request reaches only
// that section's agent; that agent offers choices from the console, the visitor gets them as
// buttons (the loader's on-demand panel) and the one clicked comes back as the visitor's reply.
// Each screen passes axe-core with no violations (saved as artifacts/a11y-7*.png).
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, signIn, admin, audit, messageRow } from './harness.mjs';

test('a visitor picks a section, then answers an agent\'s offer with one click', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const found = []; // axe violations of each screen (see harness.mjs `audit`)
  const { agents } = await admin(stack, 'GET', 'agents');
  const id = (email) => agents.find((a) => a.email === email).id;
  await admin(stack, 'POST', 'sections', { name: 'Sales', members: [id('ada@example.com')] });
  await admin(stack, 'POST', 'sections', { name: 'Support', members: [id('grace@example.com')] });
  await admin(stack, 'PUT', 'settings', { chat_enabled: true, section_choice: true });

  const marta = await stack.person('marta');
  const ada = await stack.person('ada');
  const grace = await stack.person('grace');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');

  // the name step, then the question before the first message
  await marta.page.goto(`${stack.siteUrl}/`);
  await marta.page.getByRole('button', { name: 'Open chat' }).click();
  const chat = marta.page.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Marta');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  const sections = chat.getByRole('group', { name: 'Who would you like to talk to?' });
  await sections.getByRole('radio', { name: 'Sales' }).waitFor();
  assert.deepEqual(await sections.getByRole('radio').evaluateAll((r) => r.length), 2);
  await sections.getByRole('radio', { name: 'Support' }).check();
  await audit(found, marta.page, '70-widget-section-pick', { include: '#livechat-root' });
  await chat.getByRole('textbox', { name: 'Message' }).fill('My laptop will not start');
  await chat.getByRole('button', { name: 'Send' }).click();
  const log = chat.getByRole('log', { name: 'Messages' });
  await log.getByText('My laptop will not start', { exact: true }).waitFor();
  await sections.waitFor({ state: 'detached' });

  // only Support (Grace) is asked
  const accept = (page) => page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Marta' });
  await accept(grace.page).waitFor();
  assert.equal(await accept(ada.page).count(), 0, 'not a Sales request');
  await accept(grace.page).click();
  const graceLog = grace.page.getByRole('log', { name: 'Conversation with Marta' });
  await graceLog.getByText('My laptop will not start').waitFor();

  // Grace offers choices from the console
  await grace.page.getByRole('button', { name: 'Offer choices' }).click();
  const form = grace.page.getByRole('form', { name: 'Offer choices' });
  await form.getByRole('textbox', { name: 'Question' }).fill('Which model is it?');
  await form.getByRole('textbox', { name: 'Choice 1' }).fill('Laptop Pro');
  await form.getByRole('textbox', { name: 'Choice 2' }).fill('Laptop Air');
  await audit(found, grace.page, '71-console-offer-form');
  await form.getByRole('button', { name: 'Send choices' }).click();
  await form.waitFor({ state: 'detached' });
  await graceLog.getByRole('list', { name: 'Choices offered' }).getByText('Laptop Air').waitFor();
  await audit(found, grace.page, '72-console-choices-offered');

  // the visitor gets them as buttons and clicks one: it is her reply, and the buttons go
  const choices = chat.getByRole('group', { name: 'Choose an answer' });
  await choices.getByRole('button', { name: 'Laptop Air' }).waitFor();
  await log.getByText('Which model is it?').waitFor();
  await audit(found, marta.page, '73-widget-choices', { include: '#livechat-root' });
  await choices.getByRole('button', { name: 'Laptop Air' }).click();
  // in Grace's log: her offer (with its chips), then Marta's reply in a row of its own
  await messageRow(graceLog, 'Laptop Air').filter({ hasText: 'Marta' }).waitFor();
  await log.getByText('Laptop Air', { exact: true }).waitFor();
  await choices.waitFor({ state: 'detached' });

  // after a reload the answered offer stays answered; a new one shows again
  await marta.page.reload();
  await marta.page.getByRole('button', { name: /^Open chat/ }).click();
  await log.getByText('Laptop Air', { exact: true }).waitFor();
  assert.equal(await choices.count(), 0, 'answered: no buttons after a reload');
  assert.deepEqual(found, [], `${found.length} axe violation(s):\n${found.join('\n')}`);
  assert.deepEqual(stack.pageErrors, []);
});
