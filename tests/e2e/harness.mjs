// The end-to-end harness: starts the real chat server and the demo shop on two different
// origins, launches Debian's headless Chromium through playwright-core, and cleans up.
//
// Binaries and assets come from the environment `cargo xtask test` sets:
//   LIVECHAT_SERVER_BIN, DEMO_SITE_BIN, LIVECHAT_DIST, CHROMIUM.
// Every test gets a fresh server and data directory, so tests never share state.

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = join(here, 'artifacts');
export const PASSWORD = 'e2e-demo-password';

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
    setTimeout(() => proc.child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * The whole stack: chat server on http://127.0.0.1:<p1>, shop on http://localhost:<p2>
 * (different host and port: a genuinely different origin), and one Chromium.
 */
export async function startStack() {
  await mkdir(ARTIFACTS, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), 'livechat-e2e-'));
  const sitePort = await freePort();
  const siteUrl = `http://localhost:${sitePort}`;
  const serverArgs = (listen) => [
    '--listen', listen,
    '--data-dir', dataDir,
    '--assets-dir', required('LIVECHAT_DIST'),
    '--allowed-origins', siteUrl,
  ];
  const serverEnv = { LIVECHAT_DEMO_PASSWORD: PASSWORD, RUST_LOG: process.env.RUST_LOG ?? 'info' };
  let server = await startProcess('server', required('LIVECHAT_SERVER_BIN'), serverArgs('127.0.0.1:0'), serverEnv);
  const site = await startProcess('demo-site', required('DEMO_SITE_BIN'), [
    '--listen', `127.0.0.1:${sitePort}`,
    '--server-url', server.url,
  ]);
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
    /** A fresh browser context (its own storage: a different person) with error tracking. */
    async person(label) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(`${label}: ${err.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error') console.log(`[${label} console] ${msg.text()}`);
      });
      return { context, page };
    },
    /**
     * Kill the chat server without warning (SIGKILL: no graceful close, no flush beyond what
     * it already committed) and start it again on the same port and data directory, as a
     * crash followed by a supervisor restart would.
     */
    async crashAndRestartServer() {
      const { host } = new URL(server.url);
      await new Promise((resolve) => {
        server.child.removeAllListeners('exit');
        server.child.once('exit', resolve);
        server.child.kill('SIGKILL');
      });
      server = await startProcess('server', required('LIVECHAT_SERVER_BIN'), serverArgs(host), serverEnv);
    },
    async stop() {
      await browser.close().catch(() => {});
      await stopProcess(site);
      await stopProcess(server);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Poll until `check()` is truthy (for states a locator cannot wait on, like `disabled`). */
export async function eventually(what, check, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
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

/** A visitor on the shop opens the widget, gives a name and sends a first message. */
export async function visitorStartsChat(page, siteUrl, name, firstMessage) {
  await page.goto(`${siteUrl}/`);
  await page.getByRole('button', { name: 'Open chat' }).click();
  const chat = page.getByRole('dialog', { name: 'Live chat' });
  await chat.getByRole('textbox', { name: 'Your name' }).fill(name);
  await chat.getByRole('button', { name: 'Start chat' }).click();
  await chat.getByRole('textbox', { name: 'Message' }).fill(firstMessage);
  await chat.getByRole('button', { name: 'Send' }).click();
  const log = chat.getByRole('log', { name: 'Messages' });
  await log.getByText(firstMessage, { exact: true }).waitFor();
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
