// run.mjs: browser tests of client-app's web UI. Starts a throwaway trio of
// the real daemons (client-app, ticket-app, payment-app from the build
// folder) on free ports against fresh databases on the test PostgreSQL
// (TEST_PGHOST, TEST_PGPORT, TEST_PGUSER), then drives Debian's chromium
// through playwright-core, as a person would, in these scenarios:
//   1. a user registers, selects seats (held for selection, a countdown),
//      checks out (the payment window's countdown), pays on the payment page, sees CONFIRMED
//      appear by itself and downloads the ticket (a PDF), on a phone screen;
//   2. a taken seat cannot be booked and offers the waitlist;
//   3. an admin creates an event (layout, poster) that then appears for users;
//   4. the seat map by venue: the seeded train drawn as carriages in order,
//      each button showing its seat's own label ("5A" of BIS1-5A) with an
//      aisle between B and C; a hall with its stage and rows in their real
//      order (Z before AA); an event with seats only on hold is not "Sold
//      out"; no poster is asked for where an event has none (no 404);
//   5. the gate: staff pick the event on the scanner page, a typed code is
//      ADMITTED (green, seat and name), the same code again is refused (red),
//      another event's ticket is WRONG EVENT.
// With SCREENSHOT_DIR set it also loads the demo seeds and saves the
// screenshots of docs/screenshots/ there; with REVIEW_DIR set it saves a
// screenshot at each step worth a look. A failing scenario saves a
// screenshot of every open page, and the daemons' logs, to a folder of the
// system's temp folder and prints its path.
//
// Usage: node run.mjs [--repo SRC] --client BIN --ticket BIN --payment BIN [--only 1,3]
// Exit: 0 all passed, 1 a failure, 77 skipped (no PostgreSQL or chromium).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIP = 77;
const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name, env) {
  const i = process.argv.indexOf('--' + name);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  return process.env[env] || null;
}

// run.sh runs a copy of this file in the build tree: --repo names the source
const repo = path.resolve(arg('repo', 'REPO_ROOT') || path.join(here, '..', '..'));

const bins = {
  client: arg('client', 'CLIENT_APP_BIN'),
  ticket: arg('ticket', 'TICKET_APP_BIN'),
  payment: arg('payment', 'PAYMENT_APP_BIN'),
};
const chromiumPath = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const screenshotDir = process.env.SCREENSHOT_DIR ? path.resolve(process.env.SCREENSHOT_DIR) : null;
const only = arg('only', 'BROWSER_ONLY'); // e.g. "1,3"
// REVIEW_DIR: also save a screenshot at each step worth looking at
const reviewDir = process.env.REVIEW_DIR ? path.resolve(process.env.REVIEW_DIR) : null;

if (!process.env.TEST_PGHOST || !process.env.TEST_PGPORT) {
  console.log('browser tests skipped: TEST_PGHOST/TEST_PGPORT not set');
  process.exit(SKIP);
}
if (!fs.existsSync(chromiumPath)) {
  console.log(`browser tests skipped: no chromium at ${chromiumPath}`);
  process.exit(SKIP);
}
for (const [k, v] of Object.entries(bins)) {
  if (!v || !fs.existsSync(v)) {
    console.error(`missing ${k}-app binary (--${k}): ${v}`);
    process.exit(1);
  }
}

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error('playwright-core is not installed: run npm ci in tests/browser');
  process.exit(1);
}

const tmp = fs.mkdtempSync(path.join(process.env.TEST_TMPDIR || os.tmpdir(), 'browser-test-'));
// failures go to the system's temp folder: TEST_TMPDIR is removed when
// make test ends, and the screenshots must outlive it
let failDir = null;
const daemons = [];
const databases = [];

// ---------- PostgreSQL ----------

const pgEnv = {
  ...process.env,
  PGHOST: process.env.TEST_PGHOST,
  PGPORT: process.env.TEST_PGPORT,
  ...(process.env.TEST_PGUSER ? { PGUSER: process.env.TEST_PGUSER } : {}),
};

function psql(db, args) {
  const r = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db, ...args], {
    env: pgEnv,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`psql ${args.join(' ')}: ${r.stderr || r.error}`);
  return r.stdout;
}

function dbUri(name) {
  const user = process.env.TEST_PGUSER ? encodeURIComponent(process.env.TEST_PGUSER) + '@' : '';
  return `postgresql://${user}${encodeURIComponent(process.env.TEST_PGHOST)}:${encodeURIComponent(
    process.env.TEST_PGPORT,
  )}/${name}`;
}

function createDb(prefix) {
  const name = `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
  psql('postgres', ['-c', `CREATE DATABASE ${name}`]);
  databases.push(name);
  return dbUri(name);
}

// ---------- daemons ----------

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startDaemon(name, bin, env) {
  const log = path.join(tmp, `${name}.log`);
  const out = fs.openSync(log, 'a');
  const child = spawn(bin, [], { env: { ...process.env, LOG_LEVEL: 'info', ...env }, stdio: ['ignore', out, out] });
  const d = { name, child, log, exited: null };
  child.on('exit', (code, sig) => {
    d.exited = sig || code;
  });
  daemons.push(d);
  const port = env.CLIENT_APP_PORT || env.TICKET_APP_PORT || env.PAYMENT_APP_PORT;
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    if (d.exited !== null) break;
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) return d;
    } catch (e) {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${name} did not become healthy; log:\n${fs.readFileSync(log, 'utf8').slice(-3000)}`);
}

async function stopAll() {
  for (const d of daemons.reverse()) {
    if (d.exited !== null) continue;
    d.child.kill('SIGTERM');
    for (let i = 0; i < 100 && d.exited === null; i++) await sleep(100);
    if (d.exited === null) d.child.kill('SIGKILL');
  }
}

const ADMIN_TOKEN = 'browser-ticket-admin-' + crypto.randomBytes(8).toString('hex');
const SERVICE_TOKEN = 'browser-ticket-service-' + crypto.randomBytes(8).toString('hex');
const PAY_TOKEN = 'browser-payment-service-' + crypto.randomBytes(8).toString('hex');
const ADMIN_PASSWORD = 'browser-admin-' + crypto.randomBytes(8).toString('hex');
// known to the tests so the gate scenario can write a ticket's code
const CODE_SECRET = 'browser-code-' + crypto.randomBytes(8).toString('hex');

async function startTrio() {
  const [cport, tport, pport] = [await freePort(), await freePort(), await freePort()];
  const cdb = createDb('browser_client');
  const tdb = createDb('browser_ticket');
  const pdb = createDb('browser_pay');
  const notifySecret = crypto.randomBytes(16).toString('hex');
  const webhookSecret = crypto.randomBytes(16).toString('hex');
  const common = { DB_POOL_SIZE: '4', HTTP_WORKERS: '4' };
  await startDaemon('payment-app', bins.payment, {
    ...common,
    DATABASE_URL: pdb,
    PAYMENT_APP_PORT: String(pport),
    WEBHOOK_URL: `http://127.0.0.1:${tport}/webhooks/payment`,
    PAYMENT_PUBLIC_URL: `http://127.0.0.1:${pport}`,
    WEBHOOK_SECRET: webhookSecret,
    PAYMENT_SERVICE_TOKEN: PAY_TOKEN,
    PAYMENT_FAILURE_RATE: '0',
    PAYMENT_DELAY_MS: '0',
    WEBHOOK_RETRY_BASE_MS: '100',
  });
  await startDaemon('ticket-app', bins.ticket, {
    ...common,
    DATABASE_URL: tdb,
    TICKET_APP_PORT: String(tport),
    PAYMENT_APP_URL: `http://127.0.0.1:${pport}`,
    NOTIFY_URL: `http://127.0.0.1:${cport}/internal/notifications`,
    TICKET_ADMIN_TOKEN: ADMIN_TOKEN,
    TICKET_SERVICE_TOKEN: SERVICE_TOKEN,
    PAYMENT_SERVICE_TOKEN: PAY_TOKEN,
    WEBHOOK_SECRET: webhookSecret,
    NOTIFY_SECRET: notifySecret,
    TICKET_CODE_SECRET: CODE_SECRET,
    ORGANIZER_FAILURE_RATE: '0',
    NOTIFY_RETRY_BASE_MS: '100',
  });
  await startDaemon('client-app', bins.client, {
    ...common,
    DATABASE_URL: cdb,
    CLIENT_APP_PORT: String(cport),
    TICKET_APP_URL: `http://127.0.0.1:${tport}`,
    TICKET_SERVICE_TOKEN: SERVICE_TOKEN,
    TICKET_ADMIN_TOKEN: ADMIN_TOKEN,
    NOTIFY_SECRET: notifySecret,
    ADMIN_PASSWORD,
    RATE_LIMIT_PER_MINUTE: '0',
    WEB_ROOT: path.join(repo, 'client-app', 'web'),
  });
  return {
    C: `http://127.0.0.1:${cport}`,
    T: `http://127.0.0.1:${tport}`,
    P: `http://127.0.0.1:${pport}`,
    cdb,
    tdb,
  };
}

// ---------- API shortcuts (set-up only; the scenarios use the UI) ----------

async function call(base, method, p, { token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  return { status: r.status, json, text };
}

function expect(cond, what) {
  if (!cond) throw new Error(`expected: ${what}`);
}

async function createEvent(env, name, sections, extra = {}) {
  const r = await call(env.T, 'POST', '/api/events', {
    token: ADMIN_TOKEN,
    body: {
      name,
      venue: 'Test Hall',
      starts_at: new Date(Date.now() + 20 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z'),
      description: 'created by the browser tests',
      currency: 'IDR',
      layout: { sections },
      ...extra,
    },
  });
  expect(r.status === 201, `event created (got ${r.status} ${r.text})`);
  return r.json;
}

async function apiUser(env, username) {
  const password = 'pw-' + crypto.randomBytes(6).toString('hex');
  const u = await call(env.C, 'POST', '/api/users', {
    body: { username, email: `${username}@example.test`, password },
  });
  expect(u.status === 201, `user ${username} created (got ${u.status} ${u.text})`);
  const s = await call(env.C, 'POST', '/api/sessions', { body: { login: username, password } });
  expect(s.status === 201, `user ${username} logged in`);
  return { username, password, token: s.json.token, id: u.json.id };
}

async function seatIds(env, eventId, labels) {
  const r = await call(env.C, 'GET', `/api/events/${eventId}/seats`);
  const by = Object.fromEntries(r.json.items.map((s) => [s.label, s.id]));
  return labels.map((l) => {
    expect(by[l], `seat ${l} exists`);
    return by[l];
  });
}

async function apiBook(env, user, eventId, labels) {
  const ids = await seatIds(env, eventId, labels);
  return call(env.C, 'POST', '/api/bookings', { token: user.token, body: { event_id: eventId, seat_ids: ids } });
}

// ---------- browser ----------

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function launch(viewport) {
  const profile = fs.mkdtempSync(path.join(tmp, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: true,
    locale: 'en-GB',
    timezoneId: 'Asia/Jakarta',
  });
  context.setDefaultTimeout(15000);
  const errors = [];
  context.on('page', (p) => watch(p, errors));
  for (const p of context.pages()) watch(p, errors);
  return { context, errors };
}

function watch(page, errors) {
  page.on('pageerror', (e) => errors.push(`page error on ${page.url()}: ${e.message}`));
}

async function newPage(ctx) {
  const pages = ctx.context.pages();
  // a fresh persistent context opens with one blank tab: use it first
  if (pages.length === 1 && pages[0].url() === 'about:blank' && !pages[0]._used) {
    pages[0]._used = true;
    return pages[0];
  }
  return ctx.context.newPage();
}

function failureDir() {
  if (!failDir) failDir = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-failures-'));
  return failDir;
}

async function saveFailure(ctx, name) {
  failureDir();
  const saved = [];
  for (const [i, p] of (ctx ? ctx.context.pages() : []).entries()) {
    const file = path.join(failDir, `${name}-${i}.png`);
    try {
      await p.screenshot({ path: file, fullPage: true, timeout: 5000 });
      saved.push(`${file} (${p.url()})`);
    } catch (e) {
      /* a closed page */
    }
  }
  return saved;
}

async function review(page, name) {
  if (!reviewDir) return;
  fs.mkdirSync(reviewDir, { recursive: true });
  await page.screenshot({ path: path.join(reviewDir, `${name}.png`), fullPage: true });
}

async function alertText(page) {
  const loc = page.locator('[role=alert]:visible');
  return (await loc.allTextContents()).join(' | ');
}

async function uiLogin(page, base, login, password) {
  await page.goto(base + '/#/login');
  await page.fill('#login-form input[name=login]', login);
  await page.fill('#login-form input[name=password]', password);
  await page.click('#login-form button[type=submit]');
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
}

async function openEvent(page, base, name) {
  await page.goto(base + '/#/events');
  const card = page.locator('article.event', { hasText: name });
  await card.waitFor();
  await card.getByRole('link', { name: 'Choose seats' }).click();
  await page.waitForSelector('#seatmap button.seat[data-status]');
}

function seat(page, label) {
  return page.locator(`#seatmap button.seat[data-label="${label}"]`);
}

// A small real PNG (a screenshot of a styled box), for poster uploads.
async function makePoster(context, title, type = 'png') {
  const p = await context.newPage();
  p._used = true;
  await p.setViewportSize({ width: 480, height: 270 });
  await p.setContent(
    '<body style="margin:0;background:linear-gradient(135deg,#1e3a8a,#db2777);height:270px;display:flex;' +
      'align-items:center;justify-content:center;font:700 34px sans-serif;color:#fff"><div id=t></div></body>',
  );
  await p.evaluate((t) => {
    document.getElementById('t').textContent = t;
  }, title);
  const img = await p.screenshot(type === 'jpeg' ? { type, quality: 80 } : { type });
  await p.close();
  return img;
}

// ---------- scenarios ----------

async function scenarioBookAndPay(env) {
  const ctx = await launch({ width: 390, height: 844 }); // a phone
  try {
    const ev = await createEvent(env, 'Browser Concert', [{ name: 'Floor', rows: ['A', 'B'], seats_per_row: 8, price: 250000 }]);
    const page = await newPage(ctx);
    const username = 'pat' + crypto.randomBytes(3).toString('hex');
    const password = 'correct-horse-battery';

    // a wrong password is answered in words
    await page.goto(env.C + '/#/login');
    await page.fill('#login-form input[name=login]', username);
    await page.fill('#login-form input[name=password]', 'wrong-password');
    await page.click('#login-form button[type=submit]');
    await page.locator('#login-form [role=alert]').waitFor();
    const loginErr = await alertText(page);
    await review(page, '1-login-error');
    expect(/invalid|incorrect|wrong/i.test(loginErr), `a login error in words (got "${loginErr}")`);

    // register (logs in too) and land on the events
    await page.goto(env.C + '/#/register');
    await page.fill('#register-form input[name=username]', username);
    await page.fill('#register-form input[name=email]', `${username}@example.test`);
    await page.fill('#register-form input[name=full_name]', 'Pat <b>Browser</b>');
    await page.fill('#register-form input[name=password]', password);
    await page.click('#register-form button[type=submit]');
    await page.waitForFunction(() => location.hash === '#/events');
    expect((await page.textContent('#who')) === username, 'the user name in the header');

    await openEvent(page, env.C, 'Browser Concert');
    expect((await seat(page, 'A-1').getAttribute('data-status')) === 'OPEN', 'seat A-1 is OPEN');
    await seat(page, 'A-1').click();
    await seat(page, 'A-2').click();
    expect((await page.textContent('#selected-seats')) === 'A-1, A-2', 'two seats selected');
    expect((await page.textContent('#selected-total')).includes('IDR 500,000'), 'the total shown');
    await page.click('#book');
    await page.waitForFunction(() => location.hash.startsWith('#/bookings/'));
    // two phases: the seats are locked for the buyer with a countdown, then
    // Checkout opens the payment with the payment window's countdown
    await page.waitForSelector('#booking-status [data-status=HELD]');
    const lock = await page.textContent('#selection-countdown');
    expect(/^[0-9]+:[0-5][0-9]$/.test(lock), `the selection lock's countdown (got "${lock}")`);
    await review(page, '1-booking-held');
    await page.click('#checkout');
    await page.waitForSelector('#booking-status [data-status=PENDING_PAYMENT]');
    const win = await page.textContent('#payment-countdown');
    expect(/^[0-9]+:[0-5][0-9]$/.test(win), `the payment window's countdown (got "${win}")`);
    const bookingId = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
    await review(page, '1-booking-pending');

    // pay on payment-app's page, in the tab the link opens
    const [payPage] = await Promise.all([ctx.context.waitForEvent('page'), page.click('#pay-link')]);
    await payPage.waitForLoadState('domcontentloaded');
    expect(payPage.url().startsWith(env.P + '/pay/'), `the payment page opened (${payPage.url()})`);
    await review(payPage, '1-pay-page');
    await payPage.click('#paybtn');
    await payPage.waitForFunction(() => document.getElementById('current').textContent === 'PAID', null, {
      timeout: 20000,
    });
    await payPage.close();

    // back on the booking: CONFIRMED arrives by itself (no reload, no click)
    await page.bringToFront();
    await page.waitForSelector('#booking-status [data-status=CONFIRMED]', { timeout: 30000 });
    expect((await page.textContent('#booking-seats')) === 'A-1, A-2', 'the seats on the booking');
    expect(!/seats are held/.test(await page.textContent('main')), 'the "seats are held" notice gone once confirmed');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-ticket')]);
    const file = await download.path();
    const head = fs.readFileSync(file).subarray(0, 5).toString('latin1');
    expect(head === '%PDF-', `the ticket is a PDF (starts with ${JSON.stringify(head)})`);
    expect(download.suggestedFilename() === `ticket-${bookingId}.pdf`, 'the PDF file name');

    // the list shows it too, and the seats are booked on the map
    await page.click('nav a[data-nav=bookings]');
    await page.waitForSelector(`article.booking[data-booking-id="${bookingId}"] [data-status=CONFIRMED]`);
    await openEvent(page, env.C, 'Browser Concert');
    await page.waitForSelector('#seatmap button.seat[data-label="A-1"][data-status=BOOKED]');

    // cancel it (asked twice): CANCELLED, and the seats open again
    await page.goto(`${env.C}/#/bookings/${bookingId}`);
    await page.click('#cancel-booking');
    await page.click('#confirm-cancel');
    await page.waitForSelector('#booking-status [data-status=CANCELLED]');
    await openEvent(page, env.C, 'Browser Concert');
    await page.waitForSelector('#seatmap button.seat[data-label="A-1"][data-status=OPEN]');
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx, event: ev };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

async function scenarioTakenSeat(env) {
  const ctx = await launch({ width: 1024, height: 900 });
  try {
    const ev = await createEvent(env, 'Browser Theatre', [{ name: 'Stalls', rows: ['A'], seats_per_row: 6, price: 100000 }]);
    const alice = await apiUser(env, 'al' + crypto.randomBytes(3).toString('hex'));
    const bob = await apiUser(env, 'bo' + crypto.randomBytes(3).toString('hex'));
    const held = await apiBook(env, alice, ev.id, ['A-1']);
    expect(held.status === 201, `alice holds A-1 (got ${held.status} ${held.text})`);

    const page = await newPage(ctx);
    await uiLogin(page, env.C, bob.username, bob.password);
    await openEvent(page, env.C, 'Browser Theatre');
    await page.waitForSelector('#seatmap button.seat[data-label="A-1"][data-status=ON_GOING]');

    // a taken seat is not selectable and offers the waitlist instead
    await seat(page, 'A-1').click();
    await page.waitForSelector('#taken-panel:visible');
    expect((await page.textContent('#selected-seats')) === 'none', 'nothing selected');
    expect(await page.isDisabled('#book'), 'Book is disabled');
    expect((await page.textContent('#taken-panel')).includes('A-1 is on hold'), 'the panel names the seat');
    await review(page, '2-taken-seat');

    // a seat taken between choosing and booking is refused in words
    await seat(page, 'A-3').click();
    expect((await page.textContent('#selected-seats')) === 'A-3', 'A-3 selected');
    const race = await apiBook(env, alice, ev.id, ['A-3']);
    expect(race.status === 201, 'alice takes A-3 meanwhile');
    let refusedBy409 = false;
    try {
      await page.click('#book', { timeout: 2000 });
      refusedBy409 = true;
    } catch (e) {
      /* the map refreshed first and dropped A-3 from the selection */
    }
    await page.waitForSelector('#selection [role=alert]');
    const refusal = await page.textContent('#selection [role=alert]');
    expect(
      refusedBy409 ? /taken|unavailable|not available/i.test(refusal) : /No longer available.*A-3/.test(refusal),
      `the refusal in words (got "${refusal}")`,
    );
    await page.waitForSelector('#seatmap button.seat[data-label="A-3"][data-status=ON_GOING]');
    if (refusedBy409) {
      await page.click('nav a[data-nav=bookings]');
      await page.waitForSelector('article.booking [data-status=FAILED]');
      const text = await page.textContent('#booking-list');
      expect(text.includes('SEAT_UNAVAILABLE'), 'the failed attempt with its reason in My bookings');
      await review(page, '2-bookings-failed');
      await openEvent(page, env.C, 'Browser Theatre');
    }

    // join the waitlist of A-1 and see the position
    await seat(page, 'A-1').click();
    await page.click('#join-waitlist');
    await page.waitForSelector('#waitlist-position');
    const pos = await page.textContent('#waitlist-position');
    expect(/position 1\b/.test(pos), `position 1 on the waitlist (got "${pos}")`);
    await page.waitForSelector('#seatmap button.seat[data-label="A-1"].waiting');

    await page.click('nav a[data-nav=waitlist]');
    const entry = page.locator('article.wait[data-status=WAITING]');
    await entry.waitFor();
    await page.waitForFunction(() => {
      const e = document.querySelector('article.wait .seat-label');
      return e && e.textContent === 'A-1';
    });
    expect((await entry.textContent()).includes('position 1 in line'), 'the position on the waitlist page');
    expect((await entry.textContent()).includes('Browser Theatre'), 'the event name on the waitlist page');
    await review(page, '2-waitlist');
    await entry.getByRole('button', { name: 'Leave waitlist' }).click();
    await page.waitForFunction(() => !document.querySelector('article.wait[data-status=WAITING]'));
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

async function scenarioAdminCreates(env) {
  const ctx = await launch({ width: 1280, height: 900 });
  try {
    const page = await newPage(ctx);
    const name = 'Browser Gala ' + crypto.randomBytes(2).toString('hex');
    const doomed = await createEvent(env, 'Browser Cancelled Show', [{ name: 'Pit', rows: ['A'], seats_per_row: 2, price: 1 }]);
    await uiLogin(page, env.C, 'admin', ADMIN_PASSWORD);
    await page.waitForSelector('nav a[data-nav=admin]:visible');
    await page.click('nav a[data-nav=admin]');
    await page.getByRole('link', { name: 'New event' }).click();
    await page.waitForSelector('#event-form');

    // a bad layout is refused in words (no seats per row)
    await page.fill('#event-form input[name=name]', name);
    await page.fill('#event-form input[name=venue]', 'Grand Ballroom');
    await page.fill('#event-form input[name=starts_at]', '2031-03-14T19:30');
    await page.fill('#event-form textarea[name=description]', 'A <script>alert(1)</script> gala night');
    await page.fill('#sections fieldset:nth-child(1) .sec-rows', 'A-C');
    await page.fill('#sections fieldset:nth-child(1) .sec-seats', '10');
    await page.fill('#sections fieldset:nth-child(1) .sec-price', '150000');
    await page.click('#add-section');
    await page.fill('#sections fieldset:nth-child(2) .sec-name', 'Balcony');
    await page.fill('#sections fieldset:nth-child(2) .sec-rows', 'D, E');
    await page.fill('#sections fieldset:nth-child(2) .sec-seats', '8');
    await page.fill('#sections fieldset:nth-child(2) .sec-price', '90000');
    expect((await page.textContent('#layout-total')).startsWith('46 seats'), 'the layout total');
    const poster = await makePoster(ctx.context, name);
    await page.setInputFiles('#event-form input[type=file]', { name: 'poster.png', mimeType: 'image/png', buffer: poster });
    await review(page, '3-new-event-form');
    await page.click('#create-event');
    await page.waitForFunction(() => location.hash === '#/admin');
    const note = await page.textContent('main .msg.ok');
    expect(note.includes('created with 46 seats'), `the creation notice (got "${note}")`);
    const row = page.locator('#admin-events tr', { hasText: name });
    await row.waitFor();

    // statistics of the new event
    await row.getByRole('link', { name: 'Statistics' }).click();
    await page.waitForSelector('[data-stat=booked]');
    expect((await page.textContent('[data-stat=booked]')).includes('0 / 46'), 'no seat booked yet');
    expect((await page.textContent('[data-stat=open]')).includes('46'), '46 seats open');

    // edit the venue
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForSelector('#poster-file');
    await page.fill('#edit-form input[name=venue]', 'Grand Ballroom, East Wing');
    await page.click('#save-event');
    await page.waitForFunction(() => /Saved\./.test(document.querySelector('#edit-form').textContent));

    // a text file named .png is refused as a poster, in words
    await page.setInputFiles('#poster-file', { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not a picture\n') });
    await page.click('#upload-poster');
    await page.waitForFunction(() => /Poster refused/.test(document.body.textContent));
    const refused = await alertText(page);
    expect(/PNG or JPEG/.test(refused), `the poster refusal in words (got "${refused}")`);
    // a real JPEG (Chromium's encoder) replaces the PNG
    const jpeg = await makePoster(ctx.context, name, 'jpeg');
    await page.setInputFiles('#poster-file', { name: 'poster.jpg', mimeType: 'image/jpeg', buffer: jpeg });
    await page.click('#upload-poster');
    await page.waitForFunction(() => /Poster saved \(image\/jpeg, 480×270/.test(document.body.textContent));
    await review(page, '3-edit-event');

    // the users list
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForSelector('#users tbody tr');
    expect((await page.textContent('#users')).includes('admin'), 'the admin in the users list');
    await review(page, '3-users');

    // delete an event (asked twice): gone from the list
    await page.locator('nav.tabs a', { hasText: 'Events' }).click();
    await page.locator(`#admin-events tr[data-event-id="${doomed.id}"]`).getByRole('link', { name: 'Edit' }).click();
    await page.click('#delete-event');
    await page.click('#delete-event');
    await page.waitForFunction(() => location.hash === '#/admin');
    await page.waitForSelector('#admin-events tbody tr');
    expect((await page.textContent('main .msg.ok')).includes('deleted'), 'the deletion notice');
    expect((await page.locator(`#admin-events tr[data-event-id="${doomed.id}"]`).count()) === 0, 'the event gone');

    // log out: the event is there for everyone, with its poster and seats
    await page.click('#logout');
    await page.waitForSelector('nav a[data-nav=login]:visible');
    await page.goto(env.C + '/#/events');
    const card = page.locator('article.event', { hasText: name });
    await card.waitFor();
    expect((await card.textContent()).includes('46 of 46 seats open'), 'availability on the card');
    expect((await card.textContent()).includes('East Wing'), 'the edited venue on the card');
    await review(page, '3-events-list');
    await card.locator('img.poster').waitFor();
    await page.waitForFunction((n) => {
      const c = [...document.querySelectorAll('article.event')].find((a) => a.textContent.includes(n));
      const img = c && c.querySelector('img.poster');
      return img && img.complete && img.naturalWidth === 480;
    }, name);
    await card.getByRole('link', { name: 'Choose seats' }).click();
    await page.waitForSelector('#seatmap section[data-section=Balcony] button.seat[data-label="E-8"]');
    expect((await page.locator('#seatmap button.seat').count()) === 46, '46 seats on the map');
    // the description is text, not markup
    expect((await page.textContent('.event-head .desc')).includes('<script>'), 'the description shown as text');
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

// Events' life in the UI: times in the venue's zone (not the browser's),
// only events to come with seats listed, "sales open at" for a scheduled
// one, a draft published and an event cancelled from the admin's list.
async function scenarioEventLife(env) {
  const pit = [{ name: 'Pit', rows: ['A'], seats_per_row: 2, price: 1000 }];
  const tag = crypto.randomBytes(2).toString('hex');
  const ny = await createEvent(env, 'Browser NY Night ' + tag, pit, { starts_at: '2031-07-04T23:30:00Z', timezone: 'America/New_York' });
  const soon = new Date(Date.now() + 5 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z');
  const sched = await createEvent(env, 'Browser Later Sale ' + tag, pit, { sales_start_at: soon, timezone: 'Asia/Jakarta' });
  const past = await createEvent(env, 'Browser Past Show ' + tag, pit, { starts_at: '2020-01-01T12:00:00Z' });
  const seatless = await createEvent(env, 'Browser Seatless ' + tag, [], { layout: undefined });
  const draft = await createEvent(env, 'Browser Draft ' + tag, pit, { publish: false });
  const ctx = await launch({ width: 1280, height: 900 });
  try {
    const page = await newPage(ctx);
    page.on('dialog', (d) => d.accept()); // the cancel confirmation
    await page.goto(env.C + '/#/events');
    const card = page.locator('article.event', { hasText: ny.name });
    await card.waitFor();
    const nyText = await card.textContent();
    expect(nyText.includes('19:30') && nyText.includes('(America/New_York)'), `New York time with its zone (got "${nyText}")`);
    expect(!nyText.includes('06:30'), `not the browser's Jakarta time (got "${nyText}")`);
    const sCard = page.locator('article.event', { hasText: sched.name });
    const sText = await sCard.textContent();
    expect(/Sales open at/.test(sText), `a scheduled event says when sales open (got "${sText}")`);
    expect((await sCard.getByRole('link', { name: 'Choose seats' }).count()) === 0, 'no seat choice before sales open');
    const listText = await page.textContent('#event-list');
    expect(!listText.includes(past.name), 'a past event is not for sale');
    expect(!listText.includes(seatless.name), 'an event without seats is not for sale');
    expect(!listText.includes(draft.name), 'a draft is not shown');

    // the admin publishes the draft and cancels the New York night
    await uiLogin(page, env.C, 'admin', ADMIN_PASSWORD);
    await page.goto(env.C + '/#/admin');
    const drow = page.locator(`#admin-events tr[data-event-id="${draft.id}"]`);
    await drow.waitFor();
    expect((await drow.textContent()).includes('Draft'), 'the draft marked in the admin list');
    await drow.getByRole('button', { name: 'Publish' }).click();
    await page.locator(`#admin-events tr[data-event-id="${draft.id}"] .ev-status[data-status=ON_SALE]`).waitFor();
    expect((await page.textContent('main .msg.ok')).includes('published'), 'the publication notice');
    const nyrow = page.locator(`#admin-events tr[data-event-id="${ny.id}"]`);
    await nyrow.getByRole('button', { name: 'Cancel event' }).click();
    await page.locator(`#admin-events tr[data-event-id="${ny.id}"] .ev-status[data-status=CANCELLED]`).waitFor();
    expect((await page.textContent('main .msg.ok')).includes('cancelled'), 'the cancellation notice');

    await page.click('#logout');
    await page.waitForSelector('nav a[data-nav=login]:visible');
    await page.goto(env.C + '/#/events');
    await page.locator('article.event', { hasText: draft.name }).waitFor();
    expect(!(await page.textContent('#event-list')).includes(ny.name), 'the cancelled event left the list');
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

async function scenarioSeatMapByVenue(env) {
  psql(env.tdb.split('/').pop(), ['-f', path.join(repo, 'seeds', 'ticket.sql')]);
  const train = '5eed0000-0000-4000-8000-000000000004';
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');
  const hall = await createEvent(env, 'Browser Long Hall', [
    { name: 'Stalls', rows: ['B', 'AA', 'A', 'Z', 'AB'], seats_per_row: 3, price: 100000 },
    { name: 'Circle', rows: letters.slice(2, 4), seats_per_row: 2, price: 50000 },
  ]);
  const held = await createEvent(env, 'Browser Held Show', [{ name: 'Pit', rows: ['A'], seats_per_row: 2, price: 1000 }]);
  const holder = await apiUser(env, 'ho' + crypto.randomBytes(3).toString('hex'));
  expect((await apiBook(env, holder, held.id, ['A-1', 'A-2'])).status === 201, 'every seat of the held show on hold');

  const ctx = await launch({ width: 1280, height: 900 });
  try {
    const page = await newPage(ctx);
    const missing = [];
    page.on('response', (r) => {
      if (r.status() === 404) missing.push(r.url());
    });

    // the cards: no poster asked for, held apart from sold
    await page.goto(env.C + '/#/events');
    const card = page.locator('article.event', { hasText: 'Browser Held Show' });
    await card.waitFor();
    const cardText = await card.textContent();
    expect(!/Sold out/.test(cardText), `seats only on hold are not "Sold out" (got "${cardText}")`);
    expect(/2 on hold/.test(cardText), `the held seats counted (got "${cardText}")`);
    expect((await card.locator('img.poster').count()) === 0, 'no poster image where there is none');

    // the train: carriages in order, buttons showing the seat's own label
    await page.goto(`${env.C}/#/events/${train}`);
    await page.waitForSelector('#seatmap button.seat[data-label="BIS1-5A"][data-status]');
    const cars = await page.$$eval('#seatmap section[data-kind=car]', (els) => els.map((e) => e.dataset.car));
    expect(cars.join(',') === 'EKS1,EKS2,BIS1,EKO1,EKO2', `carriages in order (got ${cars.join(',')})`);
    expect((await page.locator('#seatmap section[data-kind=hall]').count()) === 0, 'no hall section on a train');
    expect((await page.locator('#seatmap .stage').count()) === 0, 'no stage on a train');
    expect(!/null/.test(await page.textContent('.event-head')), 'no "null" where a poster would be');
    expect((await seat(page, 'BIS1-5A').textContent()) === '5A', 'button of BIS1-5A shows 5A');
    const wrong = await page.$$eval('#seatmap button.seat', (bs) =>
      bs.filter((b) => b.textContent !== b.dataset.label.slice(b.dataset.label.indexOf('-') + 1)).map((b) => b.dataset.label),
    );
    expect(wrong.length === 0, `every button shows its label's seat (wrong: ${wrong.slice(0, 5).join(', ')})`);
    expect((await page.locator('#seatmap button.seat').count()) === 328, '328 train seats');
    // one column per seat row, A B | aisle | C D across it
    const box = async (l) => seat(page, l).boundingBox();
    const [a, b, c, d, a6] = [await box('BIS1-5A'), await box('BIS1-5B'), await box('BIS1-5C'), await box('BIS1-5D'), await box('BIS1-6A')];
    expect(Math.abs(a.x - d.x) < 1 && a.y < b.y && b.y < c.y && c.y < d.y, 'seats 5A-5D across one column');
    expect(c.y - b.y > (b.y - a.y) * 1.3, 'an aisle between B and C');
    expect(a6.x > a.x && Math.abs(a6.y - a.y) < 1, 'seat row 6 after row 5 along the car');
    const codes = await page.$$eval('#seatmap .car-code', (els) => els.map((e) => e.scrollWidth <= e.clientWidth + 1 && e.textContent));
    expect(codes.every(Boolean) && codes.length === 5, 'carriage codes shown whole');
    await review(page, '4-train');

    // a hall: the stage first, rows in their real order, names not cut
    await page.goto(`${env.C}/#/events/${hall.id}`);
    await page.waitForSelector('#seatmap button.seat[data-label="AB-3"][data-status]');
    expect((await page.locator('#seatmap > .stage').count()) === 1, 'a stage marker on a hall');
    const order = await page.$$eval('#seatmap section[data-kind=hall]', (secs) =>
      secs.map((s) => s.dataset.section + ':' + [...s.querySelectorAll('.row')].map((r) => r.dataset.row).join(',')),
    );
    expect(order.join(' ') === 'Stalls:A,B,Z,AA,AB Circle:C,D', `sections and rows in order (got ${order.join(' ')})`);
    expect((await seat(page, 'AA-2').textContent()) === '2', 'button of AA-2 shows 2');
    const cut = await page.$$eval('#seatmap .rowname', (els) => els.filter((e) => e.scrollWidth > e.clientWidth + 1).length);
    expect(cut === 0, 'no row name cut');
    await review(page, '4-hall');

    // the held show's own page says the same as its card
    await page.goto(`${env.C}/#/events/${held.id}`);
    await page.waitForSelector('#seatmap button.seat[data-label="A-1"][data-status=ON_GOING]');
    expect(!/Sold out/.test(await page.textContent('.event-head')), 'the event page is not "Sold out" either');
    expect(missing.length === 0, `no 404 (got ${missing.join(', ')})`);
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

// The screenshots of docs/screenshots/, on the demo seeds.
async function docsScreenshots(env) {
  psql(env.tdb.split('/').pop(), ['-f', path.join(repo, 'seeds', 'ticket.sql')]);
  psql(env.cdb.split('/').pop(), ['-f', path.join(repo, 'seeds', 'client.sql')]);
  const concert = '5eed0000-0000-4000-8000-000000000001';
  const login = async (u) => (await call(env.C, 'POST', '/api/sessions', { body: { login: u, password: 'demo-password' } })).json.token;
  const alice = { token: await login('alice') };
  const bob = { token: await login('bob') };
  const carol = { token: await login('carol') };
  const pay = async (b) => {
    const r = await call(env.P, 'POST', `/api/invoices/${b.json.payment.invoice_number}/pay`, { body: { method: 'card' } });
    expect(r.status === 202, 'paid');
  };
  // some seats sold, some held, so the map shows all three colours
  const sold = [['A-5', 'A-6', 'A-7'], ['D-10', 'D-11'], ['E-3', 'E-4', 'E-5', 'E-6'], ['K-12', 'K-13']];
  for (const [i, labels] of sold.entries()) {
    const b = await apiBook(env, i % 2 ? bob : carol, concert, labels);
    expect(b.status === 201, `seed booking ${labels} (${b.text})`);
    await pay(b);
  }
  for (const labels of [['B-8', 'B-9'], ['F-14']]) expect((await apiBook(env, bob, concert, labels)).status === 201, 'hold');
  const mine = await apiBook(env, alice, concert, ['C-9', 'C-10']);
  expect(mine.status === 201, 'alice books');
  await pay(mine);

  const ctx = await launch({ width: 1100, height: 900 });
  try {
    const page = await newPage(ctx);
    await uiLogin(page, env.C, 'alice', 'demo-password');
    await page.goto(`${env.C}/#/bookings/${mine.json.id}`);
    await page.waitForSelector('#booking-status [data-status=CONFIRMED]', { timeout: 30000 });
    await page.click('details.history summary');
    await page.setViewportSize({ width: 1100, height: 760 });
    await page.screenshot({ path: path.join(screenshotDir, 'booking-confirmed.png') });
    await page.setViewportSize({ width: 1100, height: 900 });

    await page.goto(`${env.C}/#/events/${concert}`);
    await page.waitForSelector('#seatmap button.seat[data-label="A-5"][data-status=BOOKED]');
    await seat(page, 'G-9').click();
    await seat(page, 'G-10').click();
    // tall enough for the whole map, so the sticky selection bar sits below it
    await page.setViewportSize({ width: 1100, height: 1300 });
    await page.screenshot({ path: path.join(screenshotDir, 'seat-map.png') });
    await page.setViewportSize({ width: 1100, height: 900 });

    await page.click('#logout');
    await page.waitForSelector('nav a[data-nav=login]:visible');
    await uiLogin(page, env.C, 'admin', ADMIN_PASSWORD);
    await page.goto(`${env.C}/#/admin/events/${concert}/stats`);
    await page.waitForSelector('[data-stat=revenue]');
    await page.waitForFunction(() => /Nusantara/.test(document.getElementById('stats-title').textContent));
    await page.screenshot({ path: path.join(screenshotDir, 'admin-stats.png') });

    const phone = await ctx.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${env.C}/#/events/${concert}`);
    await phone.waitForSelector('#seatmap button.seat[data-status=BOOKED]');
    await seat(phone, 'B-10').click();
    await seat(phone, 'B-11').click();
    await phone.screenshot({ path: path.join(screenshotDir, 'seat-map-phone.png') });
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

// ---------- main ----------

// The code printed as the QR code of a seat's ticket (ticket-app/src/ticket_code.h).
function ticketCode(bookingId, seatId) {
  const msg = `TK1.${bookingId}.${seatId}`;
  return `${msg}.${crypto.createHmac('sha256', CODE_SECRET).update(msg).digest('hex').slice(0, 32)}`;
}

// 5. The gate: staff pick the event, a typed code is ADMITTED in green with
// its seat and name; the same code again is refused in red; a ticket of
// another event is told WRONG EVENT.
async function scenarioGate(env) {
  const ctx = await launch({ width: 412, height: 915 }); // a phone at the door
  try {
    const ev = await createEvent(env, 'Gate Night', [{ name: 'Floor', rows: ['A'], seats_per_row: 4, price: 100000 }]);
    const other = await createEvent(env, 'Other Night', [{ name: 'Floor', rows: ['A'], seats_per_row: 2, price: 100000 }]);
    const guest = await apiUser(env, 'guest' + crypto.randomBytes(3).toString('hex'));
    await call(env.C, 'PATCH', `/api/users/${guest.id}`, { token: guest.token, body: { full_name: 'Rina Kusuma' } });
    guest.token = (await call(env.C, 'POST', '/api/sessions', { body: { login: guest.username, password: guest.password } })).json.token;
    const paid = async (eventId, label) => {
      const b = await apiBook(env, guest, eventId, [label]);
      expect(b.status === 201, `booked (got ${b.status} ${b.text})`);
      const inv = b.json.payment.invoice_number;
      const p = await call(env.P, 'POST', `/api/invoices/${inv}/pay`, { body: { method: 'card' } });
      expect(p.status === 202, `paid (got ${p.status})`);
      for (let i = 0; i < 100; i++) {
        const g = await call(env.C, 'GET', `/api/bookings/${b.json.id}`, { token: guest.token });
        if (g.json && g.json.status === 'CONFIRMED') return g.json;
        await sleep(100);
      }
      throw new Error('the booking never became CONFIRMED');
    };
    const b1 = await paid(ev.id, 'A-2');
    const b2 = await paid(other.id, 'A-1');
    const staff = await apiUser(env, 'gate' + crypto.randomBytes(3).toString('hex'));
    const admin = await call(env.C, 'POST', '/api/sessions', { body: { login: 'admin', password: ADMIN_PASSWORD } });
    const mk = await call(env.C, 'PATCH', `/api/users/${staff.id}`, { token: admin.json.token, body: { role: 'staff' } });
    expect(mk.status === 200, `staff role given (got ${mk.status} ${mk.text})`);

    const page = await newPage(ctx);
    await uiLogin(page, env.C, staff.username, staff.password);
    // staff see the gate and the inbox, not the booking pages
    expect(await page.locator('#nav a[data-nav=gate]').isVisible(), 'the Gate link is shown to staff');
    expect(!(await page.locator('#nav a[data-nav=bookings]').isVisible()), 'no My bookings for staff');
    await page.goto(env.C + '/#/gate');
    await page.waitForSelector(`#gate-event option[value="${ev.id}"]`, { state: 'attached' });
    await page.selectOption('#gate-event', ev.id);
    await page.waitForFunction(() => /0 in/.test(document.querySelector('#gate-counts').textContent));

    const code = ticketCode(b1.id, b1.seats[0].id);
    await page.fill('#ticket-code', code);
    await page.click('#check-in');
    await page.waitForSelector('#scan-result.ok');
    const okText = await page.locator('#scan-result').innerText();
    expect(/ADMITTED/.test(okText), `ADMITTED shown (got "${okText}")`);
    expect(/A-2/.test(okText) && /Rina Kusuma/.test(okText), `the seat and the name shown (got "${okText}")`);
    const green = await page.locator('#scan-result').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(green === 'rgb(21, 128, 61)', `green (got ${green})`);
    await page.waitForFunction(() => /^1 in/.test(document.querySelector('#gate-counts').textContent));
    if (screenshotDir) await page.screenshot({ path: path.join(screenshotDir, 'gate-admitted.png') });
    await review(page, '5-gate-admitted');

    // the same ticket again: refused
    await page.fill('#ticket-code', code);
    await page.click('#check-in');
    await page.waitForSelector('#scan-result.bad');
    const again = await page.locator('#scan-result').innerText();
    expect(/ALREADY CHECKED IN/.test(again), `second scan refused (got "${again}")`);
    const red = await page.locator('#scan-result').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(red === 'rgb(185, 28, 28)', `red (got ${red})`);
    if (screenshotDir) await page.screenshot({ path: path.join(screenshotDir, 'gate-refused.png') });
    await review(page, '5-gate-refused');

    // another event's ticket, pasted with the blanks a scanner adds
    await page.fill('#ticket-code', `  ${ticketCode(b2.id, b2.seats[0].id)}\n`);
    await page.click('#check-in');
    await page.waitForFunction(() => /WRONG EVENT/.test(document.querySelector('#scan-result').textContent));
    const wrong = await page.locator('#scan-result').innerText();
    expect(/Other Night/.test(wrong), `the ticket's event named (got "${wrong}")`);
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

// A sale behind a waiting room: the event list offers the line, the
// waiting page shows the place once sales open and moves on by itself to
// the seat map, which books with the pass; the admin's form and figures.
async function scenarioQueuedSale(env) {
  const ctx = await launch({ width: 1280, height: 900 });
  try {
    const admin = await call(env.C, 'POST', '/api/sessions', { body: { login: 'admin', password: ADMIN_PASSWORD } });
    expect(admin.status === 201, 'the admin logged in');
    const sales = new Date(Date.now() + 5000).toISOString().replace(/\.\d+Z$/, 'Z');
    const made = await call(env.C, 'POST', '/api/admin/events', {
      token: admin.json.token,
      body: {
        name: 'Browser Queued Sale', venue: 'Istora', currency: 'IDR', sales_start_at: sales,
        starts_at: new Date(Date.now() + 20 * 86400000).toISOString().replace(/\.\d+Z$/, 'Z'),
        layout: { sections: [{ name: 'Floor', rows: ['A'], seats_per_row: 6, price: 100000 }] },
        queue: { enabled: true, admit_per_minute: 60 },
      },
    });
    expect(made.status === 201 && made.json.queue && made.json.queue.enabled, `queued event created (${made.status} ${made.text})`);
    const ev = made.json;
    const user = await apiUser(env, 'quinn' + crypto.randomBytes(3).toString('hex'));
    const page = await newPage(ctx);
    await uiLogin(page, env.C, user.username, user.password);

    // the list offers the line before sales open; the page says the place is drawn then
    await page.goto(env.C + '/#/events');
    const card = page.locator('article.event', { hasText: 'Browser Queued Sale' });
    await card.getByRole('link', { name: 'Join the line' }).click();
    await page.waitForFunction(() => /\/queue$/.test(location.hash));
    await page.waitForFunction(() => /drawn/.test(document.getElementById('queue-position').textContent));
    expect(await page.isVisible('#queue-progress'), 'a progress bar');
    expect(await page.isVisible('#queue-leave'), 'a leave button');
    await review(page, '7-queue-before-opening');

    // sales open: admitted, and on to the seat map by itself (polling, no reload)
    await page.waitForFunction((id) => location.hash === '#/events/' + id, ev.id, { timeout: 20000 });
    await page.waitForSelector('#seatmap button.seat[data-status]');
    await page.waitForSelector('#queue-pass-note:not([hidden])');
    const note = await page.textContent('#queue-pass-note');
    expect(/pass/.test(note), `the pass's countdown (got "${note}")`);
    await seat(page, 'A-1').click();
    await page.click('#book');
    await page.waitForFunction(() => location.hash.startsWith('#/bookings/'));
    await page.waitForSelector('#booking-status [data-status=HELD]');
    await review(page, '7-queue-booked');

    // the pass bought once: back on the seat map the button leads to the line again
    await page.goto(env.C + '/#/events/' + ev.id);
    await page.waitForSelector('#seatmap button.seat[data-status]');
    await seat(page, 'A-2').click();
    await page.click('#book');
    await page.locator('#selection [role=alert]').waitFor();
    const refused = await alertText(page);
    expect(/pass/i.test(refused), `the spent pass refused in words (got "${refused}")`);
    await page.waitForFunction(() => document.getElementById('book').textContent === 'Join the line to book');

    // the admin sets the queue on the form and sees its figures
    const adminPage = await ctx.context.newPage();
    await uiLogin(adminPage, env.C, 'admin', ADMIN_PASSWORD);
    await adminPage.goto(env.C + '/#/admin/events/' + ev.id + '/edit');
    await adminPage.waitForSelector('#queue-enabled');
    expect(await adminPage.isChecked('#queue-enabled'), 'the queue shown on the form');
    await adminPage.fill('#queue-rate', '120');
    await adminPage.click('#save-event');
    await adminPage.locator('#edit-form .msg.ok').waitFor();
    await adminPage.goto(env.C + '/#/admin/events/' + ev.id + '/stats');
    await adminPage.waitForSelector('#queue-stats');
    const rate = await adminPage.textContent('#queue-stats [data-queue=rate] .tile-value');
    expect(rate === '120', `the new rate in the figures (got "${rate}")`);
    const admitted = await adminPage.textContent('#queue-stats [data-queue=admitted] .tile-value');
    expect(admitted === '1', `one admitted (got "${admitted}")`);
    await review(adminPage, '7-queue-admin');
    expect(ctx.errors.length === 0, `no script errors (${ctx.errors.join('; ')})`);
    return { ctx };
  } catch (e) {
    e.ctx = ctx;
    throw e;
  }
}

const scenarios = [
  ['1 book, pay, confirmed by itself, ticket PDF', scenarioBookAndPay],
  ['2 taken seat refused, waitlist offered', scenarioTakenSeat],
  ['3 admin creates an event users then see', scenarioAdminCreates],
  ['4 the seat map by venue (train, hall, held, posters)', scenarioSeatMapByVenue],
  ['5 the gate: a code admitted, the second scan refused', scenarioGate],
  ['6 events in the venue\'s time, for sale or not, published and cancelled', scenarioEventLife],
  ['7 a queued sale: the waiting page, admitted, booked with the pass', scenarioQueuedSale],
];
if (screenshotDir) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  scenarios.push(['docs screenshots', docsScreenshots]);
}

let passed = 0;
let failed = 0;
try {
  const env = await startTrio();
  console.log(`trio up: client ${env.C}, ticket ${env.T}, payment ${env.P}; logs in ${tmp}`);
  for (const [i, [name, fn]] of scenarios.entries()) {
    if (only && !only.split(',').includes(String(i + 1))) continue;
    const t0 = Date.now();
    let ctx = null;
    try {
      const r = await fn(env);
      ctx = r && r.ctx;
      passed++;
      console.log(`ok ${i + 1} - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      ctx = e.ctx;
      failed++;
      console.log(`not ok ${i + 1} - ${name}: ${e.message}`);
      const shots = await saveFailure(ctx, `scenario-${i + 1}`);
      for (const s of shots) console.log(`  screenshot: ${s}`);
      if (ctx && ctx.errors.length) console.log(`  script errors: ${ctx.errors.join('; ')}`);
    } finally {
      if (ctx) await ctx.context.close().catch(() => {});
    }
  }
} catch (e) {
  failed++;
  console.log(`not ok - set-up: ${e.message}`);
} finally {
  await stopAll();
  for (const d of daemons) {
    if (d.exited !== 0) {
      console.log(`${d.name} exited with ${d.exited}; last log lines:`);
      console.log(fs.readFileSync(d.log, 'utf8').split('\n').slice(-15).join('\n'));
      failed++;
    }
  }
  for (const db of databases) {
    try {
      psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${db}`]);
    } catch (e) {
      /* the throwaway server goes anyway */
    }
  }
}
console.log(`${passed} passed, ${failed} failed`);
if (failed) {
  for (const d of daemons) fs.copyFileSync(d.log, path.join(failureDir(), path.basename(d.log)));
  console.log(`daemon logs and failure screenshots kept in ${failureDir()}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
fs.rmSync(tmp, { recursive: true, force: true });
process.exit(0);
