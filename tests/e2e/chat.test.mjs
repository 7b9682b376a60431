// The foundation journey, as people do it: a visitor on the shop's origin asks a question, two
// agents see the request, one accepts and answers, the visitor reloads and keeps everything,
// the agent ends the chat and the visitor can no longer send into it, then starts a new chat
// that reaches the agents as a new request (SCENARIOS #20). Then markup and links in user text
// (SCENARIOS #1, #2) on both the widget and the console.
//
// Elements are found by role and accessible name only (see ARCHITECTURE.md).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  startStack, signIn, eventually, screenshot, visitorStartsChat, agentReplies, openWidget,
  visitorSends, shownInOrder, inspectDom, imageSettled,
} from './harness.mjs';

test('a visitor message travels to an agent and back across two origins', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());

  // --- the visitor on the shop -------------------------------------------------------------
  const visitor = await stack.person('visitor');
  const shop = visitor.page;
  await shop.goto(`${stack.siteUrl}/`);
  await screenshot(shop, '01-shop-with-bubble');
  await shop.getByRole('button', { name: 'Open chat' }).click();
  const chat = shop.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill('Marta');
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill('hello');
  await chat.getByRole('button', { name: 'Send' }).click();
  const visitorLog = chat.getByRole('log', { name: 'Messages' });
  await visitorLog.getByText('hello', { exact: true }).waitFor();
  await screenshot(shop, '02-visitor-waiting');

  // --- two agents see the request; the first to accept wins --------------------------------
  const ada = await stack.person('ada');
  const grace = await stack.person('grace');
  await signIn(ada.page, stack.serverUrl, 'ada@example.com');
  await signIn(grace.page, stack.serverUrl, 'grace@example.com');
  const accept = (page) => page
    .getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: 'Accept chat with Marta' });
  await accept(ada.page).waitFor();
  await accept(grace.page).waitFor();
  await screenshot(ada.page, '03-console-queue');
  await accept(ada.page).click();
  // The request vanishes from the other agent at once.
  await accept(grace.page).waitFor({ state: 'detached' });

  const conversation = ada.page.getByRole('log', { name: 'Conversation with Marta' });
  await conversation.getByText('hello', { exact: true }).waitFor();
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Hi Marta, how can I help?');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await conversation.getByText('Hi Marta, how can I help?').waitFor();
  await screenshot(ada.page, '04-console-conversation');

  // --- the visitor sees the reply, reloads, and keeps the whole conversation ----------------
  await visitorLog.getByText('Hi Marta, how can I help?').waitFor();
  await visitorLog.getByText('Ada joined the chat').waitFor();
  await screenshot(shop, '05-visitor-reply');

  await shop.reload();
  await openWidget(shop);
  await visitorLog.getByText('Hi Marta, how can I help?').waitFor();
  // Nothing twice after the reload: a later message is the marker that the reload's replay is
  // over (it comes after everything older, in order), so a duplicate would be there by now.
  await ada.page.getByRole('textbox', { name: 'Reply' }).fill('Anything else?');
  await ada.page.getByRole('button', { name: 'Send' }).click();
  await visitorLog.getByText('Anything else?', { exact: true }).waitFor();
  const journey = ['hello', 'Ada joined the chat', 'Hi Marta, how can I help?', 'Anything else?'];
  assert.deepEqual(await shownInOrder(visitorLog, journey), journey, 'after the reload: all of it, once, in order');

  // --- the agent ends the chat; the visitor is told and cannot send into it ---------------
  await ada.page.getByRole('button', { name: 'End chat' }).click();
  await ada.page.getByRole('button', { name: 'End chat now' }).click();
  await chat.getByText('This chat has ended').waitFor();
  await visitorLog.getByText('Ada ended the chat').waitFor();
  const composer = chat.getByRole('textbox', { name: 'Message' });
  const send = chat.getByRole('button', { name: 'Send' });
  await eventually('the composer is disabled', async () =>
    (await composer.isDisabled()) && (await send.isDisabled()));
  await ada.page.getByRole('status').getByText('Chat ended').waitFor();
  assert.ok(await ada.page.getByRole('textbox', { name: 'Reply' }).isDisabled(), 'the agent cannot reply either');
  await screenshot(shop, '06-visitor-ended');

  // --- "Start a new chat" opens a NEW request; the old conversation stays ended ------------
  await chat.getByRole('button', { name: 'Start a new chat' }).click();
  await chat.getByText('This chat has ended').waitFor({ state: 'detached' });
  assert.ok(await composer.isEnabled(), 'the visitor can write again');
  assert.deepEqual(await shownInOrder(visitorLog, journey), [], 'the new chat starts empty');
  await visitorSends(chat, 'One more question, please');
  await visitorLog.getByText('One more question, please', { exact: true }).waitFor();
  await chat.getByText('Waiting for an agent…').waitFor();

  // Both agents get a new waiting request, with the new message as its preview.
  for (const agent of [ada, grace]) {
    const request = agent.page.getByRole('region', { name: 'Waiting chats' }).getByRole('listitem')
      .filter({ has: agent.page.getByRole('button', { name: 'Accept chat with Marta' }) });
    await request.getByText('One more question, please').waitFor();
  }
  // That request arrived after the new message was stored, so had the message gone into the old
  // conversation, Ada (who is in it) would have it by now: the old chat is still ended and
  // holds exactly what it held.
  const oldChat = ada.page.getByRole('log', { name: 'Conversation with Marta' });
  assert.deepEqual(
    await shownInOrder(oldChat, [...journey, 'Ada ended the chat', 'One more question, please']),
    [...journey, 'Ada ended the chat'], 'the old conversation is unchanged');
  assert.ok(await ada.page.getByRole('button', { name: 'End chat' }).isDisabled(), 'the old chat stays ended');

  // Grace takes the new request: a live conversation with only the new message in it.
  await accept(grace.page).click();
  const newChat = grace.page.getByRole('log', { name: 'Conversation with Marta' });
  await newChat.getByText('One more question, please', { exact: true }).waitFor();
  await visitorLog.getByText('Grace joined the chat').waitFor();
  assert.ok(await composer.isEnabled(), 'the new chat is open for writing');
  assert.deepEqual(await shownInOrder(newChat, [...journey, 'One more question, please']),
    ['One more question, please'], 'nothing of the old conversation is in the new one');
  await screenshot(shop, '06b-visitor-new-chat');

  assert.deepEqual(stack.pageErrors, [], 'no uncaught errors in any page');
});

// Row 1. Every payload carries `__pwned`: a handler or script it made would set that global, and
// an element made from it would carry it in an attribute or script text. Its `<img>` uses
// `src=x`, a URL that fails to load on both origins. The waits look for a part of a message
// that is text however it is rendered (`visitor bold`), so that a regression is reported by the
// checks below, all at once, rather than as a timeout.
const MARK = '__pwned';
const EVIL_NAME = '<img src=x onerror="window.__pwned=\'name\'">';
const EVIL_VISITOR = '<script>window.__pwned=\'visitor script\'</script>'
  + '<img src=x onerror="window.__pwned=\'visitor img\'"><b>visitor bold</b>';
const EVIL_AGENT = '<script>window.__pwned=\'agent script\'</script>'
  + '<img src=x onerror="window.__pwned=\'agent img\'"><b>agent bold</b>';
// Tags the payloads would create; the widget, the console and the shop use none of these.
const PAYLOAD_ELEMENTS = ['img', 'script:not([src])', 'b'];

/**
 * What is wrong in `page` if markup from user text became DOM: elements made from it, text
 * that does not show verbatim, or a handler of it that ran. Waits for `src=x` to fail in the page
 * first, so the payload's own `onerror` has had its chance to fire.
 */
async function markupProblems(page, where, literals) {
  const dom = await inspectDom(page, { marker: MARK, literals, payloadSelectors: PAYLOAD_ELEMENTS });
  const problems = [
    ...dom.offenders.map((html) => `${where}: element made from user text: ${html}`),
    ...dom.missing.map((text) => `${where}: not shown verbatim: ${text}`),
  ];
  assert.equal(await imageSettled(page, 'x'), 'error', `${where}: src=x must fail to load`);
  const pwned = await page.evaluate(() => window.__pwned);
  if (pwned !== undefined) problems.push(`${where}: injected code ran: window.__pwned = ${pwned}`);
  return { problems, shadowRoots: dom.shadowRoots };
}

test('markup in names and messages is text on both sides, and none of it runs (SCENARIOS #1)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());

  const visitor = await stack.person('visitor');
  const { log: visitorLog } = await visitorStartsChat(visitor.page, stack.siteUrl, EVIL_NAME, EVIL_VISITOR,
    { waitForText: 'visitor bold' });

  const agent = await stack.person('ada');
  await signIn(agent.page, stack.serverUrl, 'ada@example.com');
  const problems = [];
  // The waiting request shows the name and a preview of the message.
  const acceptButton = agent.page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: `Accept chat with ${EVIL_NAME}` });
  await acceptButton.waitFor();
  problems.push(...(await markupProblems(agent.page, 'console queue', [EVIL_NAME])).problems);

  await acceptButton.click();
  const agentLog = agent.page.getByRole('log', { name: `Conversation with ${EVIL_NAME}` });
  await agentLog.getByText('visitor bold').waitFor();
  await agent.page.getByRole('heading', { name: EVIL_NAME, exact: true }).waitFor();
  await agentReplies(agent.page, EVIL_AGENT);
  await agentLog.getByText('agent bold').waitFor();
  await visitorLog.getByText('agent bold').waitFor();

  const shop = await markupProblems(visitor.page, 'visitor widget', [EVIL_VISITOR, EVIL_AGENT]);
  assert.ok(shop.shadowRoots >= 1, 'the widget\'s shadow root was searched');
  problems.push(...shop.problems);
  problems.push(...(await markupProblems(agent.page, 'console', [EVIL_NAME, EVIL_VISITOR, EVIL_AGENT])).problems);
  assert.deepEqual(problems, [], 'user text stays text');
  assert.deepEqual(stack.pageErrors, []);
});

// Row 2. Nothing is linkified yet, so today no message makes a link at all; once rich text or
// linkify lands, this holds it to http(s) and mailto.
test('links made from messages only ever go to http(s) or mailto (SCENARIOS #2)', async (t) => {
  const stack = await startStack();
  t.after(() => stack.stop());
  const urls = (who) => [
    `javascript:window.__pwned='${who} bare'`,
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox(1)',
    `[click me](javascript:window.__pwned='${who} markdown')`,
    `<a href="javascript:window.__pwned='${who} anchor'">click me</a>`,
    '<a href="data:text/html,<script>alert(1)</script>">or me</a>',
    'https://example.com/fine and mailto:help@example.com',
  ].join(' ');

  const visitor = await stack.person('visitor');
  // Waits look for a part that stays text however the message is rendered.
  const { log: visitorLog } = await visitorStartsChat(visitor.page, stack.siteUrl, 'Lou', urls('visitor'),
    { waitForText: 'visitor bare' });
  const agent = await stack.person('ada');
  await signIn(agent.page, stack.serverUrl, 'ada@example.com');
  await agent.page.getByRole('button', { name: 'Accept chat with Lou' }).click();
  const agentLog = agent.page.getByRole('log', { name: 'Conversation with Lou' });
  await agentLog.getByText('visitor bare').waitFor();
  await agentReplies(agent.page, urls('agent'));
  await agentLog.getByText('agent bare').waitFor();
  await visitorLog.getByText('agent bare').waitFor();

  const allowed = new Set(['http:', 'https:', 'mailto:']);
  const bad = [];
  for (const [where, page] of [['visitor widget', visitor.page], ['console', agent.page]]) {
    const { anchors, shadowRoots } = await inspectDom(page);
    if (where === 'visitor widget') {
      assert.ok(shadowRoots >= 1, 'the widget\'s shadow root was searched');
      assert.ok(anchors.length > 0, 'the shop\'s own links were seen (the check is not empty)');
    }
    for (const { href, text } of anchors) {
      if (!allowed.has(new URL(href).protocol)) bad.push(`${where}: "${text}" -> ${href}`);
    }
  }
  assert.deepEqual(bad, [], 'only http(s) and mailto links');
  assert.deepEqual(stack.pageErrors, []);
});
