// The customer portal on the shop's origin, as a contact and an agent use it: Carla signs in to
// the portal and sees her tickets (only hers); the portal page carries her signed identity,
// which the chat exchanges for her session; she chats about ticket T-1001; the agent sees the
// ticket in the conversation header beside a verified-contact lock, ends the chat, and the
// transcript shows on the ticket page.
//
// The portal's pages carry the signed identity, so the loader picks the widget's contact
// build: Carla never types her name, and resumes the same chat on a second device.
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, signIn, screenshot, eventually, PORTAL_PASSWORD } from './harness.mjs';

test('a portal contact chats about her ticket and its transcript lands on it', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());

  // --- Carla signs in to the portal and sees her tickets, not Dan's ------------------------
  const carla = await stack.person('carla');
  const portal = carla.page;
  await portal.goto(`${stack.siteUrl}/portal/`);
  await portal.getByRole('textbox', { name: 'Email' }).fill('carla@acme.test');
  await portal.getByLabel('Password').fill('wrong');
  await portal.getByRole('button', { name: 'Sign in' }).click();
  await portal.getByRole('alert').getByText('Unknown e-mail or wrong password.').waitFor();
  await portal.getByLabel('Password').fill(PORTAL_PASSWORD);
  await portal.getByRole('button', { name: 'Sign in' }).click();
  await portal.getByRole('heading', { name: 'My tickets' }).waitFor();
  const tickets = portal.getByRole('table', { name: 'Tickets of Carla Diaz' });
  for (const number of ['T-1001', 'T-1002', 'T-1003']) {
    await tickets.getByRole('link', { name: number }).waitFor();
  }
  assert.equal(await tickets.getByRole('link', { name: 'T-1101' }).count(), 0, "Dan's ticket is not hers");
  await screenshot(portal, '30-portal-my-tickets');

  // --- the widget on the portal knows her: no name step; she picks a ticket and writes -----
  await portal.getByRole('button', { name: 'Open chat' }).click();
  const widget = portal.getByRole('dialog', { name: 'Live chat' });
  const log = widget.getByRole('log', { name: 'Messages' });
  // chosen before the chat exists: applied as soon as her first message opens it
  const picker = widget.getByLabel('Ticket', { exact: true });
  await picker.selectOption('T-1002');
  await widget.getByRole('textbox', { name: 'Message' }).fill('My grinder is very loud');
  await widget.getByRole('button', { name: 'Send' }).click();
  await log.getByText('My grinder is very loud').waitFor();
  assert.equal(await widget.getByRole('textbox', { name: 'Your name' }).count(), 0, 'no name step for a signed-in contact');
  await screenshot(portal, '30b-portal-widget');

  // --- the agent takes it, sees who she is, and links her ticket --------------------------
  const ada = await stack.person('ada');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await ada.page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Carla Diaz' }).click();
  const conversation = ada.page.getByRole('log', { name: 'Conversation with Carla Diaz' });
  await conversation.getByText('My grinder is very loud').waitFor();
  await ada.page.getByRole('img', { name: 'Verified contact' }).waitFor();
  await ada.page.getByLabel('Verified details').getByText('carla@acme.test · Acme Cafés').waitFor();
  // the agent sees the ticket she picked, and changes it
  await ada.page.getByLabel('Ticket T-1002').getByText('Invoice for October').waitFor();
  await ada.page.getByLabel('Ticket', { exact: true }).selectOption('T-1001');
  await eventually('the widget follows the agent\'s choice', async () => (await picker.inputValue()) === 'T-1001');
  await ada.page.getByLabel('Ticket T-1001').getByText('Grinder makes a loud noise').waitFor();
  await conversation.getByText('Chat linked to ticket T-1001: Grinder makes a loud noise').waitFor();
  await log.getByText('Chat linked to ticket T-1001: Grinder makes a loud noise').waitFor();
  assert.deepEqual(
    await picker.locator('option').allTextContents(),
    ['No ticket', 'T-1002 · Invoice for October', 'T-1001 · Grinder makes a loud noise'],
    'her open tickets, newest first (T-1003 is resolved)',
  );
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Let us check the burrs.');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await log.getByText('Let us check the burrs.').waitFor();
  await screenshot(ada.page, '31-console-ticket-header');

  // --- the same contact on another device: the same chat -----------------------------------
  const laptop = await stack.person('carla-laptop');
  await laptop.page.goto(`${stack.siteUrl}/portal/`);
  await laptop.page.getByRole('textbox', { name: 'Email' }).fill('carla@acme.test');
  await laptop.page.getByLabel('Password').fill(PORTAL_PASSWORD);
  await laptop.page.getByRole('button', { name: 'Sign in' }).click();
  await laptop.page.getByRole('heading', { name: 'My tickets' }).waitFor();
  await laptop.page.getByRole('button', { name: 'Open chat' }).click();
  const laptopLog = laptop.page.getByRole('dialog', { name: 'Live chat' }).getByRole('log', { name: 'Messages' });
  await laptopLog.getByText('My grinder is very loud').waitFor();
  await laptopLog.getByText('Let us check the burrs.').waitFor();

  // --- the agent ends it: the transcript is on the ticket page ----------------------------
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await ada.page.getByRole('button', { name: 'End chat now' }).click();
  await conversation.getByText('Ada ended the chat').waitFor();
  await portal.goto(`${stack.siteUrl}/portal/tickets/T-1001`);
  await portal.getByRole('heading', { name: 'T-1001: Grinder makes a loud noise' }).waitFor();
  const notes = portal.getByRole('region', { name: 'Notes' });
  await notes.getByRole('heading', { name: 'Chat transcript by Ada' }).waitFor();
  for (const line of ['Carla Diaz: My grinder is very loud', 'Chat linked to ticket T-1002: Invoice for October', 'Ada: Let us check the burrs.', 'Ada ended the chat']) {
    await notes.getByText(line, { exact: false }).waitFor();
  }
  await screenshot(portal, '32-portal-ticket-transcript');

  // --- another customer's ticket is not hers to open ---------------------------------------
  const other = await portal.goto(`${stack.siteUrl}/portal/tickets/T-1101`);
  assert.equal(other.status(), 404);

  // --- signing out of the portal forgets her in this browser: the widget is anonymous -----
  await portal.goto(`${stack.siteUrl}/portal/tickets`);
  await portal.getByRole('button', { name: 'Sign out' }).click();
  await portal.getByRole('heading', { name: 'Support portal' }).waitFor();
  await portal.getByRole('button', { name: 'Open chat' }).click();
  await portal.getByRole('dialog', { name: 'Live chat' }).getByRole('textbox', { name: 'Your name' }).waitFor();
  assert.deepEqual(stack.pageErrors, []);
});

test('a tampered identity leaves the visitor anonymous and tells the developer why', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const dan = await stack.person('dan');
  const page = dan.page;
  const errors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
  await page.goto(`${stack.siteUrl}/portal/`);
  await page.getByRole('textbox', { name: 'Email' }).fill('dan@acme.test');
  await page.getByLabel('Password').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  // From now on the page carries a statement about someone else (Carla) under Dan's signature:
  // the script tag's identity is rewritten as the parser inserts it, before the loader runs.
  await page.addInitScript(() => {
    const fromB64url = (t) => atob(t.replace(/-/g, '+').replace(/_/g, '/'));
    const toB64url = (t) => btoa(t).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    new MutationObserver(() => {
      const tag = document.querySelector('script[data-identity]:not([data-tampered])');
      if (!tag) return;
      const [h, p, sig] = tag.getAttribute('data-identity').split('.');
      const claims = JSON.parse(fromB64url(p));
      claims.sub = 'c-100';
      tag.setAttribute('data-identity', `${h}.${toB64url(JSON.stringify(claims))}.${sig}`);
      tag.setAttribute('data-tampered', '');
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(`${stack.siteUrl}/portal/tickets`);
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
  await page.getByRole('button', { name: 'Open chat' }).click();
  const widget = page.getByRole('dialog', { name: 'Live chat' });
  await widget.getByRole('textbox', { name: 'Your name' }).waitFor();
  await eventually('the refusal is logged for the developer', async () =>
    errors.some((e) => e.includes('[livechat] the page\'s signed identity was refused (HTTP 401')));
  assert.deepEqual(stack.pageErrors, []);
});
