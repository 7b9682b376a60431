// The customer portal on the shop's origin, as a contact and an agent use it: Carla signs in to
// the portal and sees her tickets (only hers); the portal page carries her signed identity,
// which the chat exchanges for her session; she chats about ticket T-1001; the agent sees the
// ticket in the conversation header beside a verified-contact lock, ends the chat, and the
// transcript shows on the ticket page.
//
// Until the widget's contact bundle exists, the page script below does what it will do (the
// same calls, from the portal's origin, with the identity the portal put in the page).
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, signIn, screenshot, PORTAL_PASSWORD } from './harness.mjs';

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

  // --- the page's signed identity becomes her chat session; she writes -------------------
  const identity = await portal.locator('script[data-identity]').getAttribute('data-identity');
  assert.ok(identity && identity.split('.').length === 3, 'a JWT in the page');
  const chat = await portal.evaluate(async ({ server, identity }) => {
    const r = await fetch(`${server}/api/contact/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity }),
    });
    if (r.status !== 201) throw new Error(`contact session: ${r.status}`);
    const session = await r.json();
    const ws = new WebSocket(`${server.replace(/^http/, 'ws')}/ws`);
    const frames = [];
    let wake = () => {};
    ws.onmessage = (e) => { frames.push(JSON.parse(e.data)); wake(); };
    const next = async (type) => {
      for (;;) {
        const i = frames.findIndex((f) => f.type === type);
        if (i >= 0) return frames.splice(i, 1)[0];
        await new Promise((ok) => { wake = ok; });
      }
    };
    await new Promise((ok) => { ws.onopen = ok; });
    ws.send(JSON.stringify({ type: 'hello', protocol: 1, token: session.token }));
    await next('welcome');
    ws.send(JSON.stringify({ type: 'send', client_id: 'p-1', body: 'My grinder is very loud' }));
    const ack = await next('ack');
    window.__chat = { ws, next };
    return { token: session.token, name: session.me.name, contact: session.contact.id, conversation: ack.message.conversation_id };
  }, { server: stack.serverUrl, identity });
  assert.equal(chat.name, 'Carla Diaz');
  assert.equal(chat.contact, 'c-100');

  // --- the agent takes it; Carla links it to her ticket; the agent sees which ------------
  const ada = await stack.person('ada');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await ada.page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Carla Diaz' }).click();
  const conversation = ada.page.getByRole('log', { name: 'Conversation with Carla Diaz' });
  await conversation.getByText('My grinder is very loud').waitFor();
  // she is a verified contact: a lock, her e-mail and company from the helpdesk
  await ada.page.getByRole('img', { name: 'Verified contact' }).waitFor();
  await ada.page.getByLabel('Verified details').getByText('carla@acme.test · Acme Cafés').waitFor();
  const linked = await portal.evaluate(async ({ server, token, conversation }) => {
    const r = await fetch(`${server}/api/conversations/${conversation}/ticket`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ ticket: 'T-1001' }),
    });
    return r.status;
  }, { server: stack.serverUrl, token: chat.token, conversation: chat.conversation });
  assert.equal(linked, 204);
  await ada.page.getByLabel('Ticket T-1001').getByText('Grinder makes a loud noise').waitFor();
  await conversation.getByText('Chat linked to ticket T-1001: Grinder makes a loud noise').waitFor();
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Let us check the burrs.');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await conversation.getByText('Let us check the burrs.').waitFor();
  await screenshot(ada.page, '31-console-ticket-header');

  // --- the agent ends it: the transcript is on the ticket page ----------------------------
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await conversation.getByText('Ada ended the chat').waitFor();
  await portal.goto(`${stack.siteUrl}/portal/tickets/T-1001`);
  await portal.getByRole('heading', { name: 'T-1001: Grinder makes a loud noise' }).waitFor();
  const notes = portal.getByRole('region', { name: 'Notes' });
  await notes.getByRole('heading', { name: 'Chat transcript by Ada' }).waitFor();
  for (const line of ['Carla Diaz: My grinder is very loud', 'Ada: Let us check the burrs.', 'Ada ended the chat']) {
    await notes.getByText(line, { exact: false }).waitFor();
  }
  await screenshot(portal, '32-portal-ticket-transcript');

  // --- another customer's ticket is not hers to open ---------------------------------------
  const other = await portal.goto(`${stack.siteUrl}/portal/tickets/T-1101`);
  assert.equal(other.status(), 404);
  assert.deepEqual(stack.pageErrors, []);
});
