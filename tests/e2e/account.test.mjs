// An admin's Settings, then an agent's own account, as agents use them: signed in on two
// devices, they see both in
// "Your sessions", sign the other one out (that console is back at the sign-in form at once,
// told why), then change their password: the console they are using stays signed in, with a
// new session that survives a reload, and the old password no longer works.
//
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, signIn, screenshot, PASSWORD } from './harness.mjs';

test('an agent signs out another device and changes their password', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());

  const desk = await stack.person('ada-desk');
  const laptop = await stack.person('ada-laptop');
  await signIn(desk.page, stack.serverUrl, 'ada@example.com');
  await signIn(laptop.page, stack.serverUrl, 'ada@example.com');

  // --- Ada is an admin: Settings; Grace is not ----------------------------------------------
  await desk.page.getByRole('button', { name: 'Settings' }).click();
  const settings = desk.page.getByRole('region', { name: 'Settings' });
  await settings.getByLabel('Seconds a request waits before the visitor may ask for a callback').fill('45');
  await settings.getByRole('button', { name: 'Save chat settings' }).click();
  await settings.getByRole('status').getByText('Chat settings saved.').waitFor();
  await settings.getByLabel('Time zone').fill('Europe/Berlin');
  await settings.getByRole('button', { name: 'Save office hours' }).click();
  await settings.getByRole('status').getByText('Office hours saved.').waitFor();
  await settings.getByLabel('Time zone').fill('Mars/Olympus');
  await settings.getByRole('button', { name: 'Save office hours' }).click();
  await settings.getByRole('alert').getByText('Some of these settings are not valid', { exact: false }).waitFor();
  await screenshot(desk.page, '22-console-settings');
  await settings.getByRole('button', { name: 'Back to chats' }).click();
  const grace = await stack.person('grace');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');
  await grace.page.getByRole('button', { name: 'Account' }).waitFor();
  assert.equal(await grace.page.getByRole('button', { name: 'Settings' }).count(), 0, 'not an admin');

  // --- "Your sessions": both devices, this one marked ---------------------------------------
  await desk.page.getByRole('button', { name: 'Account' }).click();
  const account = desk.page.getByRole('region', { name: 'Your account' });
  const sessions = account.getByRole('list', { name: 'Sessions' });
  await sessions.getByText('This device').waitFor();
  await sessions.getByText('Active now').waitFor();
  assert.equal(await sessions.getByRole('listitem').count(), 2);
  await screenshot(desk.page, '20-console-account');

  // --- sign the other device out: its console returns to the sign-in form at once ----------
  await sessions.getByRole('button', { name: /^Sign out / }).click();
  await account.getByRole('status').getByText('That session was signed out.').waitFor();
  await laptop.page.getByRole('button', { name: 'Sign in' }).waitFor();
  await laptop.page.getByRole('alert')
    .getByText('Your session has ended. Please sign in again.').waitFor();
  await screenshot(laptop.page, '21-console-signed-out-elsewhere');
  await sessions.getByRole('listitem').nth(1).waitFor({ state: 'detached' });

  // --- change the password: this console stays signed in, the old password is refused ------
  await account.getByLabel('Current password').fill(PASSWORD);
  await account.getByLabel('New password', { exact: true }).fill('a long new password');
  await account.getByLabel('Confirm new password').fill('a long new password');
  await account.getByRole('button', { name: 'Change password' }).click();
  await account.getByRole('status')
    .getByText('Password changed. Every other session was signed out.').waitFor();
  await desk.page.getByText('Connected', { exact: true }).waitFor();
  await desk.page.reload();
  await desk.page.getByRole('region', { name: 'Waiting chats' }).waitFor();

  await laptop.page.getByRole('textbox', { name: 'Email' }).fill('ada@example.com');
  await laptop.page.getByLabel('Password').fill(PASSWORD);
  await laptop.page.getByRole('button', { name: 'Sign in' }).click();
  await laptop.page.getByRole('alert').getByText('Wrong email or password').waitFor();

  assert.deepEqual(stack.pageErrors, []);
});
