// record.mjs (make demo-video, through demo/video/run.sh): records the demo
// of the suite into a video, from the real running services.
//
// It starts a private copy of the `make up` suite (demo/suite.sh, name
// "video") with the outcomes each part needs forced, as demo/run-all.sh
// does (ORGANIZER_FAILURE_RATE, PAYMENT_FAILURE_RATE), and drives one
// headless Chromium tab (Debian's chromium through playwright-core) through:
//   title cards: the suite, the architecture and the booking sequence (the
//     mermaid diagrams of README.md, rendered by mermaid from npm), the API;
//   the terminal: the output of `make up` (the suite's own up.sh run) and the
//     curl stories of demo/ (run for real, their output shown as it came);
//   the web UI: a booking that succeeds, the train's seat map, the waitlist
//     offer, the gate (check-ins, then the admin's statistics), a hold the
//     organizer refuses, a payment that fails.
// Frames come from the DevTools protocol (Page.startScreencast, plus a
// Page.captureScreenshot whenever a scene starts), each stamped with the
// video clock, which stands still while the suite restarts or a story runs
// off camera. Every caption is shown on screen, written to the WebVTT file
// and read aloud by espeak-ng into the sound track; ffmpeg (Debian's) then
// encodes frames and sound into VP9/Opus WebM.
//
// Usage: node record.mjs --repo DIR --work DIR --out docs/demo.webm --vtt docs/demo.vtt
// Environment: PG_PORT CLIENT_APP_PORT TICKET_APP_PORT PAYMENT_APP_PORT (the
// private suite's ports), CHROMIUM_BIN, VIDEO_FPS (6), VIDEO_CRF (50).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const repo = path.resolve(arg('repo', '.'));
const work = path.resolve(arg('work', path.join(repo, 'build', 'demo-video')));
const out = path.resolve(arg('out', path.join(repo, 'docs', 'demo.webm')));
const vttOut = path.resolve(arg('vtt', out.replace(/\.[a-z0-9]+$/, '.vtt')));
const chromiumPath = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const FPS = Number(process.env.VIDEO_FPS || 6);
const CRF = Number(process.env.VIDEO_CRF || 50);
const W = 1280;
const H = 720;

const port = (k, d) => process.env[k] || d;
const C = `http://127.0.0.1:${port('CLIENT_APP_PORT', 18290)}`;
const T = `http://127.0.0.1:${port('TICKET_APP_PORT', 18291)}`;
const P = `http://127.0.0.1:${port('PAYMENT_APP_PORT', 18292)}`;
const suiteDir = path.join(repo, '.run', 'suite-video');
const secretsFile = path.join(suiteDir, 'repo', '.run', 'secrets.env');

const CONCERT = '5eed0000-0000-4000-8000-000000000001';
const MUSICAL = '5eed0000-0000-4000-8000-000000000002';
const MATINEE = '5eed0000-0000-4000-8000-000000000003';
const TRAIN = '5eed0000-0000-4000-8000-000000000004';
const PASSWORD = 'demo-password'; // the seeded users' (seeds/client.sql)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const framesDir = path.join(work, 'frames');
const speechDir = path.join(work, 'speech');

function log(...a) {
  console.log(`[${rec ? rec.now().toFixed(1).padStart(6) : '     -'}s]`, ...a);
}

// ---------- the suite ----------

let suiteConfig = null;
function suiteUp(organizer, payment) {
  const cfg = `${organizer}/${payment}`;
  if (cfg === suiteConfig) return;
  log(`suite: (re)starting with ORGANIZER_FAILURE_RATE=${organizer} PAYMENT_FAILURE_RATE=${payment}`);
  const r = spawnSync(path.join(repo, 'demo', 'suite.sh'), ['up', 'video'], {
    env: {
      ...process.env,
      ORGANIZER_FAILURE_RATE: String(organizer),
      PAYMENT_FAILURE_RATE: String(payment),
      PAYMENT_DELAY_MS: '1000',
      PAYMENT_PUBLIC_URL: P,
      SUITE_BUILD: suiteConfig === null ? '1' : '0',
    },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`demo/suite.sh up video failed:\n${r.stdout}\n${r.stderr}`);
  suiteConfig = cfg;
}

function secret(name) {
  const line = fs
    .readFileSync(secretsFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name + '='));
  if (!line) throw new Error(`${name} not in ${secretsFile}`);
  return line.slice(name.length + 1);
}

// A demo/ story, run for real against the suite; its output (stdout and
// stderr, in order) is what the terminal scene shows.
function story(script) {
  const r = spawnSync('bash', ['-c', `"$0" 2>&1`, path.join(repo, 'demo', script)], {
    env: {
      ...process.env,
      CLIENT_URL: C,
      TICKET_URL: T,
      PAYMENT_URL: P,
      DEMO_SECRETS: secretsFile,
    },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`demo/${script} failed:\n${r.stdout}`);
  return r.stdout.replace(/\s+$/, '').split('\n');
}

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

async function apiLogin(user) {
  const r = await call(C, 'POST', '/api/sessions', { body: { login: user, password: PASSWORD } });
  if (r.status !== 201) throw new Error(`login ${user}: ${r.status} ${r.text}`);
  return r.json.token;
}

async function openSeats(eventId, filter) {
  const r = await call(C, 'GET', `/api/events/${eventId}/seats`);
  return r.json.items.filter((s) => s.status === 'OPEN' && filter(s));
}

async function waitBooking(token, id, status, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const r = await call(C, 'GET', `/api/bookings/${id}`, { token });
    if (r.json && r.json.status === status) return r.json;
    if (Date.now() > deadline) throw new Error(`booking ${id} not ${status}: ${r.text}`);
    await sleep(300);
  }
}

// ---------- the recorder: frames on a video clock ----------

class Recorder {
  constructor(cdp) {
    this.cdp = cdp;
    this.frames = [];
    this.paused = true;
    this.t0 = Date.now();
    this.pausedMs = 0;
    this.pauseStart = this.t0;
    this.n = 0;
    cdp.on('Page.screencastFrame', (f) => {
      cdp.send('Page.screencastFrameAck', { sessionId: f.sessionId }).catch(() => {});
      if (!this.paused) this.add(f.data);
    });
  }
  now() {
    const wall = this.paused ? this.pauseStart : Date.now();
    return (wall - this.t0 - this.pausedMs) / 1000;
  }
  add(base64) {
    const file = path.join(framesDir, `f${String(this.n++).padStart(6, '0')}.jpg`);
    fs.writeFileSync(file, Buffer.from(base64, 'base64'));
    this.frames.push({ t: this.now(), file });
  }
  // A frame of what is on screen now, whatever the screencast sends.
  async snap() {
    const r = await this.cdp.send('Page.captureScreenshot', { format: 'jpeg', quality: 85 });
    if (!this.paused) this.add(r.data);
  }
  async resume() {
    if (!this.paused) return;
    this.pausedMs += Date.now() - this.pauseStart;
    this.paused = false;
    await this.cdp.send('Page.startScreencast', { format: 'jpeg', quality: 85, maxWidth: W, maxHeight: H });
    await this.snap();
  }
  async pause() {
    if (this.paused) return;
    await this.snap();
    this.paused = true;
    this.pauseStart = Date.now();
    await this.cdp.send('Page.stopScreencast').catch(() => {});
  }
}

// ---------- captions: on screen, in the VTT, read aloud ----------

const cues = [];
let speechEnd = 0;
let caption = '';

function wavDuration(file) {
  const b = fs.readFileSync(file);
  // RIFF/WAVE from espeak-ng: fmt chunk then data; find "data"
  const byteRate = b.readUInt32LE(28);
  let off = 12;
  while (off + 8 <= b.length) {
    const id = b.toString('latin1', off, off + 4);
    let size = b.readUInt32LE(off + 4);
    if (id === 'data') {
      if (size === 0 || off + 8 + size > b.length) size = b.length - off - 8; // a streamed header
      return { seconds: size / byteRate, dataOffset: off + 8, dataSize: size, rate: b.readUInt32LE(24) };
    }
    off += 8 + size + (size & 1);
  }
  throw new Error(`no data chunk in ${file}`);
}

function tts(text, i) {
  const file = path.join(speechDir, `c${String(i).padStart(3, '0')}.wav`);
  const r = spawnSync('espeak-ng', ['-v', 'en-us', '-s', '168', '-p', '45', '-w', file, text], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`espeak-ng: ${r.stderr}`);
  return { file, ...wavDuration(file) };
}

async function until(t) {
  while (rec.now() < t) await sleep(40);
}

async function showCaption() {
  await page
    .evaluate((text) => {
      let el = document.getElementById('demo-caption');
      if (!text) {
        if (el) el.remove();
        return;
      }
      if (!el) {
        el = document.createElement('div');
        el.id = 'demo-caption';
        const s = el.style;
        s.position = 'fixed';
        s.left = '50%';
        s.bottom = '18px';
        s.transform = 'translateX(-50%)';
        s.maxWidth = '1100px';
        s.padding = '8px 16px';
        s.borderRadius = '8px';
        s.background = 'rgba(17,24,39,.88)';
        s.color = '#fff';
        s.font = '500 20px/1.35 system-ui, sans-serif';
        s.textAlign = 'center';
        s.zIndex = '2147483647';
        s.pointerEvents = 'none';
        document.body.appendChild(el);
      }
      el.textContent = text;
    }, caption)
    .catch(() => {});
}

// Starts a caption once the previous one has been read; returns at once
// (what is shown may go on while it is read).
async function say(text) {
  await until(speechEnd + 0.25);
  const speech = tts(text, cues.length);
  const start = rec.now();
  cues.push({ start, end: start + speech.seconds + 0.3, text, speech });
  speechEnd = start + speech.seconds;
  caption = text;
  await showCaption();
  log('say:', text);
}

// say, and wait until it has been read
async function tell(text, after = 0.5) {
  await say(text);
  await until(speechEnd + after);
}

async function hold(seconds) {
  await until(rec.now() + seconds);
}

// ---------- scenes ----------

let browser, context, page, rec;

const CARD_CSS = `
  body { margin: 0; width: ${W}px; height: ${H}px; display: flex; flex-direction: column; justify-content: center;
    align-items: center; background: linear-gradient(135deg, #0f172a, #1e3a8a); color: #f8fafc;
    font-family: "DejaVu Sans", system-ui, sans-serif; overflow: hidden; }
  h1 { font-size: 46px; margin: 0 0 12px; } h2 { font-size: 30px; margin: 0 0 18px; color: #bfdbfe; font-weight: 600; }
  p { font-size: 22px; margin: 6px 0; color: #e2e8f0; } .small { font-size: 17px; color: #94a3b8; }
  code { font-family: "DejaVu Sans Mono", monospace; background: rgba(255,255,255,.1); padding: 2px 6px; border-radius: 4px; }
  .panel { background: #f8fafc; color: #0f172a; border-radius: 14px; padding: 14px 18px; }
  table { border-collapse: collapse; font-size: 13px; } td { padding: 2px 6px; vertical-align: top; }
  td.d { font-size: 12.5px; }
  td.m { font-family: "DejaVu Sans Mono", monospace; font-weight: 700; color: #93c5fd; }
  td.p { font-family: "DejaVu Sans Mono", monospace; color: #f8fafc; } td.d { color: #cbd5e1; }
  .cols { display: flex; gap: 18px; align-items: flex-start; max-width: ${W - 40}px; }
  .col { flex: 1 1 0; min-width: 0; } .col h3 { margin: 0 0 6px; font-size: 18px; color: #fde68a; }
`;

function esc(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

// A page of our own, set up off camera: about:blank first, so that it is
// not a document of the UI's origin (whose CSP forbids inline styles).
async function blank() {
  await rec.pause();
  await page.goto('about:blank');
}

async function card(html) {
  await blank();
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${CARD_CSS}</style></head><body>${html}</body></html>`);
  await showCaption();
  await rec.resume();
}

function readmeDiagrams() {
  const md = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  return [...md.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]);
}

// A mermaid diagram of README.md, as large as the screen allows (the title
// in a corner), rendered off camera.
async function diagram(title, source) {
  await until(speechEnd + 0.2);
  await blank(); // loading mermaid takes a while: off camera
  const mermaidJs = path.join(work, 'node_modules', 'mermaid', 'dist', 'mermaid.min.js');
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>
      body { margin: 0; width: ${W}px; height: ${H}px; background: #fff; overflow: hidden; font-family: "DejaVu Sans", sans-serif;
        display: flex; justify-content: center; align-items: flex-start; padding-top: 26px; box-sizing: border-box; }
      #t { position: absolute; top: 8px; left: 12px; font-size: 15px; font-weight: 700; color: #1e3a8a; }
      pre { margin: 0; }
    </style></head><body><div id="t">${esc(title)}</div><pre class="mermaid" id="d"></pre></body></html>`);
  await page.evaluate((src) => {
    document.getElementById('d').textContent = src;
  }, source);
  await page.addScriptTag({ path: mermaidJs });
  await page.evaluate(
    async ([w, h]) => {
      window.mermaid.initialize({ startOnLoad: false, theme: 'default', fontFamily: 'DejaVu Sans, sans-serif' });
      await window.mermaid.run({ querySelector: '#d' });
      const svg = document.querySelector('#d svg');
      const vb = svg.viewBox.baseVal;
      // below the title, above the caption
      const k = Math.min((w - 20) / vb.width, (h - 26 - 96) / vb.height);
      svg.style.maxWidth = 'none';
      svg.setAttribute('width', String(vb.width * k));
      svg.setAttribute('height', String(vb.height * k));
    },
    [W, H],
  );
  await showCaption();
  await rec.resume();
}

// The API card: the main endpoints of shared/API.md; and, when the
// repository has its OpenAPI documents (openapi/*.json), how many
// operations each describes.
function openapiSummary() {
  const dir = path.join(repo, 'openapi');
  if (!fs.existsSync(dir)) return '';
  const parts = [];
  for (const f of fs.readdirSync(dir).filter((x) => /\.json$/.test(x)).sort()) {
    try {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!doc.openapi || !doc.paths) continue;
      let n = 0;
      for (const ops of Object.values(doc.paths)) n += Object.keys(ops).filter((m) => /^(get|post|put|patch|delete)$/.test(m)).length;
      parts.push(`openapi/${f} (${n} operations)`);
    } catch (e) {
      /* not an OpenAPI document */
    }
  }
  return parts.length ? `the whole contract, OpenAPI 3.1: ${parts.join(', ')}` : '';
}

function apiColumns() {
  return [
    {
      title: 'client-app :8080 (users, UI)',
      rows: [
        ['POST', '/api/users', 'register'],
        ['POST', '/api/sessions', 'log in: a token'],
        ['GET', '/api/events', 'events (seat counts)'],
        ['GET', '/api/events/{id}/seats', 'the seat map'],
        ['POST', '/api/bookings', 'book 1-10 seats'],
        ['GET', '/api/bookings/{id}', 'status, history'],
        ['POST', '/api/bookings/{id}/cancel', 'cancel, refund'],
        ['GET', '/api/bookings/{id}/ticket.pdf', 'the ticket'],
        ['POST', '/api/waitlist', 'wait for a seat'],
      ],
    },
    {
      title: 'ticket-app :8081 (seats, holds)',
      rows: [
        ['POST', '/api/events', 'admin: event + layout'],
        ['POST', '/api/bookings', 'hold, ask organizer, invoice'],
        ['GET', '/api/bookings/{id}', 'manual status check'],
        ['POST', '/api/checkins', 'gate: admit a ticket'],
        ['GET', '/api/events/{id}/stats', 'admin statistics'],
        ['POST', '/webhooks/payment', 'signed invoice events'],
      ],
    },
    {
      title: 'payment-app :8082 (invoices)',
      rows: [
        ['POST', '/api/invoices', 'service: invoice'],
        ['GET', '/pay/{invoice}', 'the payment page'],
        ['POST', '/api/invoices/{n}/pay', 'pay: 202, settles later'],
        ['GET', '/api/invoices/{n}', 'invoice status'],
        ['POST', '/api/invoices/{n}/refund', 'service: refund'],
      ],
    },
  ];
}

const TERM_CSS = `
  body { margin: 0; width: ${W}px; height: ${H}px; background: #0b1020; font-family: "DejaVu Sans", sans-serif; overflow: hidden; }
  .bar { height: 34px; background: #1f2937; display: flex; align-items: center; padding: 0 14px; gap: 8px; color: #9ca3af; font-size: 14px; }
  .dot { width: 12px; height: 12px; border-radius: 50%; display: inline-block; } .t { margin-left: 12px; }
  #term { position: absolute; top: 34px; left: 0; right: 0; bottom: 0; padding: 12px 18px 130px; overflow: hidden;
    font: 15px/1.38 "DejaVu Sans Mono", monospace; color: #d1d5db; white-space: pre-wrap; word-break: break-all; }
  .prompt { color: #34d399; } .cmd { color: #f9fafb; font-weight: 700; } .title { color: #93c5fd; font-weight: 700; }
  .step { color: #60a5fa; font-weight: 700; } .ok { color: #4ade80; } .bad { color: #f87171; font-weight: 700; }
  .req { color: #9ca3af; } .st { color: #fbbf24; } .body { color: #c4b5fd; } .dim { color: #6b7280; }
`;

function lineClass(l) {
  if (/^\s*✓/.test(l)) return 'ok';
  if (/^\s*✗/.test(l)) return 'bad';
  if (/^\d+\. /.test(l)) return 'step';
  if (/^={3,}$/.test(l) || /^### /.test(l)) return 'dim';
  if (/^\s*→/.test(l)) return 'req';
  if (/^\s*←/.test(l)) return 'st';
  if (/^\s{5,}[{[]/.test(l)) return 'body';
  if (/^\s{5}\S/.test(l)) return 'req';
  return '';
}

async function terminal(title, command, lines, { perLine = 0.07, stepPause = 0.5 } = {}) {
  await blank();
  await page.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>${TERM_CSS}</style></head><body>
    <div class="bar"><span class="dot" style="background:#ef4444"></span><span class="dot" style="background:#f59e0b"></span>
    <span class="dot" style="background:#10b981"></span><span class="t">${esc(title)}</span></div><div id="term"></div></body></html>`);
  await showCaption();
  await page.evaluate(() => {
    window.termAdd = (cls, text) => {
      const term = document.getElementById('term');
      const s = document.createElement('span');
      if (cls) s.className = cls;
      s.textContent = text;
      term.appendChild(s);
      while (term.scrollHeight > term.clientHeight && term.firstChild) term.removeChild(term.firstChild);
    };
  });
  await page.evaluate(() => window.termAdd('prompt', '$ '));
  await rec.resume();
  for (const ch of command.match(/.{1,3}/g)) {
    await page.evaluate((c) => window.termAdd('cmd', c), ch);
    await sleep(35);
  }
  await page.evaluate(() => window.termAdd('', '\n'));
  for (const l of lines) {
    await page.evaluate(([c, t]) => window.termAdd(c, t + '\n'), [lineClass(l), l]);
    await hold(lineClass(l) === 'step' ? stepPause : perLine);
  }
}

// ---------- the web UI ----------

async function flash(locator) {
  await locator.scrollIntoViewIfNeeded();
  await locator.evaluate((el) => {
    const old = [el.style.outline, el.style.outlineOffset];
    el.style.outline = '4px solid #f97316';
    el.style.outlineOffset = '2px';
    setTimeout(() => {
      el.style.outline = old[0];
      el.style.outlineOffset = old[1];
    }, 700);
  });
  await sleep(350);
}

async function click(selectorOrLocator) {
  const loc = typeof selectorOrLocator === 'string' ? page.locator(selectorOrLocator) : selectorOrLocator;
  await loc.waitFor();
  await flash(loc);
  await loc.click();
}

// From one of our own pages into the UI: the load happens off camera.
async function goto(url) {
  const fromOwn = page.url() === 'about:blank';
  if (fromOwn) await rec.pause();
  await page.goto(url);
  await showCaption();
  if (fromOwn) {
    await sleep(500);
    await rec.resume();
  }
}

async function uiLogin(user, password) {
  await goto(C + '/#/login');
  if (await page.locator('#logout:visible').count()) {
    await click('#logout');
    await page.waitForSelector('nav a[data-nav=login]:visible');
    await goto(C + '/#/login');
  }
  await page.locator('#login-form input[name=login]').pressSequentially(user, { delay: 45 });
  await page.locator('#login-form input[name=password]').pressSequentially(password, { delay: 25 });
  await click('#login-form button[type=submit]');
  await page.waitForFunction(() => !location.hash.startsWith('#/login'));
  await showCaption();
}

async function openEvent(id) {
  await goto(`${C}/#/events/${id}`);
  await page.waitForSelector('#seatmap button.seat[data-status]');
}

const seatBtn = (label) => page.locator(`#seatmap button.seat[data-label="${label}"]`);

// From the event page with seats chosen: Book, and on to the booking page.
async function bookSelected() {
  // a train asks the passenger's name for each seat (attendees.js)
  for (const input of await page.locator('#attendees input.att-name[required]').all()) {
    if (!(await input.inputValue())) await input.fill('Carol Demo');
  }
  await click('#book');
  await page.waitForFunction(() => location.hash.startsWith('#/bookings/'));
  await page.waitForSelector('#booking-status [data-status]');
  return decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
}

// The payment page in this tab (the UI opens it in a new one), paid with
// method; back to the booking page, which waits for the final status.
async function payOnPage(bookingId, method, final) {
  const href = await page.getAttribute('#pay-link', 'href');
  await flash(page.locator('#pay-link'));
  await goto(href);
  await page.waitForSelector('#paybtn');
  await hold(1.0);
  await click(`input[name=method][value=${method}]`);
  await click('#paybtn');
  await page.waitForFunction((f) => document.getElementById('current').textContent === f, final, { timeout: 30000 });
  await hold(1.5);
  await goto(`${C}/#/bookings/${bookingId}`);
}

// ---------- the story ----------

async function main() {
  suiteUp(0, 0);
  const upLog = fs
    .readFileSync(path.join(suiteDir, 'up.log'), 'utf8')
    .replaceAll(repo, '~/ticketing')
    .replace(/password "[^"]+"/g, 'password "…"')
    .replace(/Bearer \S+/g, 'Bearer …')
    .replace(/\s+$/, '')
    .split('\n');

  browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--hide-scrollbars', '--font-render-hinting=none'],
  });
  context = await browser.newContext({ viewport: { width: W, height: H }, locale: 'en-GB', timezoneId: 'Asia/Jakarta' });
  context.setDefaultTimeout(20000);
  page = await context.newPage();
  page.on('load', () => showCaption());
  rec = new Recorder(await context.newCDPSession(page));
  await rec.resume();

  // --- cards --- (VIDEO_SKIP_INTRO=1, while working on the later parts)
  const intro = process.env.VIDEO_SKIP_INTRO !== '1';
  if (intro) {
  await card(`<h1>Ticketing: book a seat, pay, get in</h1>
    <h2>three C services over HTTP/JSON with PostgreSQL</h2>
    <p>client-app · ticket-app · payment-app</p>
    <p class="small">this video was recorded by <code>make demo-video</code> from the running suite</p>`);
  await tell('This is the ticketing suite: three services written in C, talking HTTP and JSON, each with its own PostgreSQL database.');
  await tell('Everything you see next was recorded from the real running suite.', 0.3);

  const [flow, seq] = readmeDiagrams();
  await diagram('Architecture (README.md)', flow);
  await tell('The architecture. client-app is what users and the web page talk to. It keeps users, sessions, booking history and the ticket PDFs.');
  await tell('ticket-app owns events, seats, holds, the waitlist and check-in. payment-app owns invoices and the payment page.');
  await tell('Calls between services are synchronous where an answer is needed; results come back as signed webhooks from an outbox, retried until applied once.');
  if (seq) {
    await diagram('A booking, step by step', seq);
    await tell('A booking: client-app records the attempt, ticket-app holds the seats in one transaction, asks the organizer, and has payment-app issue an invoice.');
    await tell('Once paid, payment-app tells ticket-app, which confirms the booking, renders the ticket, and notifies client-app.');
  }
  const cols = apiColumns();
  await card(`<h2>The API</h2><div class="cols">${cols
    .map(
      (c) =>
        `<div class="col"><h3>${esc(c.title)}</h3><table>${c.rows
          .map((r) => `<tr><td class="m">${esc(r[0])}</td><td class="p">${esc(r[1])}</td><td class="d">${esc(r[2])}</td></tr>`)
          .join('')}</table></div>`,
    )
    .join('')}</div><p class="small" style="margin-top:18px">JSON in and out; errors as {"error":{"code","message"}}; bearer tokens</p>
    <p class="small">${esc(openapiSummary())}</p>`);
  await tell('The API: users, sessions, events, seats, bookings and the waitlist at client-app; holds and check-ins at ticket-app; invoices at payment-app.');
  await tell('Errors always come back as a code and a message.', 0.3);
  const docs = await fetch(C + '/docs').catch(() => null);
  if (docs && docs.status === 200) {
    await say("The whole contract is written down as OpenAPI documents, browsable at client-app's docs page.");
    await goto(C + '/docs');
    await hold(4.0);
    await until(speechEnd + 0.4);
  }

  // --- make up ---
  await terminal('make up', 'make up', upLog, { perLine: 0.12 });
  await tell('make up installs what is missing, builds, starts PostgreSQL and the three services, and loads the demo data.', 0.8);
  }

  // --- a booking that succeeds: the story, then the UI ---
  await rec.pause();
  const s1 = story('01-booking.sh');
  await rec.resume();
  await say('First, a booking that succeeds, told with curl: Alice logs in, books a seat, pays, and the booking turns confirmed by itself.');
  await terminal('demo/01-booking.sh', 'demo/01-booking.sh', s1, { perLine: 0.09, stepPause: 0.45 });
  await tell('She downloads her ticket, a PDF with a QR code per seat.', 0.8);

  await say('The same in the web page. Alice logs in.');
  await uiLogin('alice', PASSWORD);
  await page.waitForSelector('article.event');
  await hold(1.0);
  await say('The events, with seats open, on hold and sold counted apart. She opens the concert.');
  await click(page.locator(`article.event[data-event-id="${CONCERT}"]`).getByRole('link', { name: 'Choose seats' }));
  await page.waitForSelector('#seatmap button.seat[data-status]');
  await hold(1.5);
  const gold = (await openSeats(CONCERT, (s) => s.section === 'Gold' && s.row === 'E')).slice(10, 12);
  await say(`A hall has its stage. She picks Gold seats ${gold.map((s) => s.label).join(' and ')}, and books.`);
  for (const s of gold) await click(seatBtn(s.label));
  await hold(1.0);
  const aliceBooking = await bookSelected();
  await page.waitForSelector('#booking-status [data-status=PENDING_PAYMENT]');
  await tell('The seats are held while she pays. The booking waits for payment.', 0.3);
  await say('On the payment page she pays by card.');
  await payOnPage(aliceBooking, 'card', 'PAID');
  await say('Back on her booking, it turns confirmed by itself, and the ticket is ready.');
  await page.waitForSelector('#booking-status [data-status=CONFIRMED]', { timeout: 30000 });
  await flash(page.locator('#download-ticket'));
  await hold(2.0);

  // the train's seat map
  await say('Seat maps follow the venue. On the night train, each carriage is drawn as a car, its seats numbered as on the ticket, with the aisle in the middle.');
  await openEvent(TRAIN);
  await hold(2.5);
  await page.mouse.wheel(0, 420);
  await hold(2.5);
  await until(speechEnd + 0.3);

  // --- the waitlist ---
  await rec.pause();
  const s4 = story('04-waitlist.sh');
  const alice = await apiLogin('alice');
  const bal = (await openSeats(MATINEE, (s) => s.section === 'Balcony' && s.row === 'K'))[3];
  const ab = await call(C, 'POST', '/api/bookings', { token: alice, body: { event_id: MATINEE, seat_ids: [bal.id] } });
  if (ab.status !== 201) throw new Error(`alice's matinee booking: ${ab.text}`);
  await call(P, 'POST', `/api/invoices/${ab.json.payment.invoice_number}/pay`, { body: { method: 'card' } });
  await waitBooking(alice, ab.json.id, 'CONFIRMED');
  await rec.resume();
  await say('Next, the waitlist. With curl: a paid seat is cancelled, and the first person waiting for it is offered a booking.');
  await terminal('demo/04-waitlist.sh', 'demo/04-waitlist.sh', s4, { perLine: 0.07, stepPause: 0.4 });
  await until(speechEnd + 0.3);
  await say(`In the web page: Bob wants balcony seat ${bal.label} of the matinee, which Alice has bought.`);
  await uiLogin('bob', PASSWORD);
  await openEvent(MATINEE);
  await click(seatBtn(bal.label));
  await page.waitForSelector('#taken-panel:visible');
  await hold(1.0);
  await say('The seat is taken, so he joins its waitlist, first in line.');
  await click('#join-waitlist');
  await page.waitForSelector('#waitlist-position');
  await hold(1.5);
  await say('Alice cancels her booking; it was paid, so she is refunded, and the seat goes to Bob.');
  const cancel = await call(C, 'POST', `/api/bookings/${ab.json.id}/cancel`, { token: alice });
  if (cancel.status !== 200) throw new Error(`cancel: ${cancel.text}`);
  await click('nav a[data-nav=waitlist]');
  await page.waitForSelector('article.wait');
  const deadline = Date.now() + 30000;
  while (!(await page.locator('article.wait[data-status=OFFERED]').count())) {
    if (Date.now() > deadline) throw new Error('no waitlist offer for bob');
    await sleep(700);
    await page.reload();
    await showCaption();
  }
  await hold(1.0);
  await tell('His waitlist shows the offer: a booking held for him, to pay before its deadline.', 0.2);
  await click(page.locator('article.wait[data-status=OFFERED] a', { hasText: 'offered' }));
  await page.waitForSelector('#booking-status [data-status=PENDING_PAYMENT]');
  const bobBooking = decodeURIComponent((await page.evaluate(() => location.hash)).split('/')[2]);
  await hold(1.0);
  await say('He pays, and the seat is his.');
  await payOnPage(bobBooking, 'card', 'PAID');
  await page.waitForSelector('#booking-status [data-status=CONFIRMED]', { timeout: 30000 });
  await hold(2.0);

  // --- the gate ---
  await rec.pause();
  const s5 = story('05-checkin.sh');
  const pdf = await fetch(`${C}/api/bookings/${aliceBooking}/ticket.pdf`, { headers: { Authorization: `Bearer ${alice}` } });
  const pdfFile = path.join(work, 'ticket.pdf');
  fs.writeFileSync(pdfFile, Buffer.from(await pdf.arrayBuffer()));
  spawnSync('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', '-singlefile', pdfFile, path.join(work, 'ticket')]);
  const ticketPng = fs.readFileSync(path.join(work, 'ticket.png')).toString('base64');
  const codes = spawnSync('zbarimg', ['-q', '--raw', path.join(work, 'ticket.png')], { encoding: 'utf8' }).stdout.trim().split('\n');
  if (!codes[0]) throw new Error("no QR code read from alice's ticket");
  await rec.resume();
  await card(`<h2>Alice's ticket (page 1 of her PDF)</h2><div class="panel"><img style="max-height:520px" src="data:image/png;base64,${ticketPng}"></div>`);
  await tell('At the gate: each seat of a ticket has its own page and QR code, signed by ticket-app.');
  await say('With curl: the first scan is admitted, a copy is refused as already checked in, and a forged code is unknown.');
  await terminal('demo/05-checkin.sh', 'demo/05-checkin.sh', s5, { perLine: 0.07, stepPause: 0.4 });
  await until(speechEnd + 0.3);
  // the gate page of the web UI (scanner.js), when this checkout has it
  await say("In the web page, the gate: staff pick the event at their gate, then scan Alice's ticket.");
  await uiLogin('admin', secret('ADMIN_PASSWORD'));
  await goto(`${C}/#/gate`);
  if (await page.locator('#gate-event').count()) {
    await page.waitForSelector(`#gate-event option[value="${CONCERT}"]`, { state: 'attached' });
    await page.selectOption('#gate-event', CONCERT);
    await hold(1.0);
    await page.fill('#ticket-code', codes[0]);
    await click('#check-in');
    await page.waitForSelector('#scan-result.ok');
    await tell('Admitted, in green, with the seat.', 0.8);
    await say('The same ticket again is refused: already checked in.');
    await page.fill('#ticket-code', codes[0]);
    await click('#check-in');
    await page.waitForSelector('#scan-result.bad');
    await hold(2.5);
  } else {
    const admit = await call(T, 'POST', '/api/checkins', { token: secret('TICKET_ADMIN_TOKEN'), body: { ticket_code: codes[0] } });
    if (admit.status !== 200) throw new Error(`check-in of alice's ticket: ${admit.text}`);
  }
  await say("The organizer's statistics count the check-ins, next to revenue and seats.");
  await goto(`${C}/#/admin/events/${CONCERT}/stats`);
  await page.waitForSelector('[data-stat=checked_in]');
  await flash(page.locator('[data-stat=checked_in]'));
  await hold(2.5);
  await until(speechEnd + 0.3);

  // --- a hold the organizer refuses ---
  await rec.pause();
  suiteUp(1, 0);
  const s2 = story('02-rejected-hold.sh');
  await rec.resume();
  await say('Now what can go wrong. The suite restarts with the organizer refusing every hold.');
  await terminal('demo/02-rejected-hold.sh', 'ORGANIZER_FAILURE_RATE=1 … demo/02-rejected-hold.sh', s2, { perLine: 0.08, stepPause: 0.45 });
  await until(speechEnd + 0.3);
  await say("In the web page, Bob tries to book the musical: the organizer says no, and he is told so in words.");
  await uiLogin('bob', PASSWORD);
  await openEvent(MUSICAL);
  const orch = (await openSeats(MUSICAL, (s) => s.section === 'Orchestra' && s.row === 'C'))[6];
  await click(seatBtn(orch.label));
  await hold(0.6);
  await click('#book');
  await page.waitForSelector('#selection [role=alert]');
  await flash(page.locator('#selection [role=alert]'));
  await hold(2.5);
  await say('The failed attempt stays in his bookings with its reason, and the seat is open again.');
  await click('nav a[data-nav=bookings]');
  await page.waitForSelector('article.booking [data-status=FAILED]');
  await hold(3.0);

  // --- a payment that fails ---
  await rec.pause();
  suiteUp(0, 1);
  const s3 = story('03-failed-payment.sh');
  await rec.resume();
  await say('Last, payments are declined: the suite restarts with the payment failure rate at one.');
  await terminal('demo/03-failed-payment.sh', 'PAYMENT_FAILURE_RATE=1 … demo/03-failed-payment.sh', s3, { perLine: 0.08, stepPause: 0.45 });
  await until(speechEnd + 0.3);
  await say('In the web page, Carol books a seat on the train.');
  await uiLogin('carol', PASSWORD);
  await openEvent(TRAIN);
  const eco = (await openSeats(TRAIN, (s) => s.row === 'EKO1'))[9];
  await click(seatBtn(eco.label));
  await hold(0.8);
  // the train asks a name per seat (attendees.js), where this checkout has it
  for (const input of await page.locator('#attendees .att-name').all()) {
    await input.pressSequentially('Carol Demo', { delay: 40 });
  }
  const carolBooking = await bookSelected();
  await page.waitForSelector('#booking-status [data-status=PENDING_PAYMENT]');
  await hold(1.0);
  await say('She pays with her e-wallet, and the payment is declined.');
  await payOnPage(carolBooking, 'ewallet', 'FAILED');
  await page.waitForSelector('#booking-status [data-status=FAILED]', { timeout: 30000 });
  await tell('Her booking turns failed, with the reason, and the seat is released for others.', 1.0);

  // --- the end ---
  await card(`<h1>make up · make test · make demo</h1>
    <p>the web UI at <code>http://localhost:8080/</code></p>
    <p>the curl stories: <code>make demo</code> &nbsp; this video: <code>make demo-video</code></p>
    <p class="small">README.md · docs/ · demo/</p>`);
  await tell('To try it: make up, then open the web page on port 8080. make test runs every test, and make demo tells these stories with curl.', 1.5);
  await rec.pause();
}

// ---------- encoding ----------

function writeVtt(total) {
  const ts = (t) => {
    const ms = Math.max(0, Math.round(t * 1000));
    const h = Math.floor(ms / 3600000);
    const m = Math.floor((ms % 3600000) / 60000);
    const s = Math.floor((ms % 60000) / 1000);
    return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`;
  };
  let vtt = 'WEBVTT\n\n';
  cues.forEach((c, i) => {
    const next = cues[i + 1];
    c.end = Math.min(c.end, next ? next.start - 0.05 : total, total);
    vtt += `${i + 1}\n${ts(c.start)} --> ${ts(c.end)}\n${c.text}\n\n`;
  });
  fs.writeFileSync(vttOut, vtt);
}

// The sound track: every caption's speech at its start, silence between.
function writeNarration(total) {
  const rate = cues.length ? cues[0].speech.rate : 22050;
  const samples = Math.ceil(total * rate);
  const pcm = Buffer.alloc(samples * 2);
  for (const c of cues) {
    const b = fs.readFileSync(c.speech.file);
    const at = Math.round(c.start * rate) * 2;
    b.copy(pcm, at, c.speech.dataOffset, Math.min(c.speech.dataOffset + c.speech.dataSize, c.speech.dataOffset + (pcm.length - at)));
  }
  const hdr = Buffer.alloc(44);
  hdr.write('RIFF', 0);
  hdr.writeUInt32LE(36 + pcm.length, 4);
  hdr.write('WAVE', 8);
  hdr.write('fmt ', 12);
  hdr.writeUInt32LE(16, 16);
  hdr.writeUInt16LE(1, 20);
  hdr.writeUInt16LE(1, 22);
  hdr.writeUInt32LE(rate, 24);
  hdr.writeUInt32LE(rate * 2, 28);
  hdr.writeUInt16LE(2, 32);
  hdr.writeUInt16LE(16, 34);
  hdr.write('data', 36);
  hdr.writeUInt32LE(pcm.length, 40);
  const file = path.join(work, 'narration.wav');
  fs.writeFileSync(file, Buffer.concat([hdr, pcm]));
  return file;
}

// What was recorded, kept in the work folder so that --encode-only can
// encode it again (e.g. at another quality) without recording again.
function encode({ frames, total }) {
  let list = 'ffconcat version 1.0\n';
  frames.forEach((f, i) => {
    const end = i + 1 < frames.length ? frames[i + 1].t : total;
    const d = Math.max(0.001, end - f.t);
    list += `file '${f.file}'\nduration ${d.toFixed(3)}\n`;
  });
  list += `file '${frames[frames.length - 1].file}'\n`;
  const listFile = path.join(work, 'frames.ffconcat');
  fs.writeFileSync(listFile, list);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.mkdirSync(path.dirname(vttOut), { recursive: true });
  writeVtt(total);
  const wav = writeNarration(total);
  const tmpOut = out + '.part.webm';
  const args = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'concat', '-safe', '0', '-i', listFile,
    '-i', wav,
    '-map', '0:v', '-map', '1:a',
    '-vf', `fps=${FPS},scale=${W}:${H}:force_original_aspect_ratio=decrease,pad=${W}:${H}:(ow-iw)/2:(oh-ih)/2:color=white,format=yuv420p`,
    // realtime/8: mostly still pictures, and a shared 2-core machine
    '-c:v', 'libvpx-vp9', '-b:v', '0', '-crf', String(CRF), '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1',
    '-g', String(FPS * 10),
    '-c:a', 'libopus', '-b:a', '24k', '-ac', '1',
    '-t', total.toFixed(3),
    tmpOut,
  ];
  log(`encoding ${frames.length} frames, ${total.toFixed(1)} s, ${cues.length} captions`);
  const r = spawnSync('ffmpeg', args, { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('ffmpeg failed');
  fs.renameSync(tmpOut, out);
  log(`wrote ${out} (${(fs.statSync(out).size / 1048576).toFixed(2)} MiB) and ${vttOut}`);
}

const saved = path.join(work, 'recording.json');
try {
  if (process.argv.includes('--encode-only')) {
    const r = JSON.parse(fs.readFileSync(saved, 'utf8'));
    cues.push(...r.cues);
    encode(r);
    process.exit(0);
  }
  fs.rmSync(framesDir, { recursive: true, force: true });
  fs.rmSync(speechDir, { recursive: true, force: true });
  fs.mkdirSync(framesDir, { recursive: true });
  fs.mkdirSync(speechDir, { recursive: true });
  await main();
  await browser.close();
  const r = { frames: rec.frames, total: rec.now(), cues };
  fs.writeFileSync(saved, JSON.stringify(r));
  encode(r);
} catch (e) {
  console.error('demo-video failed:', e.stack || e.message);
  if (page) {
    const shot = path.join(work, 'failure.png');
    await page.screenshot({ path: shot }).catch(() => {});
    console.error(`the page at the failure: ${shot} (${page.url()})`);
  }
  if (browser) await browser.close().catch(() => {});
  process.exit(1);
}
