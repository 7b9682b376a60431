// The agents' side: typing indicators both ways (never the draft); a private note in a live
// chat is shown to agents, marked as such, and never reaches the visitor (not live, not after
// a reload). Elements are found by role and
// accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, screenshot, visitorStartsChat, agentAccepts, agentReplies, openWidget, PASSWORD,
} from './harness.mjs';

test('typing shows both ways but never the draft; a private note is for agents only (SCENARIOS #19)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const marta = await stack.person('marta');
  const { log } = await visitorStartsChat(marta.page, stack.siteUrl, 'Marta', 'My order is late');
  const ada = await stack.person('ada');
  const conversation = await agentAccepts(ada.page, stack.serverUrl, 'ada@example.com', 'Marta');

  // typing, both ways (what is typed never travels, only that someone types)
  const widget = marta.page.getByRole('dialog', { name: 'Live chat' });
  await widget.getByRole('textbox', { name: 'Message' }).fill('Where is');
  await ada.page.getByText('Marta is typing…').waitFor();
  assert.equal(await ada.page.getByText('Where is').count(), 0, 'the draft is not shown');
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Let me check');
  await widget.getByText('Ada is typing…').waitFor();
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('');

  await ada.page.getByRole('checkbox', { name: 'Private note (only agents see it)' }).check();
  await agentReplies(ada.page, 'Internal: courier lost it, refund allowed');
  const note = conversation.getByRole('note', { name: 'Private note by Ada' });
  await note.getByText('Internal: courier lost it, refund allowed').waitFor();
  await note.getByText('Private note · only agents see this').waitFor();
  // back to replying: the visitor gets this one, after the note was written
  await ada.page.getByRole('checkbox', { name: 'Private note (only agents see it)' }).uncheck();
  await agentReplies(ada.page, 'Sorry about that, a refund is on its way.');
  await log.getByText('Sorry about that, a refund is on its way.').waitFor();
  await screenshot(ada.page, '50-console-private-note');
  const widgetText = () => marta.page.locator('#livechat-root').evaluate((host) => host.shadowRoot.textContent);
  assert.ok(!(await widgetText()).includes('courier lost it'), 'not live');
  // nor in the history a reload reads back
  await marta.page.reload();
  const chat = await openWidget(marta.page);
  await chat.getByRole('log', { name: 'Messages' }).getByText('Sorry about that, a refund is on its way.').waitFor();
  assert.ok(!(await widgetText()).includes('courier lost it'), 'not in history');
  // the agent's own reload brings the note back (the organisation's record)
  await ada.page.reload();
  await ada.page.getByRole('button', { name: 'Open chat with Marta' }).click();
  await ada.page.getByRole('note', { name: 'Private note by Ada' }).waitFor();
  assert.deepEqual(stack.pageErrors, []);
});

test('an agent answers with a /shortcut canned reply and finds the chat again in the history', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  // a personal canned reply, saved through the API as the console's user
  const login = await fetch(`${stack.serverUrl}/api/agent/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
  });
  const { token } = await login.json();
  const saved = await fetch(`${stack.serverUrl}/api/agent/canned`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ shortcut: 'refund', title: 'Refund on its way', body: 'Hi {visitor}, your refund is on its way. {agent}' }),
  });
  assert.equal(saved.status, 201);

  const marta = await stack.person('marta');
  const { log } = await visitorStartsChat(marta.page, stack.siteUrl, 'Marta', 'Where is my refund for order 1234?');
  const ada = await stack.person('ada');
  await agentAccepts(ada.page, stack.serverUrl, 'ada@example.com', 'Marta');
  const reply = ada.page.getByRole('textbox', { name: 'Reply' });
  await reply.pressSequentially('/ref');
  await ada.page.getByRole('listbox', { name: 'Canned replies' }).getByRole('option', { name: /Refund on its way/ }).waitFor();
  await reply.press('Enter');
  assert.equal(await reply.inputValue(), 'Hi Marta, your refund is on its way. Ada');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await log.getByText('Hi Marta, your refund is on its way. Ada').waitFor();
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await ada.page.getByRole('button', { name: 'End chat now' }).click();
  await ada.page.getByRole('log', { name: 'Conversation with Marta' }).getByText('Ada ended the chat').waitFor();

  // the history finds it by what was said, and shows it read-only
  await ada.page.getByRole('button', { name: 'History' }).click();
  const history = ada.page.getByRole('region', { name: 'History' });
  await history.getByRole('searchbox', { name: 'Search chats' }).fill('refund 1234');
  await history.getByRole('button', { name: 'Search' }).click();
  await history.getByRole('button', { name: 'Open chat with Marta' }).click();
  await ada.page.getByRole('article', { name: 'Archived chat with Marta' })
    .getByText('Where is my refund for order 1234?').waitFor();
  await screenshot(ada.page, '51-console-history');
  assert.deepEqual(stack.pageErrors, []);
});
