// The helpdesk around the chat, as visitors, portal contacts and agents meet it: chat
// permissions (no bubble without them), "when nobody answers" (a callback after the site's
// short, configured wait; the closed notice outside office hours), and a portal contact's own
// features: pre-ticket chat, "Chat about this ticket", past chats, and an agent starting a
// chat with a contact who is on the portal (push chat).
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  startStack, signIn, screenshot, eventually, portalSignIn, admin, visitorStartsChat, agentAccepts,
  IDENTITY_SECRET,
} from './harness.mjs';

test('without chat permission there is no bubble, for a contact or for the whole site', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  // Globex's contacts may not chat; Acme's still may
  await admin(stack, 'PUT', 'companies/globex', { name: 'Globex Hotels', chat_enabled: false });
  // The loader says why it drew nothing (a positive marker that it has decided).
  const switchedOff = (page) => {
    const seen = [];
    page.on('console', (msg) => { if (msg.text().includes('chat is switched off')) seen.push(msg.text()); });
    return () => seen.length > 0;
  };
  const gus = await stack.person('gus');
  const gusTold = switchedOff(gus.page);
  await portalSignIn(gus.page, stack.siteUrl, 'gus@globex.test');
  await eventually('the loader decided for Gus', gusTold);
  assert.equal(await gus.page.getByRole('button', { name: /Open chat/ }).count(), 0, 'no bubble for Gus');
  const dan = await stack.person('dan');
  await portalSignIn(dan.page, stack.siteUrl, 'dan@acme.test');
  await dan.page.getByRole('button', { name: 'Open chat' }).waitFor();
  await screenshot(gus.page, '40-portal-no-permission');

  // switched off for the site: anonymous shoppers see no bubble either
  await admin(stack, 'PUT', 'settings', { chat_enabled: false, unanswered_after_secs: 60 });
  const shopper = await stack.person('shopper');
  const shopperTold = switchedOff(shopper.page);
  await shopper.page.goto(`${stack.siteUrl}/`);
  await eventually('the loader decided for the shopper', shopperTold);
  assert.equal(await shopper.page.getByRole('button', { name: /Open chat/ }).count(), 0);
  assert.deepEqual(stack.pageErrors, []);
});

test('after the configured wait a visitor asks for a callback, and the agent sees who and when', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  await admin(stack, 'PUT', 'settings', { chat_enabled: true, unanswered_after_secs: 2 });
  const marta = await stack.person('marta');
  const { chat } = await visitorStartsChat(marta.page, stack.siteUrl, 'Marta', 'Is anyone there?');
  // nobody answers: after the short wait the panel is offered (fetched on demand)
  const panel = chat.getByRole('region', { name: 'Sorry for the wait' });
  await panel.waitFor();
  await panel.getByRole('button', { name: 'Call me back' }).click();
  await panel.getByRole('textbox', { name: 'Phone number' }).fill('call me');
  await panel.getByRole('button', { name: 'Request a call' }).click();
  await panel.getByRole('alert').getByText(/digits, spaces/).waitFor();
  await panel.getByRole('textbox', { name: 'Phone number' }).fill('+49 30 1234567');
  await panel.getByRole('textbox', { name: 'When suits you? (optional)' }).fill('after 3 pm');
  await panel.getByRole('textbox', { name: 'Anything we should know? (optional)' }).fill('About my order 1234');
  await screenshot(marta.page, '41-widget-callback-form');
  await panel.getByRole('button', { name: 'Request a call' }).click();
  await panel.getByRole('status').getByText("Thanks! We'll call you at +49 30 1234567 (after 3 pm).").waitFor();
  await screenshot(marta.page, '42-widget-callback-sent');

  // the agent's console lists it with the number and the preferred time
  const ada = await stack.person('ada');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  const callbacks = ada.page.getByRole('region', { name: /^Callbacks/ });
  await callbacks.getByText('Marta').waitFor();
  await callbacks.getByRole('link', { name: '+49 30 1234567' }).waitFor();
  await callbacks.getByText('Prefers: after 3 pm').waitFor();
  await callbacks.getByRole('button', { name: 'Mark callback to Marta done' }).click();
  await callbacks.getByText('No one is waiting for a call.').waitFor();

  // another visitor, after the same wait, ends the chat himself (otherwise only agents may)
  const second = await stack.person('niko');
  const { chat: nikoChat } = await visitorStartsChat(second.page, stack.siteUrl, 'Niko', 'Hello?');
  const nikoPanel = nikoChat.getByRole('region', { name: 'Sorry for the wait' });
  await nikoPanel.getByRole('button', { name: 'End chat' }).click();
  await nikoChat.getByRole('status').getByText('This chat has ended').waitFor();
  await eventually('the panel is gone once the chat ended', async () => (await nikoPanel.count()) === 0);
  assert.deepEqual(stack.pageErrors, []);
});

test('outside office hours the widget says when we are back and offers a callback', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  // open on no day at all: closed now, with no date to promise; then one window a week ahead
  const today = new Date();
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const tomorrow = days[(today.getUTCDay() + 1) % 7];
  await admin(stack, 'PUT', 'office-hours', {
    enabled: true,
    time_zone: 'UTC',
    weekly: [{ day: tomorrow, open: '09:00', close: '17:00' }],
    holidays: [today.toISOString().slice(0, 10)],
  });
  const page = (await stack.person('olga')).page;
  await page.goto(`${stack.siteUrl}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Olga');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  const panel = chat.getByRole('region', { name: "We're closed right now" });
  await panel.getByText(/We'll be back .*09:00/).waitFor();
  await panel.getByRole('button', { name: 'Call me back' }).waitFor();
  await screenshot(page, '43-widget-closed');
  assert.deepEqual(stack.pageErrors, []);
});

test('a portal contact: pre-ticket chat, chat about a ticket, past chats, and a chat an agent starts', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const ada = await stack.person('ada');

  // --- Dan writes without choosing a ticket: his first line becomes one ------------------
  const dan = await stack.person('dan');
  await portalSignIn(dan.page, stack.siteUrl, 'dan@acme.test');
  await dan.page.getByRole('button', { name: 'Open chat' }).click();
  const widget = dan.page.getByRole('dialog', { name: 'Live chat' });
  await widget.getByText("Describe your problem in your first message: we'll open a ticket for it.").waitFor();
  await widget.getByRole('textbox', { name: 'Message' }).fill('The printer jams on page two\nIt started yesterday.');
  await widget.getByRole('button', { name: 'Send' }).click();
  const log = widget.getByRole('log', { name: 'Messages' });
  await log.getByText(/Chat linked to ticket C-\d+: The printer jams on page two/).waitFor();
  const picker = widget.getByLabel('Ticket', { exact: true });
  await eventually('the new ticket is picked', async () => /^C-\d+$/.test(await picker.inputValue()));
  const newTicket = await picker.inputValue();
  await screenshot(dan.page, '44-widget-pre-ticket');

  // the agent answers and ends it; the transcript lands on the new ticket
  const conversation = await agentAccepts(ada.page, stack.serverUrl, 'ada@example.com', 'Dan Lee');
  await ada.page.getByLabel(`Ticket ${newTicket}`).getByText('The printer jams on page two').waitFor();
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('A new fuser is on its way.');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await log.getByText('A new fuser is on its way.').waitFor();
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await ada.page.getByRole('textbox', { name: 'Closing note (optional, only agents see it)' }).fill('Fuser replacement shipped');
  await ada.page.getByRole('button', { name: 'End chat now' }).click();
  await conversation.getByText('Ada ended the chat').waitFor();
  await ada.page.getByRole('status').getByText('Closing note saved').waitFor();
  await widget.getByRole('status').getByText('This chat has ended').waitFor();

  // --- "Chat about this ticket" on the ticket page: the next chat is about T-1101 ---------
  await dan.page.goto(`${stack.siteUrl}/portal/tickets/T-1101`);
  await dan.page.getByRole('button', { name: 'Chat about this ticket' }).click();
  const widget2 = dan.page.getByRole('dialog', { name: 'Live chat' });
  await widget2.waitFor();
  await eventually('the picker shows T-1101', async () =>
    (await widget2.getByLabel('Ticket', { exact: true }).inputValue()) === 'T-1101');
  await widget2.getByRole('textbox', { name: 'Message' }).fill('Do you have the 2027 prices?');
  await widget2.getByRole('button', { name: 'Send' }).click();
  const log2 = widget2.getByRole('log', { name: 'Messages' });
  await log2.getByText('Chat linked to ticket T-1101: Wholesale price list').waitFor();

  // --- past chats: newest first, with their tickets, each readable -------------------------
  await widget2.getByRole('button', { name: 'Past chats' }).click();
  const past = widget2.getByRole('list', { name: 'Past chats' });
  const items = past.getByRole('listitem');
  await eventually('both chats are listed', async () => (await items.count()) === 2);
  assert.match(await items.nth(0).innerText(), /T-1101 · Wholesale price list/);
  assert.match(await items.nth(1).innerText(), new RegExp(`${newTicket} · The printer jams on page two`));
  assert.match(await items.nth(1).innerText(), /With Ada/);
  await screenshot(dan.page, '45-widget-past-chats');
  await items.nth(1).getByRole('button').click();
  const pastLog = widget2.getByRole('log', { name: 'Past chat' });
  await pastLog.getByText('A new fuser is on its way.').waitFor();
  await screenshot(dan.page, '46-widget-past-chat');
  await widget2.getByRole('button', { name: 'All past chats' }).click();
  await widget2.getByRole('button', { name: 'Back to chat' }).click();
  await log2.getByText('Do you have the 2027 prices?').waitFor();

  // --- push chat: the agent starts a chat with Carla, who is on the portal -----------------
  const carla = await stack.person('carla');
  await portalSignIn(carla.page, stack.siteUrl, 'carla@acme.test');
  // she glances at the chat and minimises it: her widget is loaded and connected (online)
  await carla.page.getByRole('button', { name: 'Open chat' }).click();
  const carlaWidget = carla.page.getByRole('dialog', { name: 'Live chat' });
  await carlaWidget.getByRole('textbox', { name: 'Message' }).waitFor();
  await carla.page.getByRole('button', { name: 'Minimise chat' }).click();
  await carlaWidget.waitFor({ state: 'hidden' });
  const online = ada.page.getByRole('region', { name: /^Contacts online/ });
  await ada.page.reload();
  await online.getByRole('button', { name: 'Start chat with Carla Diaz' }).waitFor();
  await online.getByLabel('Ticket for Carla Diaz').selectOption('T-1001');
  await online.getByRole('button', { name: 'Start chat with Carla Diaz' }).click();
  // her widget opens by itself with the agent in it
  await carlaWidget.waitFor({ state: 'visible' });
  await carlaWidget.getByRole('log', { name: 'Messages' })
    .getByText(/Ada invited Carla Diaz to chat about ticket T-1001/).waitFor();
  await ada.page.getByRole('log', { name: 'Conversation with Carla Diaz' }).waitFor();
  await screenshot(carla.page, '47-portal-push-chat');
  assert.deepEqual(stack.pageErrors, []);
});

/** A statement about `claims` as a portal's backend signs it (JWT, HS256, the shared secret). */
function statement(claims) {
  const b64url = (text) => Buffer.from(text).toString('base64url');
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }));
  const sig = createHmac('sha256', IDENTITY_SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

test('a single-page portal identifies its contact after the widget loaded, and resets on logout', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const page = (await stack.person('carla-spa')).page;
  // an anonymous visitor starts chatting on the shop
  await visitorStartsChat(page, stack.siteUrl, 'Guest', 'Hello from the shop');
  // then signs in to the (single-page) portal: the page tells the loader who she is now
  const carla = statement({
    sub: 'c-100', name: 'Carla Diaz', email: 'carla@acme.test', company: 'acme', company_name: 'Acme Cafés',
  });
  await page.evaluate((s) => window.LiveChat.identify(s), carla);
  await page.getByRole('button', { name: /^Open chat/ }).click();
  const widget = page.getByRole('dialog', { name: 'Live chat' });
  // the contact build took over and kept the chat; she now has the ticket picker
  await widget.getByLabel('Ticket', { exact: true }).waitFor();
  await widget.getByRole('log', { name: 'Messages' }).getByText('Hello from the shop').waitFor();
  const ada = await stack.person('ada');
  await agentAccepts(ada.page, stack.serverUrl, 'ada@example.com', 'Carla Diaz');
  await ada.page.getByRole('img', { name: 'Verified contact' }).waitFor();

  // logout: forgotten in this browser; the widget is anonymous again, with the name step
  await page.evaluate(() => window.LiveChat.reset());
  await page.getByRole('button', { name: /^Open chat/ }).click();
  await page.getByRole('dialog', { name: 'Live chat' }).getByRole('textbox', { name: 'Your name' }).waitFor();
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.endsWith(':contact')).length), 0);
  assert.deepEqual(stack.pageErrors, []);
});

test('a contact nobody answers leaves the chat as a ticket', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  await admin(stack, 'PUT', 'settings', { chat_enabled: true, unanswered_after_secs: 1, pre_ticket: false });
  const dan = (await stack.person('dan')).page;
  await portalSignIn(dan, stack.siteUrl, 'dan@acme.test');
  await dan.getByRole('button', { name: 'Open chat' }).click();
  const widget = dan.getByRole('dialog', { name: 'Live chat' });
  await widget.getByRole('textbox', { name: 'Message' }).fill('Where is my delivery?');
  await widget.getByRole('button', { name: 'Send' }).click();
  const panel = widget.getByRole('region', { name: 'Sorry for the wait' });
  await panel.getByRole('button', { name: 'Leave a message' }).click();
  await panel.getByText("We'll file this chat as a new ticket and reply to you there.", { exact: false }).waitFor();
  await panel.getByRole('button', { name: 'Leave as a ticket' }).click();
  const log = widget.getByRole('log', { name: 'Messages' });
  const linked = log.getByText(/Chat linked to ticket C-\d+: Where is my delivery\?/);
  await linked.waitFor();
  await widget.getByRole('status').getByText('This chat has ended').waitFor();
  const number = (await linked.innerText()).match(/C-\d+/)[0];
  // the transcript is on the new ticket, as the portal shows it
  await dan.goto(`${stack.siteUrl}/portal/tickets/${number}`);
  const notes = dan.getByRole('region', { name: 'Notes' });
  await notes.getByText('Dan Lee: Where is my delivery?', { exact: false }).waitFor();
  assert.deepEqual(stack.pageErrors, []);
});
