// The agents' side: typing indicators both ways (never the draft); a private note in a live
// chat is shown to agents, marked as such, and never reaches the visitor (not live, not after
// a reload). Elements are found by role and
// accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, screenshot, visitorStartsChat, agentAccepts, agentReplies, openWidget } from './harness.mjs';

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
