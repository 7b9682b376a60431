// Agents working together, in real consoles: a request reaches two agents and vanishes from
// the one who did not take it; the first invites the second, they exchange a private note the
// visitor never sees (not live, not after a reload), the first leaves and the second ends the
// chat with a closing note. Then agents' own chats: a direct chat from a colleague's name, a
// group of three renamed by one of them; and the compact view with more than seven chats.
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, screenshot, visitorStartsChat, signIn, agentReplies, openWidget, admin, PASSWORD,
} from './harness.mjs';

const widgetText = (page) => page.locator('#livechat-root')
  .evaluate((host) => host.shadowRoot.textContent);

test('two agents: one accepts, invites the other, a private note, one leaves, the other ends with a note', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const marta = await stack.person('marta');
  const ada = await stack.person('ada');
  const grace = await stack.person('grace');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');
  const { log } = await visitorStartsChat(marta.page, stack.siteUrl, 'Marta', 'My invoice is wrong');

  // the request reaches both; Ada takes it, and it vanishes from Grace's queue
  const accept = (page) => page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Marta' });
  await accept(ada.page).waitFor();
  await accept(grace.page).waitFor();
  await accept(ada.page).click();
  await accept(grace.page).waitFor({ state: 'detached' });
  const adaLog = ada.page.getByRole('log', { name: 'Conversation with Marta' });
  await adaLog.getByText('My invoice is wrong').waitFor();

  // Ada invites Grace; Grace accepts from her Invitations list and is in the chat
  await ada.page.getByRole('button', { name: 'Invite', exact: true }).click();
  const dialog = ada.page.getByRole('dialog', { name: 'Invite a colleague' });
  await dialog.getByRole('radio', { name: /Grace/ }).check();
  await dialog.getByRole('button', { name: 'Send invitation' }).click();
  await ada.page.getByText('Invitation to Grace pending…').waitFor();
  await screenshot(ada.page, '60-console-invitation-pending');
  const invitations = grace.page.getByRole('region', { name: 'Invitations' });
  await invitations.getByText('Ada invites you to the chat with Marta').waitFor();
  await screenshot(grace.page, '61-console-invitation-received');
  await invitations.getByRole('button', { name: /^Accept: Ada invites you/ }).click();
  const graceLog = grace.page.getByRole('log', { name: 'Conversation with Marta' });
  await graceLog.getByText('My invoice is wrong').waitFor();
  await log.getByText('Grace joined the chat').waitFor();
  await adaLog.getByText('Grace joined the chat').waitFor();

  // a private note between them: both consoles show it, the visitor never gets it
  await ada.page.getByRole('checkbox', { name: 'Private note (only agents see it)' }).check();
  await agentReplies(ada.page, 'Internal: billing error confirmed, refund approved');
  await grace.page.getByRole('note', { name: 'Private note by Ada' })
    .getByText('Internal: billing error confirmed, refund approved').waitFor();
  await ada.page.getByRole('checkbox', { name: 'Private note (only agents see it)' }).uncheck();
  await agentReplies(grace.page, 'Hi Marta, I am from billing and will sort this out.');
  await log.getByText('Hi Marta, I am from billing and will sort this out.').waitFor();
  assert.ok(!(await widgetText(marta.page)).includes('refund approved'), 'not live');
  await screenshot(grace.page, '62-console-two-agents-note');

  // Ada leaves; the visitor reads a line, nothing internal; Ada's copy is read-only
  await ada.page.getByRole('button', { name: 'Leave chat' }).click();
  await log.getByText('Ada left the chat').waitFor();
  await ada.page.getByText('You left this chat').waitFor();
  const reply = ada.page.getByRole('textbox', { name: 'Reply' });
  assert.ok((await reply.count()) === 0 || (await reply.isDisabled()), 'Ada cannot write into it');

  // Grace ends it with a closing note
  await grace.page.getByRole('button', { name: 'End chat', exact: true }).click();
  await grace.page.getByRole('textbox', { name: 'Closing note (optional, only agents see it)' })
    .fill('Refund of the double charge issued');
  await grace.page.getByRole('button', { name: 'End chat now' }).click();
  await log.getByText('Grace ended the chat').waitFor();

  // the visitor's record, read back after a reload: the lines, never the note or invitation
  await marta.page.reload();
  const chat = await openWidget(marta.page);
  await chat.getByRole('log', { name: 'Messages' }).getByText('Grace ended the chat').waitFor();
  const seen = await widgetText(marta.page);
  for (const internal of ['refund approved', 'invit', 'Refund of the double charge']) {
    assert.ok(!seen.includes(internal), `the visitor never sees "${internal}"`);
  }
  // the closing note is the organisation's record: the history shows it to agents
  await grace.page.getByRole('button', { name: 'History' }).click();
  const history = grace.page.getByRole('region', { name: 'History' });
  await history.getByRole('button', { name: 'Search' }).click();
  await history.getByRole('button', { name: 'Open chat with Marta' }).click();
  await grace.page.getByRole('article', { name: 'Archived chat with Marta' })
    .getByText('Refund of the double charge issued').waitFor();
  assert.deepEqual(stack.pageErrors, []);
});

test('agents chat with each other: a direct chat from a name, a group of three renamed', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  await admin(stack, 'POST', 'agents', {
    email: 'hal@example.com', name: 'Hal', password: PASSWORD,
  });
  const ada = await stack.person('ada');
  const grace = await stack.person('grace');
  const hal = await stack.person('hal');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');
  await signIn(hal.page, stack.serverUrl, 'hal@example.com');

  // from Grace's name in the Team panel
  const team = ada.page.getByRole('region', { name: 'Team' });
  await team.getByRole('button', { name: 'Chat with Grace' }).click();
  const direct = ada.page.getByRole('log', { name: 'Conversation with Grace' });
  await direct.getByText('Ada started a chat with Grace').waitFor();
  await ada.page.getByRole('textbox', { name: 'Message' }).fill('Can you take the German chats today?');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await direct.getByText('Can you take the German chats today?').waitFor();
  const graceTeamChats = grace.page.getByRole('region', { name: 'Team chats' });
  await graceTeamChats.getByRole('button', { name: /^Open chat with Ada\b/ }).click();
  await grace.page.getByRole('log', { name: 'Conversation with Ada' })
    .getByText('Can you take the German chats today?').waitFor();
  await screenshot(grace.page, '63-console-direct-chat');

  // a group of three
  await ada.page.getByRole('button', { name: 'New group chat' }).click();
  const dialog = ada.page.getByRole('dialog', { name: 'New group chat' });
  await dialog.getByRole('textbox', { name: 'Title (optional)' }).fill('Night shift');
  await dialog.getByRole('checkbox', { name: 'Grace' }).check();
  await dialog.getByRole('checkbox', { name: 'Hal' }).check();
  await dialog.getByRole('button', { name: 'Start group chat' }).click();
  const started = 'Ada started \u201cNight shift\u201d with Grace and Hal';
  await ada.page.getByRole('log', { name: 'Conversation with Night shift' }).getByText(started).waitFor();

  // Hal renames it; everyone sees the new name and the line
  await hal.page.getByRole('region', { name: 'Team chats' })
    .getByRole('button', { name: /^Open group chat Night shift/ }).click();
  await hal.page.getByRole('button', { name: 'Rename' }).click();
  const rename = hal.page.getByRole('form', { name: 'Rename Night shift' });
  await rename.getByRole('textbox', { name: 'Group name' }).fill('Weekend crew');
  await rename.getByRole('textbox', { name: 'Group name' }).press('Enter');
  const renamed = 'Hal renamed the chat to \u201cWeekend crew\u201d';
  await hal.page.getByRole('log', { name: 'Conversation with Weekend crew' }).getByText(renamed).waitFor();
  await ada.page.getByRole('log', { name: 'Conversation with Weekend crew' }).getByText(renamed).waitFor();
  await grace.page.getByRole('region', { name: 'Team chats' })
    .getByRole('button', { name: /^Open group chat Weekend crew/ }).waitFor();
  await screenshot(ada.page, '64-console-group-chat');
  assert.deepEqual(stack.pageErrors, []);
});

test('the compact view shows seven chats as bubbles and the rest behind a control', async (t) => {
  const stack = await startStack({ serverArgs: ['--sessions-per-minute', '100'] });
  t.after(() => stack.stop());
  const ada = await stack.person('ada');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  // nine visitors ask for a chat (straight over the API, from the console's origin)
  const names = ['Ann', 'Ben', 'Cleo', 'Dan', 'Eva', 'Finn', 'Gus', 'Hana', 'Ivan'];
  await ada.page.evaluate(async ({ base, names }) => {
    for (const name of names) {
      const r = await fetch(`${base}/api/visitor/session`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name }),
      });
      const { token } = await r.json();
      await new Promise((resolve, reject) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
        ws.onopen = () => {
          ws.send(JSON.stringify({ type: 'hello', protocol: 1, token }));
          ws.send(JSON.stringify({ type: 'send', client_id: `c-${name}`, body: `Hello from ${name}` }));
        };
        ws.onmessage = (e) => {
          if (JSON.parse(e.data).type === 'ack') { ws.close(); resolve(); }
        };
        ws.onerror = reject;
      });
    }
  }, { base: stack.serverUrl, names });
  const waiting = ada.page.getByRole('region', { name: 'Waiting chats' });
  for (const name of names) {
    await waiting.getByRole('button', { name: `Accept chat with ${name}` }).click();
    await ada.page.getByRole('log', { name: `Conversation with ${name}` }).waitFor();
  }
  await ada.page.getByRole('button', { name: 'Compact view' }).click();
  const bubbles = ada.page.getByRole('button', { name: /^Chat with .*, \d+ unread$/ });
  await bubbles.first().waitFor();
  assert.equal(await bubbles.count(), 7, 'at most seven bubbles');
  // the most recently updated first: the last accepted
  assert.match(await bubbles.first().getAttribute('aria-label'), /^Chat with Ivan,/);
  await screenshot(ada.page, '65-console-compact-view');
  const more = ada.page.getByRole('button', { name: '+2 more' });
  await more.click();
  const rest = ada.page.getByRole('button', { name: /^Chat with (Ann|Ben)\b/ });
  assert.equal(await rest.count(), 2, 'the other two behind the control');
  await rest.first().click();
  await ada.page.getByRole('log', { name: /^Conversation with (Ann|Ben)$/ }).waitFor();
  await screenshot(ada.page, '66-console-compact-window');
  assert.deepEqual(stack.pageErrors, []);
});
