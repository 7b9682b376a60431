// The end-to-end harness: starts the real chat server and the demo shop on two different
// origins, launches Debian's headless Chromium through playwright-core, and cleans up.
//
// Binaries and assets come from the environment `cargo xtask test` sets:
//   LIVECHAT_SERVER_BIN, DEMO_SITE_BIN, LIVECHAT_DIST, CHROMIUM.
// Every test gets a fresh server and data directory, so tests never share state.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(here, 'artifacts');
export const PASSWORD = 'e2e-demo-password';
export const IDENTITY_SECRET = 'e2e-identity-secret-shared-with-the-portal';
export const ADMIN_API_KEY = 'e2e-admin-api-key-of-the-portal-sync-job';
/** The demo portal's customers' password (its own sign-in). */
export const PORTAL_PASSWORD = 'portal-demo';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run the end-to-end tests through \`cargo xtask test\``);
  return value;
}

/** A port nobody listens on right now (the shop's origin must be known before the server starts). */
async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Start a server binary and resolve once it prints `listening on <url>`. */
function startProcess(name, bin, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(join(ARTIFACTS, `${name}.log`), { flags: 'a' });
    child.stderr.pipe(log);
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s`)), 30_000);
    child.stdout.on('data', (chunk) => {
      log.write(chunk);
      buffered += chunk.toString();
      const match = buffered.match(/^listening on (\S+)$/m);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited early (code ${code}, signal ${signal}); see artifacts/${name}.log`));
    });
  });
}

function stopProcess(proc) {
  if (!proc || proc.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.child.removeAllListeners('exit');
    proc.child.once('exit', () => resolve());
    proc.child.kill('SIGTERM');
    proc.child.kill('SIGCONT'); // in case a test froze it
    setTimeout(() => proc.child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * The whole stack: chat server on http://127.0.0.1:<p1>, shop on http://localhost:<p2>
 * (different host and port: a genuinely different origin), and one Chromium.
 * `serverArgs` are extra flags for the chat server (e.g. raised rate limits); they apply to a
 * restart after a crash too.
 */
export async function startStack({ serverArgs: extraServerArgs = [] } = {}) {
  await mkdir(ARTIFACTS, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'livechat-e2e-'));
  const sitePort = await freePort();
  const siteUrl = `http://localhost:${sitePort}`;
  const serverArgs = (listen) => [
    '--listen', listen,
    '--data-dir', dataDir,
    '--assets-dir', required('LIVECHAT_DIST'),
    '--allowed-origins', siteUrl,
    ...extraServerArgs,
  ];
  // The portal signs its contacts in with the secret it shares with the chat server, and
  // syncs its demo helpdesk through the admin API.
  const secrets = { LIVECHAT_IDENTITY_SECRET: IDENTITY_SECRET, LIVECHAT_ADMIN_API_KEY: ADMIN_API_KEY };
  const serverEnv = { LIVECHAT_DEMO_PASSWORD: PASSWORD, RUST_LOG: process.env.RUST_LOG ?? 'info', ...secrets };
  let server = await startProcess('server', required('LIVECHAT_SERVER_BIN'), serverArgs('127.0.0.1:0'), serverEnv);
  const site = await startProcess('demo-site', required('DEMO_SITE_BIN'), [
    '--listen', `127.0.0.1:${sitePort}`,
    '--server-url', server.url,
  ], secrets);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // As root Chromium needs --no-sandbox; the rest keep it off the (closed) network.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const pageErrors = [];
  return {
    serverUrl: server.url,
    siteUrl,
    /** The same shop page on an origin that is NOT on the server's allow-list. */
    foreignSiteUrl: `http://127.0.0.1:${sitePort}`,
    browser,
    pageErrors,
    /**
     * A fresh browser context (its own storage: a different person) with error tracking;
     * `options` for Playwright's context, e.g. `{ locale: 'de-DE', colorScheme: 'dark' }`.
     */
    async person(label, options = {}) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
      // Generous: a busy 2-core CI machine compiles the wasm bundles slowly. A bound, not a sleep.
      context.setDefaultTimeout(30_000);
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${label}: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.log(`[${label} console] ${msg.text()}`);
      });
      return { context, page };
    },
    /**
     * Freeze the chat server (SIGSTOP): its sockets stay open, so clients keep sending, but
     * nothing is read, stored or acknowledged until it is killed.
     */
    freezeServer() {
      server.child.kill('SIGSTOP');
    },
    /** Let a frozen chat server go on (SIGCONT): it reads what was sent to it meanwhile. */
    thawServer() {
      server.child.kill('SIGCONT');
    },
    /**
     * Kill the chat server without warning (SIGKILL: no graceful close, no flush beyond what
     * it already committed), as a crash would. `restartServer` then brings it back.
     */
    async killServer() {
      await new Promise((resolve) => {
        server.child.removeAllListeners('exit');
        server.child.once('exit', resolve);
        server.child.kill('SIGKILL');
      });
    },
    /** Start the chat server again on the same port and data directory, as a supervisor would. */
    async restartServer() {
      const { host } = new URL(server.url);
      server = await startProcess('server', required('LIVECHAT_SERVER_BIN'), serverArgs(host), serverEnv);
    },
    async crashAndRestartServer() {
      await this.killServer();
      await this.restartServer();
    },
    async stop() {
      await browser.close().catch(() => {});
      await stopProcess(site);
      await stopProcess(server);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Poll until `check()` is truthy (for states a locator cannot wait on, like `disabled`). The
 * bound is generous on purpose: it only costs time when something is already broken.
 */
export async function eventually(what, check, timeoutMs = 30_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Log an agent into the console on the chat server's own origin. */
export async function signIn(page, serverUrl, email) {
  await page.goto(`${serverUrl}/console/`);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('region', { name: 'Waiting chats' }).waitFor();
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/**
 * A visitor on the shop opens the widget, gives a name and sends a first message, and waits until
 * the log shows it: as its exact text, or (`waitForText`) a part of it, for tests that must get on
 * even when the message is not rendered as the text it is.
 */
export async function visitorStartsChat(page, siteUrl, name, firstMessage, { waitForText } = {}) {
  await page.goto(`${siteUrl}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill(name);
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill(firstMessage);
  await chat.getByRole('button', { name: 'Send' }).click();
  const log = chat.getByRole('log', { name: 'Messages' });
  await (waitForText === undefined
    ? log.getByText(firstMessage, { exact: true })
    : log.getByText(waitForText)).waitFor();
  return { chat, log };
}

/** An agent signs in, accepts the named visitor's request and returns the conversation log. */
export async function agentAccepts(page, serverUrl, email, visitorName) {
  await signIn(page, serverUrl, email);
  await page.getByRole('region', { name: 'Waiting chats' })
    .getByRole('button', { name: `Accept chat with ${visitorName}` }).click();
  const log = page.getByRole('log', { name: `Conversation with ${visitorName}` });
  await log.waitFor();
  return log;
}

/** Agent replies through the console's composer. */
export async function agentReplies(page, text) {
  await page.getByRole('textbox', { name: 'Reply' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Opens the visitor widget unless it is open already (a reload starts minimised). */
export async function openWidget(page) {
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  if (!(await chat.isVisible())) await page.getByRole('button', { name: /^Open chat/ }).click();
  await chat.waitFor();
  return chat;
}

/** The visitor types a message and presses Send (the widget shows it at once, pending). */
export async function visitorSends(chat, text) {
  await chat.getByRole('textbox', { name: 'Message' }).fill(text);
  await chat.getByRole('button', { name: 'Send' }).click();
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The message bodies a log shows, top to bottom, among the exact texts `bodies` (anything else,
 * like authors, times and delivery notes, is left out). Comparing this with the expected list
 * checks order and that each message is there exactly once.
 */
export async function shownInOrder(log, bodies) {
  const pattern = new RegExp(`^(?:${bodies.map(escapeRegExp).join('|')})$`);
  return log.getByText(pattern).allTextContents();
}

/**
 * The row of one message in a log: the log's child holding `body` as its exact text. (Rows have
 * no role or name of their own, so this is the one place that leans on the log's structure.)
 */
export function messageRow(log, body) {
  return log.locator(':scope > *').filter({ has: log.page().getByText(body, { exact: true }) });
}

/**
 * Looks at everything the page holds, the document and every open shadow root in it (the widget
 * lives in one), and reports:
 *  - `offenders`: elements made from user text: any element with an attribute containing
 *    `marker` (except the attributes whose value is text for people, like `aria-label`: the
 *    console names its buttons after the visitor), any script/style whose text contains it, and
 *    any element matching `payloadSelectors` (e.g. the tags the payload would create);
 *  - `missing`: the entries of `literals` that no text node contains verbatim;
 *  - `anchors`: every `<a>`/`<area>` with an `href`, resolved, with its text;
 *  - `shadowRoots`: how many open shadow roots were searched.
 */
export async function inspectDom(page, { marker = '\u0000', literals = [], payloadSelectors = [] } = {}) {
  return page.evaluate(({ marker, literals, payloadSelectors }) => {
    const TEXT_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'title', 'alt', 'placeholder', 'value']);
    const roots = [document];
    for (let i = 0; i < roots.length; i++) {
      for (const el of roots[i].querySelectorAll('*')) {
        if (el.shadowRoot) roots.push(el.shadowRoot);
      }
    }
    const describe = (el) => el.outerHTML.slice(0, 160);
    const offenders = new Set();
    const texts = [];
    const anchors = [];
    for (const root of roots) {
      for (const el of root.querySelectorAll('*')) {
        for (const attr of el.attributes) {
          if (attr.value.includes(marker) && !TEXT_ATTRIBUTES.has(attr.name)) offenders.add(describe(el));
        }
        if (/^(script|style)$/i.test(el.tagName) && el.textContent.includes(marker)) {
          offenders.add(describe(el));
        }
        if (payloadSelectors.some((s) => el.matches(s))) offenders.add(describe(el));
      }
      for (const a of root.querySelectorAll('a[href], area[href]')) {
        anchors.push({ href: a.href, text: a.textContent.trim().slice(0, 80) });
      }
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) texts.push(walker.currentNode.data);
    }
    const missing = literals.filter((l) => !texts.some((t) => t.includes(l)));
    return { offenders: [...offenders], missing, anchors, shadowRoots: roots.length - 1 };
  }, { marker, literals, payloadSelectors });
}

/**
 * Loads an image from `src` in the page and resolves once it has failed or loaded (then one more
 * task). An image the page created earlier from the same URL has had its own error or load
 * event by then, so a handler on it would have run: the deliberate wait before checking that
 * none did.
 */
export async function imageSettled(page, src) {
  return page.evaluate((src) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`image ${src} neither loaded nor failed in 20 s`)), 20_000);
    const img = new Image();
    const done = (outcome) => {
      clearTimeout(timer);
      setTimeout(() => resolve(outcome), 0);
    };
    img.onload = () => done('load');
    img.onerror = () => done('error');
    img.src = src;
  }), src);
}

/** A contact signs in to the demo portal (on the shop's origin) and lands on "My tickets". */
export async function portalSignIn(page, siteUrl, email) {
  await page.goto(`${siteUrl}/portal/`);
  await page.getByRole('textbox', { name: 'Email' }).fill(email);
  await page.getByLabel('Password').fill(PORTAL_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My tickets' }).waitFor();
}

/** A call to the chat server's admin API with the sync key, as a helpdesk's sync job makes. */
export async function admin(stack, method, path, body) {
  const response = await fetch(`${stack.serverUrl}/api/admin/${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_API_KEY}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} /api/admin/${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe on the page (or only on what `include` selects) and adds each violation's rule,
 * impact, help and the elements it names to `found` (the test fails at its end with all of
 * them, so one run shows every screen's). Evaluated through the DevTools protocol, so
 * the console's CSP (scripts from 'self' only) does not stand in the way, and open shadow
 * roots (the widget's) are audited like the document.
 */
export async function audit(found, page, name, { include } = {}) {
  await screenshot(page, `a11y-${name}`);
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async (include) => {
    const context = include ? { include: [include] } : document;
    const result = await window.axe.run(context, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary.replace(/\s+/g, ' ')}`),
    }));
  }, include);
  for (const v of violations) {
    found.push(`${name}: ${v.id} (${v.impact}): ${v.help}\n    ${v.targets.join('\n    ')}`);
  }
}

/** Counts the loader's chimes in `window.chimes` (each is one Web Audio oscillator). */
export async function countChimes(page) {
  await page.addInitScript(() => {
    window.chimes = 0;
    const make = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      window.chimes++;
      return make.call(this);
    };
  });
}

/** Waits until `locator`'s element runs no animation or transition (an opening window, a hover). */
export async function settled(locator) {
  await locator.waitFor();
  await eventually('animations to finish', () => locator.evaluate((el) => el.getAnimations().length === 0));
}
