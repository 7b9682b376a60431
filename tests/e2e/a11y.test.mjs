// Accessibility audit: axe-core (WCAG 2.x A and AA rules and axe's best practices) over every
// console screen an agent works in, and over the visitor widget's open window on the shop:
// no violations. Each screen is also saved as a PNG in artifacts/ (a11y-*.png), to look at.
//
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, signIn, screenshot, visitorStartsChat, admin, audit, PASSWORD,
} from './harness.mjs';

test('every console screen and the open widget pass axe with no violations', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const found = [];
  // A request may ask for a callback after 2 s; Ada has a personal canned reply.
  await admin(stack, 'PUT', 'settings', { chat_enabled: true, unanswered_after_secs: 2 });
  const login = await fetch(`${stack.serverUrl}/api/agent/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com', password: PASSWORD }),
  });
  const { token } = await login.json();
  const saved = await fetch(`${stack.serverUrl}/api/agent/canned`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ shortcut: 'refund', title: 'Refund on its way', body: 'Hi {visitor}, your refund is on its way.' }),
  });
  assert.equal(saved.status, 201);

  // --- the sign-in page -----------------------------------------------------------------------
  const ada = await stack.person('ada');
  await ada.page.goto(`${stack.serverUrl}/console/`);
  await ada.page.getByRole('button', { name: 'Sign in' }).waitFor();
  await audit(found, ada.page, '01-sign-in');

  // --- the visitor widget, open, on the shop ---------------------------------------------------
  const marta = await stack.person('marta');
  const { chat } = await visitorStartsChat(marta.page, stack.siteUrl, 'Marta', 'Where is my refund for order 1234?');
  await audit(found, marta.page, '02-widget-open', { include: '#livechat-root' });

  // a second visitor waits and asks for a callback (the Callbacks list has a row)
  const niko = await stack.person('niko');
  const { chat: nikoChat } = await visitorStartsChat(niko.page, stack.siteUrl, 'Niko', 'Is anyone there?');
  const panel = nikoChat.getByRole('region', { name: 'Sorry for the wait' });
  await panel.getByRole('button', { name: 'Call me back' }).click();
  await panel.getByRole('textbox', { name: 'Phone number' }).fill('+49 30 1234567');
  await panel.getByRole('button', { name: 'Request a call' }).click();
  await panel.getByRole('status').getByText(/We'll call you/).waitFor();
  await audit(found, niko.page, '03-widget-callback-sent', { include: '#livechat-root' });

  // --- the workspace: a waiting request, an open conversation, the callbacks ------------------
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  const waiting = ada.page.getByRole('region', { name: 'Waiting chats' });
  await waiting.getByRole('button', { name: 'Accept chat with Niko' }).waitFor();
  await waiting.getByRole('button', { name: 'Accept chat with Marta' }).click();
  const conversation = ada.page.getByRole('log', { name: 'Conversation with Marta' });
  await conversation.getByText('Where is my refund for order 1234?').waitFor();
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Let me look.');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await chat.getByRole('log', { name: 'Messages' }).getByText('Let me look.').waitFor();
  const callbacks = ada.page.getByRole('region', { name: /^Callbacks/ });
  await callbacks.getByRole('link', { name: '+49 30 1234567' }).waitFor();
  await audit(found, ada.page, '04-console-workspace');
  await audit(found, ada.page, '05-console-callbacks', { include: '[aria-labelledby=callbacks-h]' });

  // --- the canned replies listbox, open -------------------------------------------------------
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('');
  await ada.page.getByRole('textbox', { name: 'Reply' }).pressSequentially('/ref');
  await ada.page.getByRole('listbox', { name: 'Canned replies' })
    .getByRole('option', { name: /Refund on its way/ }).waitFor();
  await audit(found, ada.page, '06-console-canned-slash');
  await ada.page.getByRole('textbox', { name: 'Reply' }).press('Escape');
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('');
  await ada.page.getByRole('button', { name: 'Canned replies' }).click();
  await ada.page.getByRole('listbox', { name: 'Canned replies' })
    .getByRole('option', { name: /Refund on its way/ }).waitFor();
  await audit(found, ada.page, '07-console-canned-button');
  await ada.page.keyboard.press('Escape');

  // --- Settings (Ada is an admin) and Account -------------------------------------------------
  await ada.page.getByRole('button', { name: 'Settings' }).click();
  await ada.page.getByRole('region', { name: 'Settings' }).getByRole('button', { name: 'Save chat settings' }).waitFor();
  await audit(found, ada.page, '08-console-settings');
  await ada.page.getByRole('button', { name: 'Account' }).click();
  await ada.page.getByRole('region', { name: 'Your account' }).getByRole('list', { name: 'Sessions' })
    .getByText('This device').waitFor();
  await audit(found, ada.page, '09-console-account');
  await ada.page.getByRole('button', { name: 'Account' }).click();

  // --- History: the ended chat found and open -------------------------------------------------
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await ada.page.getByRole('button', { name: 'End chat now' }).click();
  await conversation.getByText('Ada ended the chat').waitFor();
  await ada.page.getByRole('button', { name: 'History' }).click();
  const history = ada.page.getByRole('region', { name: 'History' });
  await history.getByRole('combobox', { name: 'Agent' }).getByRole('option', { name: 'Grace' }).waitFor({ state: 'attached' });
  await history.getByRole('searchbox', { name: 'Search chats' }).fill('refund');
  await history.getByRole('combobox', { name: 'Agent' }).selectOption({ label: 'Ada' });
  await history.getByRole('button', { name: 'Search' }).click();
  await audit(found, ada.page, '10-console-history-results');
  await history.getByRole('button', { name: 'Open chat with Marta' }).click();
  await ada.page.getByRole('article', { name: 'Archived chat with Marta' })
    .getByText('Where is my refund for order 1234?').waitFor();
  await audit(found, ada.page, '11-console-history-chat');
  assert.deepEqual(found, [], `${found.length} axe violation(s):\n${found.join('\n')}`);
  assert.deepEqual(stack.pageErrors, []);
});

test('the screens of working together pass axe with no violations', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const found = [];
  // requests nobody takes are abandoned after 3 s (the callback offer after 2 s comes first)
  await admin(stack, 'PUT', 'settings', {
    chat_enabled: true, unanswered_after_secs: 2, abandon_after_secs: 3,
  });
  const ada = await stack.person('ada');
  const grace = await stack.person('grace');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');

  // an abandoned request in the Abandoned list
  const otto = await stack.person('otto');
  await visitorStartsChat(otto.page, stack.siteUrl, 'Otto', 'Hello? Anyone?');
  await ada.page.getByRole('region', { name: /^Abandoned/ })
    .getByRole('button', { name: 'Follow up chat with Otto' }).waitFor();
  await audit(found, ada.page, '20-console-abandoned');

  // a live chat with an invitation: the dialog, then Grace's invitations
  const marta = await stack.person('marta');
  await visitorStartsChat(marta.page, stack.siteUrl, 'Marta', 'My invoice is wrong');
  await ada.page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Marta' }).click();
  await ada.page.getByRole('log', { name: 'Conversation with Marta' }).getByText('My invoice is wrong').waitFor();
  await ada.page.getByRole('button', { name: 'Invite', exact: true }).click();
  const dialog = ada.page.getByRole('dialog', { name: 'Invite a colleague' });
  await dialog.getByRole('radio', { name: /Grace/ }).waitFor();
  await audit(found, ada.page, '21-console-invite-dialog');
  await dialog.getByRole('radio', { name: /Grace/ }).check();
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  const invitations = grace.page.getByRole('region', { name: 'Invitations' });
  await invitations.getByText('Ada invites you to the chat with Marta').waitFor();
  await audit(found, grace.page, '22-console-invitation');
  await invitations.getByRole('button', { name: /^Accept: Ada invites you/ }).click();
  await grace.page.getByRole('log', { name: 'Conversation with Marta' }).getByText('My invoice is wrong').waitFor();
  await audit(found, grace.page, '23-console-two-agents');

  // agents' own chats: a direct chat, the new group dialog
  await ada.page.getByRole('region', { name: 'Team' }).getByRole('button', { name: 'Chat with Grace' }).click();
  await ada.page.getByRole('log', { name: 'Conversation with Grace' }).getByText('Ada started a chat with Grace').waitFor();
  await audit(found, ada.page, '24-console-direct-chat');
  await ada.page.getByRole('button', { name: 'New group chat' }).click();
  await ada.page.getByRole('dialog', { name: 'New group chat' }).getByRole('checkbox', { name: 'Grace' }).waitFor();
  await audit(found, ada.page, '25-console-new-group');
  await ada.page.keyboard.press('Escape');

  // the compact view, and Settings' sections
  await ada.page.getByRole('button', { name: 'Compact view' }).click();
  await ada.page.getByRole('button', { name: /^Chat with Marta, \d+ unread$/ }).waitFor();
  await audit(found, ada.page, '26-console-compact');
  await ada.page.getByRole('button', { name: 'Compact view' }).click();
  await admin(stack, 'POST', 'sections', {
    name: 'Billing', anonymous_chat: true, contact_chat: true, members: [],
  });
  await ada.page.getByRole('button', { name: 'Settings' }).click();
  await ada.page.getByRole('region', { name: 'Sections' }).waitFor();
  await audit(found, ada.page, '27-console-sections');
  assert.deepEqual(found, [], `${found.length} axe violation(s):\n${found.join('\n')}`);
  assert.deepEqual(stack.pageErrors, []);
});
