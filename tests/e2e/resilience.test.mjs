// What "nothing lost" means in a real browser: a second tab, a dropped network, a crashed
// server, a lost acknowledgement, an unread count while minimised, and a site that is not
// allowed to embed the chat.
// Rows of the SCENARIOS table (see ARCHITECTURE.md) are named where a test covers one.
//
// "Nothing else arrived" is never checked after a pause: a later message is sent and awaited
// first (messages reach every client in order), and only then is the absence asserted.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, eventually, screenshot, signIn, visitorStartsChat, agentAccepts, agentReplies,
  openWidget, visitorSends, shownInOrder, messageRow,
} from './harness.mjs';

/** A promise with its `resolve` beside it (Node 20 has no Promise.withResolvers). */
function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

test('a second tab shows the same conversation and both stay live', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Noor', 'first tab here');

  // Same browser profile (shared localStorage), another tab, another page of the shop.
  const tab2 = await visitor.context.newPage();
  await tab2.goto(`${stack.siteUrl}/about.html`);
  const chat2 = await openWidget(tab2);
  const log2 = chat2.getByRole('log', { name: 'Messages' });
  await log2.getByText('first tab here', { exact: true }).waitFor();

  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Noor');
  await agentReplies(agent.page, 'Hello Noor');
  await log.getByText('Hello Noor').waitFor();
  await log2.getByText('Hello Noor').waitFor();

  // What one tab sends, the other tab shows too (routed by identity, not by socket).
  await visitorSends(chat2, 'sent from tab two');
  await log.getByText('sent from tab two').waitFor();
  await agentLog.getByText('sent from tab two').waitFor();
  // A later message from the first tab marks the end: everything before it has arrived.
  await visitorSends(chat, 'and from tab one');
  const all = ['first tab here', 'Hello Noor', 'sent from tab two', 'and from tab one'];
  for (const l of [log, log2, agentLog]) {
    await l.getByText('and from tab one', { exact: true }).waitFor();
    assert.deepEqual(await shownInOrder(l, all), all, 'each message once, in order');
  }
  assert.deepEqual(stack.pageErrors, []);
});

test('messages written offline are queued and delivered once, in order (SCENARIOS #15)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Omar', 'hi there');
  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Omar');
  await log.getByText('Ada joined the chat').waitFor();

  await visitor.context.setOffline(true);
  await chat.getByText("You're offline. Messages will be sent when you're back.").waitFor();
  const offline = ['offline one', 'offline two', 'offline three'];
  for (const text of offline) {
    await visitorSends(chat, text);
    // Shown at once, marked as not sent yet.
    await messageRow(log, text).getByText('Sending…').waitFor();
  }
  assert.equal(await log.getByText('Sending…').count(), 3, 'exactly the three offline messages are pending');
  await screenshot(visitor.page, '07-visitor-offline-queue');

  // Meanwhile the agent writes; once the server has acknowledged that, anything the visitor had
  // managed to send would be with the agent already (it would come first, in seq order).
  await agentReplies(agent.page, 'are you still there?');
  await messageRow(agentLog, 'are you still there?').waitFor();
  await eventually('the agent\'s message is acknowledged', async () =>
    (await agentLog.getByText('Sending…').count()) === 0);
  assert.deepEqual(await shownInOrder(agentLog, offline), [], 'the agent has none of the offline messages');
  assert.equal(await log.getByText('Sending…').count(), 3, 'still pending while offline');

  await visitor.context.setOffline(false);
  await agentLog.getByText('offline three', { exact: true }).waitFor({ timeout: 60_000 });
  await eventually('the visitor sees every queued message confirmed', async () =>
    (await log.getByText('Sending…').count()) === 0, 60_000);
  // Later messages both ways mark the end of the replay and the re-sends.
  await visitorSends(chat, 'back online');
  await agentLog.getByText('back online', { exact: true }).waitFor();
  await agentReplies(agent.page, 'got everything');
  await log.getByText('got everything', { exact: true }).waitFor();

  // The agent's message came first (the offline ones were stored only after the reconnect),
  // then the queued ones in the order written, each exactly once, on both sides.
  const expected = ['hi there', 'are you still there?', ...offline, 'back online', 'got everything'];
  assert.deepEqual(await shownInOrder(agentLog, expected), expected, 'agent: in order, each once');
  assert.deepEqual(await shownInOrder(log, expected), expected, 'visitor: in order, each once');
  assert.equal(await log.getByText(/^Not sent/).count(), 0, 'nothing refused');
  assert.deepEqual(stack.pageErrors, []);
});

test('an offline queue longer than the server\'s burst is delivered whole, in order, at the server\'s pace (SCENARIOS #15)', async (t) => {
  // A burst of 3 and 2 messages a second: 8 queued messages meet the rate limit on replay.
  const stack = await startStack({ serverArgs: ['--send-burst', '3', '--sends-per-second', '2'] });
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Ines', 'hello');
  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Ines');
  await log.getByText('Ada joined the chat').waitFor();

  await visitor.context.setOffline(true);
  await chat.getByText("You're offline. Messages will be sent when you're back.").waitFor();
  const queued = Array.from({ length: 8 }, (_, i) => `queued ${i + 1}`);
  for (const text of queued) await visitorSends(chat, text);
  assert.equal(await log.getByText('Sending…').count(), 8);
  await visitor.context.setOffline(false);

  await agentLog.getByText('queued 8', { exact: true }).waitFor({ timeout: 60_000 });
  await eventually('every queued message confirmed', async () =>
    (await log.getByText('Sending…').count()) === 0, 60_000);
  const expected = ['hello', ...queued];
  assert.deepEqual(await shownInOrder(agentLog, expected), expected, 'agent: all, in order, each once');
  assert.deepEqual(await shownInOrder(log, expected), expected, 'visitor: all, in order, each once');
  assert.equal(await log.getByText(/^Not sent/).count(), 0, 'none shown as refused');
  assert.deepEqual(stack.pageErrors, []);
});

test('after a server crash (SIGKILL) in the middle of a burst of sends, every message arrives once, in order (SCENARIOS #16)', async (t) => {
  // 30 messages as fast as the UI takes them must not meet the per-visitor rate limit.
  const stack = await startStack({ serverArgs: ['--send-burst', '1000', '--sends-per-second', '1000'] });
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Lena', 'before the crash');
  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Lena');
  await agentReplies(agent.page, 'reply before the crash');
  await log.getByText('reply before the crash').waitFor();

  const burst = Array.from({ length: 30 }, (_, i) => `burst ${String(i + 1).padStart(2, '0')}`);
  const composer = chat.getByRole('textbox', { name: 'Message' });
  // The visitor types the burst as fast as the UI takes it. The server is frozen once a few have
  // reached the agent (stored and acknowledged); from then on sends go out on the open socket and
  // are never answered. It is killed (SIGKILL) with those in flight, and the visitor goes on
  // typing while it is down. Two pauses make sure each phase gets messages on a slow machine:
  // message 21 is typed only after the freeze, message 26 only after the kill.
  const phase = { frozen: deferred(), killed: deferred() };
  let typed = 0;
  const typing = (async () => {
    for (const [i, text] of burst.entries()) {
      if (i === 20) await phase.frozen.promise;
      if (i === 25) await phase.killed.promise;
      await composer.fill(text);
      await composer.press('Enter');
      typed += 1;
    }
  })();
  const stored = () => agentLog.getByText(/^burst \d\d$/).count();
  const inFlight = () => log.getByText('Sending…').count();
  await eventually('a few of the burst are stored', async () => (await stored()) >= 3, 30_000, 10);
  stack.freezeServer();
  phase.frozen.resolve();
  await eventually('a few more are sent and unanswered', async () => (await inFlight()) >= 3, 30_000, 10);
  const [typedAtKill, storedAtKill, inFlightAtKill] = [typed, await stored(), await inFlight()];
  await stack.killServer();
  phase.killed.resolve();
  await stack.restartServer();
  await typing;
  t.diagnostic(`killed with ${typedAtKill} of 30 typed: ${storedAtKill} with the agent, ${inFlightAtKill} in flight`);

  // Both sides reconnect by themselves; the widget re-sends what was not acknowledged.
  await agentLog.getByText('burst 30', { exact: true }).waitFor({ timeout: 60_000 });
  await eventually('the visitor sees every message confirmed', async () =>
    (await log.getByText('Sending…').count()) === 0, 60_000);
  // Later messages both ways mark the end of the re-sends and of the replay.
  await agentReplies(agent.page, 'still here');
  await log.getByText('still here', { exact: true }).waitFor();
  await visitorSends(chat, 'after the restart');
  await agentLog.getByText('after the restart', { exact: true }).waitFor();

  const expected = ['before the crash', 'reply before the crash', ...burst, 'still here', 'after the restart'];
  assert.deepEqual(await shownInOrder(agentLog, expected), expected, 'agent: in order, each once');
  assert.deepEqual(await shownInOrder(log, expected), expected, 'visitor: in order, each once');
  assert.equal(await log.getByText(/^Not sent/).count(), 0, 'nothing refused');

  // What the server stored (not just what the pages kept): a fresh load of both shows the same.
  await visitor.page.reload();
  const reloaded = (await openWidget(visitor.page)).getByRole('log', { name: 'Messages' });
  await reloaded.getByText('after the restart', { exact: true }).waitFor();
  assert.deepEqual(await shownInOrder(reloaded, expected), expected, 'visitor after reload');
  await agent.page.reload();
  await agent.page.getByRole('region', { name: 'My chats' })
    .getByRole('button', { name: 'Open chat with Lena' }).click();
  await agentLog.getByText('after the restart', { exact: true }).waitFor();
  assert.deepEqual(await shownInOrder(agentLog, expected), expected, 'agent after reload');
  assert.deepEqual(stack.pageErrors, []);
});

test('a message stored but never acknowledged is stored once when the widget sends it again (SCENARIOS #13)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat, log } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Tomas', 'hello');
  const agent = await stack.person('ada');
  const agentLog = await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Tomas');
  await log.getByText('Ada joined the chat').waitFor();

  // The server is frozen while the visitor sends: the message sits unread in the server's socket
  // buffer and the widget keeps it in its outbox (in localStorage). Then the page reloads, so the
  // socket that would carry the ack is gone, and the server goes on: it stores the message and
  // its ack is lost. The reloaded widget re-sends it from the outbox with the same client id.
  stack.freezeServer();
  await visitorSends(chat, 'did this arrive?');
  await messageRow(log, 'did this arrive?').getByText('Sending…').waitFor();
  await visitor.page.reload({ waitUntil: 'commit' });
  stack.thawServer();
  const reloaded = (await openWidget(visitor.page)).getByRole('log', { name: 'Messages' });
  await reloaded.getByText('did this arrive?', { exact: true }).first().waitFor();
  await eventually('the re-sent message is confirmed', async () =>
    (await reloaded.getByText('Sending…').count()) === 0);

  // Later messages both ways mark the end; then each side has it exactly once.
  await agentReplies(agent.page, 'yes, once');
  await reloaded.getByText('yes, once', { exact: true }).waitFor();
  await visitorSends(visitor.page.getByRole('dialog', { name: 'Live chat' }), 'thanks');
  await agentLog.getByText('thanks', { exact: true }).waitFor();
  const expected = ['hello', 'did this arrive?', 'yes, once', 'thanks'];
  assert.deepEqual(await shownInOrder(agentLog, expected), expected, 'agent: once, in order');
  assert.deepEqual(await shownInOrder(reloaded, expected), expected, 'visitor: once, in order');
  assert.deepEqual(stack.pageErrors, []);
});

test('while minimised the bubble counts unread replies; opening clears it', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  const { chat } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Ines', 'question');
  const agent = await stack.person('ada');
  await agentAccepts(agent.page, stack.serverUrl, 'ada@example.com', 'Ines');
  await chat.getByText('Ada joined the chat').waitFor();

  // Esc minimises and gives focus back to the bubble.
  await chat.getByRole('textbox', { name: 'Message' }).press('Escape');
  await chat.waitFor({ state: 'hidden' });
  const launcher = visitor.page.getByRole('button', { name: /^Open chat/ });
  await eventually('focus returns to the bubble', () => launcher.evaluate((el) =>
    el.getRootNode().activeElement === el));
  assert.equal((await launcher.innerText()).trim(), '', 'no badge before any reply');

  await agentReplies(agent.page, 'answer one');
  await visitor.page.getByRole('button', { name: 'Open chat, 1 unread message', exact: true }).waitFor();
  await agentReplies(agent.page, 'answer two');
  await visitor.page.getByRole('button', { name: 'Open chat, 2 unread messages', exact: true }).waitFor();
  assert.equal((await launcher.innerText()).trim(), '2', 'the badge shows the count');
  await screenshot(visitor.page, '08-visitor-unread-badge');
  // One icon on the bubble at a time (the chat icon while minimised, the chevron while open).
  assert.equal(await launcher.locator('svg:visible').count(), 1, 'one icon while minimised');

  await launcher.click();
  await chat.getByText('answer two').waitFor();
  const close = visitor.page.getByRole('button', { name: 'Close chat' });
  await close.waitFor();
  assert.equal(await close.locator('svg:visible').count(), 1, 'one icon while open');

  // Minimised again: the replies were read, so no count is left on the bubble.
  await chat.getByRole('button', { name: 'Minimise chat' }).click();
  await chat.waitFor({ state: 'hidden' });
  const plain = visitor.page.getByRole('button', { name: 'Open chat', exact: true });
  await plain.waitFor();
  assert.equal(await visitor.page.getByRole('button', { name: /unread/ }).count(), 0, 'no unread count in the name');
  assert.equal((await plain.innerText()).trim(), '', 'no badge on the bubble');
  // And counting starts again from zero, not from where it was.
  await agentReplies(agent.page, 'answer three');
  await visitor.page.getByRole('button', { name: 'Open chat, 1 unread message', exact: true }).waitFor();
  assert.equal((await launcher.innerText()).trim(), '1');
  assert.deepEqual(stack.pageErrors, []);
});

test('a site that is not on the allow-list cannot start a chat (SCENARIOS #9)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const visitor = await stack.person('visitor');
  await visitor.page.goto(`${stack.foreignSiteUrl}/`);
  await visitor.page.getByRole('button', { name: 'Open chat' }).click();
  const chat = visitor.page.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Mallory');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('alert').getByText(/couldn't start the chat/).waitFor();

  // And nothing reached the agents: a visitor on the allowed shop asks after Mallory tried, and
  // once that request is in the queue, Mallory's is not.
  const agent = await stack.person('ada');
  await signIn(agent.page, stack.serverUrl, 'ada@example.com');
  const queue = agent.page.getByRole('region', { name: 'Waiting chats' });
  await queue.getByText('No one is waiting.').waitFor();
  const honest = await stack.person('honest visitor');
  await visitorStartsChat(honest.page, stack.siteUrl, 'Nadia', 'is the shop open on Sunday?');
  await queue.getByRole('button', { name: 'Accept chat with Nadia' }).waitFor();
  assert.equal(await queue.getByRole('button', { name: /Mallory/ }).count(), 0, 'no request from Mallory');
  assert.equal(await queue.getByRole('button', { name: /^Accept chat/ }).count(), 1, 'only Nadia waits');
  assert.deepEqual(stack.pageErrors, []);
});
