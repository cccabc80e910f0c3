// build.js: writes ticketing.postman_collection.json (Postman v2.1) from the
// compact description below, so that the collection is reviewed as code:
// one call per line of `R(name, method, url, {auth, body, headers, pre, test})`
// and test scripts as plain JavaScript. `node build.js` (npm run build).
//
// The folders follow a real session: health, users and sessions, browsing,
// booking and paying, the ticket, the gate, the waitlist, cancelling, the
// end of the session, then the admin and service endpoints of ticket-app
// and payment-app, signatures; the last three folders need outcomes forced
// by API.md's variables and are run against a suite started with them
// (postman/run.sh does that):
//   "Forced: hold rejected"           ORGANIZER_FAILURE_RATE=1
//   "Forced: payment fails, hold expires"  PAYMENT_FAILURE_RATE=1 HOLD_TTL_SECONDS=4
//   "Forced: two-phase hold, selection lapses"  SELECTION_TTL_SECONDS=3
// Everything else expects ORGANIZER_FAILURE_RATE=0 PAYMENT_FAILURE_RATE=0.
'use strict';
const fs = require('fs');
const path = require('path');

// ---- what every test script starts with ----
const PRELUDE = `
let body; try { body = pm.response.json(); } catch (e) { body = undefined; }
const get = (k) => pm.collectionVariables.get(k);
const save = (k, v) => pm.collectionVariables.set(k, v);
const status = (c) => pm.test('status ' + c, () => pm.response.to.have.status(c));
const error = (c, code) => { status(c); pm.test('error ' + code, () => pm.expect(body && body.error && body.error.code).to.eql(code)); };
const check = (what, fn) => pm.test(what, fn);
const expect = pm.expect;
// poll(done, what): runs this request again (pre-request waits a little)
// until done or ~60 s; then records the test.
const poll = (done, what) => {
  const n = Number(get('poll_n') || 0);
  if (!done && n < 150) { save('poll_n', n + 1); pm.execution.setNextRequest(pm.info.requestName); return true; }
  save('poll_n', 0);
  pm.test(what + (n ? ' (after ' + n + ' polls)' : ''), () => expect(done).to.be.true);
  return false;
};
`.trim();

const POLL_PRE = `if (Number(pm.collectionVariables.get('poll_n') || 0) > 0) setTimeout(() => {}, 400);`;

function script(type, src) {
  return { listen: type, script: { type: 'text/javascript', exec: src.trim().split('\n') } };
}

const names = new Set();
// R(name, method, url, opts): one request. opts.auth names the variable
// holding the bearer token; opts.body is an object (JSON) or a string (sent
// as is); opts.test / opts.pre are script bodies; opts.poll adds the wait.
function R(name, method, url, opts = {}) {
  if (names.has(name)) throw new Error('duplicate request name: ' + name);
  names.add(name);
  const header = [];
  if (opts.auth) header.push({ key: 'Authorization', value: 'Bearer {{' + opts.auth + '}}' });
  for (const [k, v] of Object.entries(opts.headers || {})) header.push({ key: k, value: v });
  const item = { name, request: { method, header, url } };
  if (opts.file) {
    header.push({ key: 'Content-Type', value: opts.fileType });
    item.request.body = { mode: 'file', file: { src: opts.file } };
  }
  if (opts.body !== undefined) {
    if (!Object.keys(opts.headers || {}).some((k) => k.toLowerCase() === 'content-type')) {
      header.push({ key: 'Content-Type', value: 'application/json' });
    }
    item.request.body = {
      mode: 'raw',
      raw: typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body, null, 2),
      options: { raw: { language: 'json' } },
    };
  }
  if (opts.desc) item.request.description = opts.desc;
  const events = [];
  const pre = [opts.poll ? POLL_PRE : '', opts.pre || ''].filter(Boolean).join('\n');
  if (pre) events.push(script('prerequest', pre));
  events.push(script('test', PRELUDE + '\n' + (opts.test || '')));
  item.event = events;
  return item;
}
const F = (name, description, item) => ({ name, description, item });

const C = '{{client_url}}';
const T = '{{ticket_url}}';
const P = '{{payment_url}}';
const CONCERT = '5eed0000-0000-4000-8000-000000000001';

// Checks shared by several requests.
const isUser = `
check('a User, never a password or hash', () => {
  expect(body).to.include.keys('id', 'username', 'email', 'full_name', 'role', 'created_at');
  expect(body).to.not.have.any.keys('password', 'password_hash', 'hash');
});`;
const isBooking = `
check('a Booking', () => expect(body).to.include.keys('id', 'user_id', 'event_id', 'seats', 'status',
  'failure_reason', 'amount', 'currency', 'payment', 'ticket_url', 'origin', 'created_at', 'updated_at'));`;
const isInvoice = `
check('an Invoice', () => expect(body).to.include.keys('invoice_number', 'booking_id', 'amount', 'currency',
  'status', 'method', 'payment_url', 'failure_reason', 'created_at', 'expires_at', 'paid_at'));`;
const isList = `
check('a list', () => { expect(body.items).to.be.an('array'); expect(body).to.include.keys('total', 'limit', 'offset'); });`;

// Pre-request: signs the raw body as payment-app does (X-Signature:
// t=<unix>,v1=hex(HMAC-SHA256(secret, "<t>.<body>"))); pm.variables
// "sig_age" shifts t into the past.
const signWith = (secretVar, headerVar) => `
const cryptojs = require('crypto-js');
const secret = pm.environment.get('${secretVar}') || pm.variables.get('${secretVar}');
const raw = pm.variables.replaceIn(pm.request.body.raw);
pm.request.body.raw = raw;
const t = Math.floor(Date.now() / 1000) - Number(pm.variables.get('sig_age') || 0);
const mac = cryptojs.HmacSHA256(t + '.' + raw, secret).toString(cryptojs.enc.Hex);
pm.variables.set('${headerVar}', 't=' + t + ',v1=' + mac);`;

// ---------------------------------------------------------------------------
const folders = [];

folders.push(F('0 Health', 'Each service answers /healthz when its database does, and /metrics.', [
  R('client-app healthz', 'GET', C + '/healthz', { test: `status(200); check('ok', () => expect(body.status).to.eql('ok'));` }),
  R('ticket-app healthz', 'GET', T + '/healthz', { test: `status(200); check('ok', () => expect(body.status).to.eql('ok'));` }),
  R('payment-app healthz', 'GET', P + '/healthz', { test: `status(200); check('ok', () => expect(body.status).to.eql('ok'));` }),
  R('client-app metrics', 'GET', C + '/metrics', { test: `status(200); check('Prometheus text', () => expect(pm.response.text()).to.match(/^# (HELP|TYPE) /m));` }),
  R('ticket-app metrics', 'GET', T + '/metrics', { test: `status(200); check('Prometheus text', () => expect(pm.response.text()).to.match(/^# (HELP|TYPE) /m));` }),
  R('payment-app metrics', 'GET', P + '/metrics', { test: `status(200); check('Prometheus text', () => expect(pm.response.text()).to.match(/^# (HELP|TYPE) /m));` }),
  R('X-Request-Id is echoed', 'GET', C + '/healthz', {
    headers: { 'X-Request-Id': 'postman-req-42' },
    test: `check('echoed', () => expect(pm.response.headers.get('X-Request-Id')).to.eql('postman-req-42'));`,
  }),
  // The OpenAPI documents (openapi/; make postman validates this whole run against them).
  ...[['client-app', C], ['ticket-app', T], ['payment-app', P]].map(([svc, base]) =>
    R(svc + ' OpenAPI document', 'GET', base + '/openapi.json', {
      test: `status(200); check('OpenAPI 3.1 of ${svc}', () => { expect(body.openapi).to.eql('3.1.0'); expect(body.info.title).to.eql('${svc}'); expect(body.paths).to.have.property('/healthz'); });`,
    })),
  R('API docs page', 'GET', C + '/docs', {
    test: `status(200); check('HTML naming the documents or rendering them', () => { expect(pm.response.headers.get('Content-Type')).to.include('text/html'); const t = pm.response.text(); expect(t.includes('swagger-ui') || t.includes('/docs/ticket-app.json')).to.be.true; });`,
  }),
  R('API docs: ticket-app document from client-app', 'GET', C + '/docs/ticket-app.json', {
    test: `status(200); check('ticket-app document', () => expect(body.info.title).to.eql('ticket-app'));`,
  }),
]));

folders.push(F('1 Users and sessions', 'Three fresh users (A, B, C) per run, the seeded admin.', [
  R('Register user A', 'POST', C + '/api/users', {
    pre: `const s = Date.now().toString(36) + Math.floor(Math.random() * 1e4);
pm.collectionVariables.set('run', s);
pm.collectionVariables.set('userA', 'pm_a_' + s);
pm.collectionVariables.set('userB', 'pm_b_' + s);
pm.collectionVariables.set('userC', 'pm_c_' + s);`,
    body: { username: '{{userA}}', email: '{{userA}}@example.com', password: 'postman-pass-A', full_name: 'Postman A' },
    test: `status(201); ${isUser}
check('as sent', () => { expect(body.username).to.eql(get('userA')); expect(body.role).to.eql('user'); });
save('idA', body.id);`,
  }),
  R('Register: username taken', 'POST', C + '/api/users', {
    body: { username: '{{userA}}', email: 'other_{{userA}}@example.com', password: 'postman-pass-A' },
    test: `error(409, 'USERNAME_TAKEN');`,
  }),
  R('Register: email taken', 'POST', C + '/api/users', {
    body: { username: 'x{{userA}}', email: '{{userA}}@example.com', password: 'postman-pass-A' },
    test: `error(409, 'EMAIL_TAKEN');`,
  }),
  R('Register: invalid fields', 'POST', C + '/api/users', {
    body: { username: 'a', email: 'not-an-email', password: 'short' },
    test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R('Register: malformed JSON', 'POST', C + '/api/users', {
    body: '{"username": "oops",',
    test: `error(400, 'MALFORMED_JSON');`,
  }),
  R('Register: role is for admins', 'POST', C + '/api/users', {
    body: { username: 'r{{userA}}', email: 'r{{userA}}@example.com', password: 'postman-pass-A', role: 'admin' },
    test: `error(403, 'FORBIDDEN');`,
  }),
  R('Register user B', 'POST', C + '/api/users', {
    body: { username: '{{userB}}', email: '{{userB}}@example.com', password: 'postman-pass-B' },
    test: `status(201); save('idB', body.id);`,
  }),
  R('Register user C', 'POST', C + '/api/users', {
    body: { username: '{{userC}}', email: '{{userC}}@example.com', password: 'postman-pass-C' },
    test: `status(201); save('idC', body.id);`,
  }),
  R('Log in: wrong password', 'POST', C + '/api/sessions', {
    body: { login: '{{userA}}', password: 'wrong-password' },
    test: `error(401, 'INVALID_CREDENTIALS');`,
  }),
  R('Log in: unknown user', 'POST', C + '/api/sessions', {
    body: { login: 'nobody_{{run}}', password: 'wrong-password' },
    test: `error(401, 'INVALID_CREDENTIALS');`,
  }),
  R('Log in A (username)', 'POST', C + '/api/sessions', {
    body: { login: '{{userA}}', password: 'postman-pass-A' },
    test: `status(201);
check('token, expiry, user', () => { expect(body.token).to.be.a('string').and.not.empty; expect(body.expires_at).to.be.a('string'); expect(body.user.username).to.eql(get('userA')); });
save('tokenA', body.token);`,
  }),
  R('Log in B (email)', 'POST', C + '/api/sessions', {
    body: { login: '{{userB}}@example.com', password: 'postman-pass-B' },
    test: `status(201); save('tokenB', body.token);`,
  }),
  R('Log in C', 'POST', C + '/api/sessions', {
    body: { login: '{{userC}}', password: 'postman-pass-C' },
    test: `status(201); save('tokenC', body.token);`,
  }),
  R('Log in admin', 'POST', C + '/api/sessions', {
    body: { login: 'admin', password: '{{admin_password}}' },
    test: `status(201); check('role admin', () => expect(body.user.role).to.eql('admin')); save('tokenAdmin', body.token);`,
  }),
  R('Me (A)', 'GET', C + '/api/users/me', { auth: 'tokenA', test: `status(200); ${isUser} check('A', () => expect(body.id).to.eql(get('idA')));` }),
  R('Me without a token', 'GET', C + '/api/users/me', { test: `error(401, 'UNAUTHENTICATED');` }),
  R('Me with a bad token', 'GET', C + '/api/users/me', {
    headers: { Authorization: 'Bearer not-a-real-token' },
    test: `error(401, 'UNAUTHENTICATED');`,
  }),
  R('Get own user (A)', 'GET', C + '/api/users/{{idA}}', { auth: 'tokenA', test: `status(200); ${isUser}` }),
  R("Get someone else's user: 404", 'GET', C + '/api/users/{{idB}}', { auth: 'tokenA', test: `error(404, 'NOT_FOUND');` }),
  R('Update own full name (A)', 'PATCH', C + '/api/users/{{idA}}', {
    auth: 'tokenA', body: { full_name: 'Postman A. Updated' },
    test: `status(200); check('changed', () => expect(body.full_name).to.eql('Postman A. Updated'));`,
  }),
  R('Update own role: forbidden', 'PATCH', C + '/api/users/{{idA}}', {
    auth: 'tokenA', body: { role: 'admin' }, test: `error(403, 'FORBIDDEN');`,
  }),
  R('Update: invalid email', 'PATCH', C + '/api/users/{{idA}}', {
    auth: 'tokenA', body: { email: 'no at sign' }, test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R('List users as a user: forbidden', 'GET', C + '/api/users', { auth: 'tokenA', test: `error(403, 'FORBIDDEN');` }),
  R('List users (admin)', 'GET', C + '/api/users?limit=500', {
    auth: 'tokenAdmin',
    test: `status(200); ${isList} check('A is listed', () => expect(body.items.map((u) => u.id)).to.include(get('idA')));`,
  }),
  R('Get user B (admin)', 'GET', C + '/api/users/{{idB}}', { auth: 'tokenAdmin', test: `status(200); check('B', () => expect(body.id).to.eql(get('idB')));` }),
]));

folders.push(F('2 Browse events and seats', 'Anyone may read events and seat maps, at client-app and at ticket-app.', [
  R('List events', 'GET', C + '/api/events', {
    test: `status(200); ${isList}
check('the seeded events', () => expect(body.total).to.be.at.least(4));
const ev = body.items.find((e) => e.id === '${CONCERT}') || body.items[0];
check('Event fields', () => { expect(ev).to.include.keys('id', 'name', 'venue', 'starts_at', 'description', 'currency', 'seat_counts'); expect(ev.seat_counts).to.include.keys('total', 'open', 'on_going', 'booked'); });
check('the venue zone and local time', () => { expect(ev.timezone).to.eql('Asia/Jakarta'); expect(ev.starts_at_local).to.match(/^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\+07:00$/); expect(new Date(ev.starts_at_local).getTime()).to.eql(new Date(ev.starts_at).getTime()); });
check('upcoming, on sale, soonest first', () => { const t = body.items.map((e) => Date.parse(e.starts_at)); expect(t.every((x, i) => i === 0 || t[i - 1] <= x)).to.eql(true); expect(t.every((x) => x > Date.now())).to.eql(true); expect(body.items.every((e) => e.status !== 'DRAFT' && e.status !== 'CANCELLED' && e.seat_counts.total > 0)).to.eql(true); expect(ev.status).to.eql('ON_SALE'); });
save('eventId', ev.id);`,
  }),
  R('List past events', 'GET', C + '/api/events?when=past&limit=500', {
    test: `status(200); ${isList} check('every one has started', () => expect(body.items.every((e) => Date.parse(e.starts_at) <= Date.now())).to.eql(true));`,
  }),
  R('List all events', 'GET', C + '/api/events?when=all&limit=500', {
    test: `status(200); ${isList} check('the seeded events', () => expect(body.total).to.be.at.least(4));`,
  }),
  R('List events: unknown when', 'GET', C + '/api/events?when=someday', { test: `error(400, 'VALIDATION_FAILED');` }),
  R('List events, paged', 'GET', C + '/api/events?limit=1&offset=1', {
    test: `status(200); check('one item, limit and offset echoed', () => { expect(body.items.length).to.eql(1); expect(body.limit).to.eql(1); expect(body.offset).to.eql(1); });`,
  }),
  R('List events: limit out of range', 'GET', C + '/api/events?limit=100000', { test: `error(400, 'VALIDATION_FAILED');` }),
  R('Get event', 'GET', C + '/api/events/{{eventId}}', {
    test: `status(200); check('the event', () => { expect(body.id).to.eql(get('eventId')); expect(body.currency).to.eql('IDR'); });
save('openBefore', body.seat_counts.open);`,
  }),
  R('Get event: unknown id', 'GET', C + '/api/events/00000000-0000-4000-8000-00000000dead', { test: `error(404, 'NOT_FOUND');` }),
  R('Get event: not a UUID', 'GET', C + '/api/events/not-a-uuid', { test: `check('4xx', () => expect(pm.response.code).to.be.oneOf([400, 404]));` }),
  R('Seats of the event', 'GET', C + '/api/events/{{eventId}}/seats', {
    test: `status(200);
check('Seat fields', () => expect(body.items[0]).to.include.keys('id', 'event_id', 'label', 'section', 'row', 'number', 'price', 'status'));
const open = body.items.filter((s) => s.status === 'OPEN' && s.section === 'Silver');
check('open seats to book', () => expect(open.length).to.be.at.least(5));
// From the back of the Silver tribune, so runs leave the front rows alone.
const pick = open.slice(-5);
save('seat1', pick[4].id); save('seat1Label', pick[4].label); save('seat1Price', pick[4].price);
save('seat2', pick[3].id); save('seat3', pick[2].id); save('seat4', pick[1].id); save('seat5', pick[0].id);`,
  }),
  R('ticket-app: list events', 'GET', T + '/api/events', { test: `status(200); ${isList}` }),
  R('ticket-app: list upcoming events', 'GET', T + '/api/events?when=upcoming', {
    test: `status(200); ${isList} check('none has started', () => expect(body.items.every((e) => Date.parse(e.starts_at) > Date.now())).to.eql(true));`,
  }),
  R('ticket-app: get event', 'GET', T + '/api/events/{{eventId}}', { test: `status(200); check('same event', () => expect(body.id).to.eql(get('eventId')));` }),
  R('ticket-app: seats', 'GET', T + '/api/events/{{eventId}}/seats', {
    test: `status(200); check('seat 1 OPEN', () => expect(body.items.find((s) => s.id === get('seat1')).status).to.eql('OPEN'));`,
  }),
]));

folders.push(F('3 Book and pay', 'A books seat 1 and pays; B tries the same seat.', [
  R('Book: no token', 'POST', C + '/api/bookings', { body: { event_id: '{{eventId}}', seat_ids: ['{{seat1}}'] }, test: `error(401, 'UNAUTHENTICATED');` }),
  R('Book: no seats', 'POST', C + '/api/bookings', { auth: 'tokenA', body: { event_id: '{{eventId}}', seat_ids: [] }, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Book: eleven seats', 'POST', C + '/api/bookings', {
    auth: 'tokenA',
    pre: `pm.variables.set('eleven', JSON.stringify(Array.from({ length: 11 }, (_, i) => '00000000-0000-4000-8000-0000000000' + String(10 + i))));`,
    body: '{"event_id": "{{eventId}}", "seat_ids": {{eleven}}}',
    test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R('Book: seat id not a UUID', 'POST', C + '/api/bookings', { auth: 'tokenA', body: { event_id: '{{eventId}}', seat_ids: ['A-1'] }, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Book: unknown event', 'POST', C + '/api/bookings', {
    auth: 'tokenA', body: { event_id: '00000000-0000-4000-8000-00000000dead', seat_ids: ['{{seat1}}'] },
    test: `check('404 or 400', () => expect(pm.response.code).to.be.oneOf([404, 400]));`,
  }),
  R('Book seat 1 (A)', 'POST', C + '/api/bookings', {
    auth: 'tokenA',
    pre: `pm.collectionVariables.set('idemKey', 'pm-' + Date.now() + '-' + Math.random().toString(36).slice(2));`,
    headers: { 'Idempotency-Key': '{{idemKey}}' },
    body: { event_id: '{{eventId}}', seat_ids: ['{{seat1}}'] },
    test: `status(201); ${isBooking}
check('PENDING_PAYMENT with an invoice', () => {
  expect(body.status).to.eql('PENDING_PAYMENT');
  expect(body.payment.invoice_number).to.match(/^INV-[A-Z0-9]{12}$/);
  expect(body.payment.payment_url).to.include(body.payment.invoice_number);
  expect(body.origin).to.eql('direct');
  expect(body.amount).to.eql(Number(get('seat1Price')));
  expect(body.seats[0].label).to.eql(get('seat1Label'));
});
save('bookingA', body.id); save('invoiceA', body.payment.invoice_number);`,
  }),
  R('Book again with the same Idempotency-Key', 'POST', C + '/api/bookings', {
    auth: 'tokenA', headers: { 'Idempotency-Key': '{{idemKey}}' },
    body: { event_id: '{{eventId}}', seat_ids: ['{{seat1}}'] },
    test: `status(201); check('the first answer again', () => { expect(body.id).to.eql(get('bookingA')); expect(body.payment.invoice_number).to.eql(get('invoiceA')); });`,
  }),
  R('Same key, other body', 'POST', C + '/api/bookings', {
    auth: 'tokenA', headers: { 'Idempotency-Key': '{{idemKey}}' },
    body: { event_id: '{{eventId}}', seat_ids: ['{{seat2}}'] },
    test: `error(409, 'IDEMPOTENCY_KEY_REUSED');`,
  }),
  R('Seat 1 is ON_GOING', 'GET', C + '/api/events/{{eventId}}/seats', {
    test: `status(200); check('ON_GOING', () => expect(body.items.find((s) => s.id === get('seat1')).status).to.eql('ON_GOING'));`,
  }),
  R('B books the taken seat: 409', 'POST', C + '/api/bookings', {
    auth: 'tokenB', body: { event_id: '{{eventId}}', seat_ids: ['{{seat1}}'] },
    test: `error(409, 'SEAT_UNAVAILABLE');
check('the attempt is recorded FAILED', () => { expect(body.booking.status).to.eql('FAILED'); expect(body.booking.failure_reason).to.eql('SEAT_UNAVAILABLE'); expect(body.booking.payment).to.eql(null); });
save('bookingBFailed', body.booking.id);`,
  }),
  R('ticket-app: the taken seat booked directly: 409, stored FAILED', 'POST', T + '/api/bookings', {
    auth: 'ticket_service_token',
    pre: `pm.collectionVariables.set('bookingTFailed', pm.variables.replaceIn('{{$guid}}'));`,
    body: { booking_id: '{{bookingTFailed}}', user_id: '{{idB}}', event_id: '{{eventId}}', seat_ids: ['{{seat1}}'] },
    test: `error(409, 'SEAT_UNAVAILABLE'); check('FAILED SEAT_UNAVAILABLE', () => { expect(body.booking.status).to.eql('FAILED'); expect(body.booking.failure_reason).to.eql('SEAT_UNAVAILABLE'); });`,
  }),
  R('Get booking (A)', 'GET', C + '/api/bookings/{{bookingA}}', { auth: 'tokenA', test: `status(200); ${isBooking} check('PENDING_PAYMENT', () => expect(body.status).to.eql('PENDING_PAYMENT'));` }),
  R("Get A's booking as B: 404", 'GET', C + '/api/bookings/{{bookingA}}', { auth: 'tokenB', test: `error(404, 'NOT_FOUND');` }),
  R("Get A's booking as admin", 'GET', C + '/api/bookings/{{bookingA}}', { auth: 'tokenAdmin', test: `status(200);` }),
  R('Ticket before payment: 409', 'GET', C + '/api/bookings/{{bookingA}}/ticket.pdf', { auth: 'tokenA', test: `error(409, 'TICKET_NOT_READY');` }),
  R('Payment page', 'GET', P + '/pay/{{invoiceA}}', {
    test: `status(200); check('HTML naming the invoice', () => { expect(pm.response.headers.get('Content-Type')).to.include('text/html'); expect(pm.response.text()).to.include(get('invoiceA')); });`,
  }),
  R('Payment page: unknown invoice', 'GET', P + '/pay/INV-UNKNOWN00000', { test: `status(404);` }),
  R('Invoice (A)', 'GET', P + '/api/invoices/{{invoiceA}}', {
    test: `status(200); ${isInvoice} check('PENDING, the amount of the booking', () => { expect(body.status).to.eql('PENDING'); expect(body.booking_id).to.eql(get('bookingA')); expect(body.amount).to.eql(Number(get('seat1Price'))); });`,
  }),
  R('Invoice: unknown', 'GET', P + '/api/invoices/INV-UNKNOWN00000', { test: `error(404, 'NOT_FOUND');` }),
  R('Pay: unknown method', 'POST', P + '/api/invoices/{{invoiceA}}/pay', { body: { method: 'bitcoin' }, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Pay (card)', 'POST', P + '/api/invoices/{{invoiceA}}/pay', {
    body: { method: 'card' },
    test: `status(202); check('PROCESSING', () => { expect(body.status).to.eql('PROCESSING'); expect(body.method).to.eql('card'); });`,
  }),
  R('Pay again while processing', 'POST', P + '/api/invoices/{{invoiceA}}/pay', {
    body: { method: 'ewallet' },
    test: `status(202); check('same invoice, the first method stands', () => { expect(body.status).to.eql('PROCESSING'); expect(body.method).to.eql('card'); });`,
  }),
  R('Wait until CONFIRMED', 'GET', C + '/api/bookings/{{bookingA}}', {
    auth: 'tokenA', poll: true,
    test: `if (!poll(body && body.status === 'CONFIRMED', 'booking CONFIRMED')) {
  check('ticket_url', () => expect(body.ticket_url).to.eql('/api/bookings/' + get('bookingA') + '/ticket.pdf'));
}`,
  }),
  R('Refresh (manual status check)', 'POST', C + '/api/bookings/{{bookingA}}/refresh', {
    auth: 'tokenA', test: `status(200); ${isBooking} check('CONFIRMED', () => expect(body.status).to.eql('CONFIRMED'));`,
  }),
  R("Refresh B's view of A's booking: 404", 'POST', C + '/api/bookings/{{bookingA}}/refresh', { auth: 'tokenB', test: `error(404, 'NOT_FOUND');` }),
  R('Invoice is PAID', 'GET', P + '/api/invoices/{{invoiceA}}', {
    test: `status(200); check('PAID with paid_at', () => { expect(body.status).to.eql('PAID'); expect(body.paid_at).to.be.a('string'); });`,
  }),
  R('Pay a paid invoice: 409', 'POST', P + '/api/invoices/{{invoiceA}}/pay', { body: { method: 'card' }, test: `error(409, 'INVOICE_FINAL');` }),
  R('Seat 1 is BOOKED', 'GET', C + '/api/events/{{eventId}}/seats', {
    test: `status(200); check('BOOKED', () => expect(body.items.find((s) => s.id === get('seat1')).status).to.eql('BOOKED'));`,
  }),
  R('My bookings (A, CONFIRMED)', 'GET', C + '/api/bookings?status=CONFIRMED', {
    auth: 'tokenA', test: `status(200); ${isList} check('includes the booking', () => expect(body.items.map((b) => b.id)).to.include(get('bookingA')));`,
  }),
  R('My bookings (B): the failed attempt too', 'GET', C + '/api/bookings', {
    auth: 'tokenB', test: `status(200); check('FAILED attempt listed', () => expect(body.items.find((b) => b.id === get('bookingBFailed')).status).to.eql('FAILED'));`,
  }),
  R('Bookings: bad status filter', 'GET', C + '/api/bookings?status=SOMETHING', { auth: 'tokenA', test: `error(400, 'VALIDATION_FAILED');` }),
  R('All bookings of A (admin)', 'GET', C + '/api/bookings?user_id={{idA}}', {
    auth: 'tokenAdmin', test: `status(200); check('only A', () => { expect(body.items.length).to.be.at.least(1); body.items.forEach((b) => expect(b.user_id).to.eql(get('idA'))); });`,
  }),
]));

folders.push(F('4 Ticket and gate', 'The PDF ticket, then check-in at ticket-app (gate staff use the admin token) and at client-app (staff and admins), of a booking of B (seat 5): a checked-in booking can no longer be cancelled, and folder 6 cancels the booking of A. The ticket code is the content of the QR code on the PDF: "TK1.<booking>.<seat>." and 32 hex of HMAC-SHA256(TICKET_CODE_SECRET, "TK1.<booking>.<seat>"); Postman cannot scan a QR image, so the pre-request script computes it the way the PDF encodes it (demo/05-checkin.sh and the ticket-app tests decode the real QR).', [
  R('Ticket PDF (A)', 'GET', C + '/api/bookings/{{bookingA}}/ticket.pdf', {
    auth: 'tokenA',
    test: `status(200); check('a PDF', () => { expect(pm.response.headers.get('Content-Type')).to.include('application/pdf'); expect(pm.response.stream.slice(0, 5).toString()).to.eql('%PDF-'); });`,
  }),
  R('Ticket PDF as B: 404', 'GET', C + '/api/bookings/{{bookingA}}/ticket.pdf', { auth: 'tokenB', test: `error(404, 'NOT_FOUND');` }),
  R('ticket-app: booking status (admin)', 'GET', T + '/api/bookings/{{bookingA}}', {
    auth: 'ticket_admin_token',
    test: `status(200); check('TicketBooking CONFIRMED', () => { expect(body).to.include.keys('booking_id', 'user_id', 'event_id', 'status', 'seats', 'amount', 'currency', 'invoice_number', 'payment_url', 'origin', 'version', 'created_at', 'updated_at'); expect(body.status).to.eql('CONFIRMED'); });`,
  }),
  R('ticket-app: booking status with the service token', 'GET', T + '/api/bookings/{{bookingA}}', { auth: 'ticket_service_token', test: `status(200);` }),
  R('ticket-app: ticket PDF (admin)', 'GET', T + '/api/bookings/{{bookingA}}/ticket.pdf', {
    auth: 'ticket_admin_token', test: `status(200); check('a PDF', () => expect(pm.response.stream.slice(0, 5).toString()).to.eql('%PDF-'));`,
  }),
  // The gate admits a booking of B (seat 5): a checked-in booking can no
  // longer be cancelled, folder 6 cancels A's, and A's account is deleted
  // at the end (refused while she holds tickets to come).
  R('Book seat 5 for the gate (B)', 'POST', C + '/api/bookings', {
    auth: 'tokenB', body: { event_id: '{{eventId}}', seat_ids: ['{{seat5}}'] },
    test: `status(201); save('bookingGate', body.id); save('invoiceGate', body.payment.invoice_number);`,
  }),
  R('Pay the gate booking', 'POST', P + '/api/invoices/{{invoiceGate}}/pay', { body: { method: 'card' }, test: `status(202);` }),
  R('Wait until the gate booking is CONFIRMED', 'GET', C + '/api/bookings/{{bookingGate}}', {
    auth: 'tokenB', poll: true, test: `poll(!!body && body.status === 'CONFIRMED', 'gate booking CONFIRMED');`,
  }),
  R('Check-in: no token', 'POST', T + '/api/checkins', { body: { ticket_code: 'TK1.x' }, test: `error(401, 'UNAUTHENTICATED');` }),
  R('Check-in: missing code', 'POST', T + '/api/checkins', { auth: 'ticket_admin_token', body: {}, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Check-in: admit', 'POST', T + '/api/checkins', {
    auth: 'ticket_admin_token',
    pre: `const cryptojs = require('crypto-js');
const code = (booking, seat) => {
  const signed = 'TK1.' + pm.collectionVariables.get(booking) + '.' + pm.collectionVariables.get(seat);
  return signed + '.' + cryptojs.HmacSHA256(signed, pm.environment.get('ticket_code_secret')).toString(cryptojs.enc.Hex).slice(0, 32);
};
pm.collectionVariables.set('ticketCode', code('bookingGate', 'seat5'));
pm.collectionVariables.set('ticketCodeA', code('bookingA', 'seat1'));`,
    body: { ticket_code: '{{ticketCode}}' },
    test: `status(200); check('ADMITTED, the seat', () => { expect(body.status).to.eql('ADMITTED'); expect(body.booking_id).to.eql(get('bookingGate')); expect(body.seat.id).to.eql(get('seat5')); });`,
  }),
  R('Check-in again: 409', 'POST', T + '/api/checkins', { auth: 'ticket_admin_token', body: { ticket_code: '{{ticketCode}}' }, test: `error(409, 'ALREADY_CHECKED_IN');` }),
  R('Gate at client-app: a user is refused', 'POST', C + '/api/checkins', { auth: 'tokenA', body: { ticket_code: '{{ticketCode}}', event_id: '{{eventId}}' }, test: `error(403, 'FORBIDDEN');` }),
  R('Gate at client-app: the same ticket again (admin)', 'POST', C + '/api/checkins', { auth: 'tokenAdmin', body: { ticket_code: '{{ticketCode}}', event_id: '{{eventId}}' }, test: `error(409, 'ALREADY_CHECKED_IN');` }),
  R('Gate at client-app: check-ins of the event', 'GET', C + '/api/events/{{eventId}}/checkins', { auth: 'tokenAdmin', test: `status(200); check('counted', () => expect(body.counts.checked_in).to.be.at.least(1));` }),
  // Gate staff: a user the admin gives the role staff works the gate and nothing else.
  R('Register gate staff D', 'POST', C + '/api/users', {
    body: { username: 'pm_d_{{run}}', email: 'pm_d_{{run}}@example.com', password: 'postman-pass-D' },
    test: `status(201); save('idD', body.id);`,
  }),
  R('Log in D', 'POST', C + '/api/sessions', { body: { login: 'pm_d_{{run}}', password: 'postman-pass-D' }, test: `status(201); save('tokenD', body.token);` }),
  R('A user cannot make herself staff: 403', 'PATCH', C + '/api/users/{{idD}}', { auth: 'tokenD', body: { role: 'staff' }, test: `error(403, 'FORBIDDEN');` }),
  R('The admin makes D staff', 'PATCH', C + '/api/users/{{idD}}', {
    auth: 'tokenAdmin', body: { role: 'staff' }, test: `status(200); check('role staff', () => expect(body.role).to.eql('staff'));`,
  }),
  R('Staff: bookings are not theirs (403)', 'GET', C + '/api/bookings', { auth: 'tokenD', test: `error(403, 'FORBIDDEN');` }),
  R('Staff: booking is not theirs (403)', 'POST', C + '/api/bookings', { auth: 'tokenD', body: { event_id: '{{eventId}}', seat_ids: ['{{seat6}}'] }, test: `error(403, 'FORBIDDEN');` }),
  R('Staff: who am I', 'GET', C + '/api/users/me', { auth: 'tokenD', test: `status(200); check('staff', () => expect(body.role).to.eql('staff'));` }),
  R('Staff at the gate: the admitted ticket again', 'POST', C + '/api/checkins', {
    auth: 'tokenD', body: { ticket_code: '{{ticketCode}}', event_id: '{{eventId}}' },
    test: `error(409, 'ALREADY_CHECKED_IN'); check('names the event and the seat', () => { expect(body.event.id).to.eql(get('eventId')); expect(body.event.starts_at_local).to.be.a('string'); expect(body.seat.id).to.eql(get('seat5')); });`,
  }),
  R('Staff: the gate needs its event_id (400)', 'POST', C + '/api/checkins', { auth: 'tokenD', body: { ticket_code: '{{ticketCode}}' }, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Another event for a second gate', 'POST', T + '/api/events', {
    auth: 'ticket_admin_token',
    body: { name: 'Postman other night {{run}}', venue: 'Hall 2', starts_at: '2031-01-10T12:00:00Z', timezone: 'Asia/Jakarta', currency: 'IDR', layout: { sections: [{ name: 'Floor', rows: ['A'], seats_per_row: 2, price: 1000 }] } },
    test: `status(201); save('eventGate2', body.id);`,
  }),
  R("Staff at the other event's gate: WRONG_EVENT", 'POST', C + '/api/checkins', {
    auth: 'tokenD', body: { ticket_code: '{{ticketCode}}', event_id: '{{eventGate2}}' },
    test: `error(409, 'WRONG_EVENT'); check("details name the ticket's event", () => { expect(body.error.details.event_id).to.eql(get('eventId')); expect(body.error.details.name).to.be.a('string'); expect(body.error.details.starts_at_local).to.match(/[+-]\\d\\d:\\d\\d$/); }); check("the gate's event", () => expect(body.event.id).to.eql(get('eventGate2')));`,
  }),
  R('Staff: the check-in list', 'GET', C + '/api/events/{{eventId}}/checkins', {
    auth: 'tokenD', test: `status(200); check('counts and items', () => { expect(body.counts).to.include.keys('tickets', 'checked_in', 'not_checked_in'); expect(body.items.length).to.be.at.least(1); });`,
  }),
  R('ticket-app: check-ins of the event', 'GET', T + '/api/events/{{eventId}}/checkins', { auth: 'ticket_service_token', test: `status(200); check('the admitted ticket', () => expect(body.items.map((x) => x.booking_id)).to.include(get('bookingGate')));` }),
  R('ticket-app: attendee list of the event', 'GET', T + '/api/events/{{eventId}}/attendees', { auth: 'ticket_service_token', test: `status(200); check('the admitted seat', () => expect(body.items.map((x) => x.booking_id)).to.include(get('bookingGate')));` }),
  R('Box office: attendee list as CSV (admin)', 'GET', C + '/api/admin/events/{{eventId}}/attendees.csv', {
    auth: 'tokenAdmin', test: `status(200); check('CSV with a header line', () => { expect(pm.response.headers.get('Content-Type')).to.include('text/csv'); expect(pm.response.text().split('\\n')[0]).to.include('seat'); });`,
  }),
  R('Check-in: forged code', 'POST', T + '/api/checkins', {
    auth: 'ticket_admin_token',
    pre: `const c = pm.collectionVariables.get('ticketCode'); pm.variables.set('forged', c.slice(0, -1) + (c.endsWith('0') ? '1' : '0'));`,
    body: { ticket_code: '{{forged}}' }, test: `error(404, 'INVALID_TICKET');`,
  }),
  R("Check-in with client-app's service token (its gate): already in", 'POST', T + '/api/checkins', { auth: 'ticket_service_token', body: { ticket_code: '{{ticketCode}}' }, test: `error(409, 'ALREADY_CHECKED_IN');` }),
]));

folders.push(F('5 Waitlist', 'B and C wait for seat 1 (A holds it).', [
  R('Join: seat is OPEN, book it', 'POST', C + '/api/waitlist', { auth: 'tokenB', body: { event_id: '{{eventId}}', seat_id: '{{seat4}}' }, test: `error(409, 'SEAT_AVAILABLE');` }),
  R('Join: invalid seat id', 'POST', C + '/api/waitlist', { auth: 'tokenB', body: { event_id: '{{eventId}}', seat_id: 'nope' }, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Join: no token', 'POST', C + '/api/waitlist', { body: { event_id: '{{eventId}}', seat_id: '{{seat1}}' }, test: `error(401, 'UNAUTHENTICATED');` }),
  R('B joins the waitlist of seat 1', 'POST', C + '/api/waitlist', {
    auth: 'tokenB', body: { event_id: '{{eventId}}', seat_id: '{{seat1}}' },
    test: `status(201);
check('WaitlistEntry WAITING, first', () => { expect(body).to.include.keys('id', 'event_id', 'seat_id', 'status', 'position', 'booking_id', 'created_at'); expect(body.status).to.eql('WAITING'); expect(body.position).to.eql(1); });
save('waitB', body.id);`,
  }),
  R('B joins again: 409', 'POST', C + '/api/waitlist', { auth: 'tokenB', body: { event_id: '{{eventId}}', seat_id: '{{seat1}}' }, test: `error(409, 'ALREADY_WAITING');` }),
  R('C joins, second', 'POST', C + '/api/waitlist', {
    auth: 'tokenC', body: { event_id: '{{eventId}}', seat_id: '{{seat1}}' },
    test: `status(201); check('position 2', () => expect(body.position).to.eql(2)); save('waitC', body.id);`,
  }),
  R('B lists the waitlist', 'GET', C + '/api/waitlist', {
    auth: 'tokenB', test: `status(200); check('own entry, position 1', () => { const e = body.items.find((x) => x.id === get('waitB')); expect(e.status).to.eql('WAITING'); expect(e.position).to.eql(1); expect(body.items.map((x) => x.id)).to.not.include(get('waitC')); });`,
  }),
  R("B deletes C's entry: 404", 'DELETE', C + '/api/waitlist/{{waitC}}', { auth: 'tokenB', test: `error(404, 'NOT_FOUND');` }),
  R('ticket-app: waitlist of a user (service)', 'GET', T + '/api/waitlist?user_id={{idC}}', {
    auth: 'ticket_service_token', test: `status(200); check("C's entry", () => expect(body.items.map((x) => x.id)).to.include(get('waitC')));`,
  }),
  R('ticket-app: waitlist without token', 'GET', T + '/api/waitlist?user_id={{idC}}', { test: `error(401, 'UNAUTHENTICATED');` }),
  R('ticket-app: join, invalid (service)', 'POST', T + '/api/waitlist', {
    auth: 'ticket_service_token', body: { user_id: '{{idC}}', event_id: '{{eventId}}', seat_id: 'nope' }, test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R("ticket-app: leave someone else's entry: 404", 'DELETE', T + '/api/waitlist/{{waitC}}?user_id={{idB}}', { auth: 'ticket_service_token', test: `error(404, 'NOT_FOUND');` }),
  R('A waits for her own seat: 409', 'POST', C + '/api/waitlist', { auth: 'tokenA', body: { event_id: '{{eventId}}', seat_id: '{{seat1}}' }, test: `error(409, 'SEAT_HELD_BY_YOU');` }),
]));

folders.push(F('6 Cancel', 'A cancels: refunded, the seat goes to B (head of the waitlist) as a new waitlist booking; B pays. A second booking is cancelled before payment (invoice voided).', [
  R("B cancels A's booking: 404", 'POST', C + '/api/bookings/{{bookingA}}/cancel', { auth: 'tokenB', test: `error(404, 'NOT_FOUND');` }),
  R('A cancels the paid booking', 'POST', C + '/api/bookings/{{bookingA}}/cancel', {
    auth: 'tokenA', test: `status(200); ${isBooking} check('CANCELLED', () => expect(body.status).to.eql('CANCELLED'));`,
  }),
  R('Cancel again: the same answer', 'POST', C + '/api/bookings/{{bookingA}}/cancel', {
    auth: 'tokenA', test: `status(200); check('still CANCELLED', () => expect(body.status).to.eql('CANCELLED'));`,
  }),
  R('Cancel a FAILED booking: 409', 'POST', C + '/api/bookings/{{bookingBFailed}}/cancel', {
    auth: 'tokenB', test: `error(409, 'NOT_CANCELLABLE'); check('carries the booking', () => expect(body.booking.status).to.eql('FAILED'));`,
  }),
  R('Wait until the invoice is REFUNDED', 'GET', P + '/api/invoices/{{invoiceA}}', {
    poll: true, test: `poll(body && body.status === 'REFUNDED', 'invoice REFUNDED');`,
  }),
  R('Cancelled ticket at the gate: 404', 'POST', T + '/api/checkins', { auth: 'ticket_admin_token', body: { ticket_code: '{{ticketCodeA}}' }, test: `error(404, 'INVALID_TICKET');` }),
  R('A checked-in booking cannot be cancelled: 409', 'POST', C + '/api/bookings/{{bookingGate}}/cancel', {
    auth: 'tokenB', test: `error(409, 'NOT_CANCELLABLE'); check('CHECKED_IN', () => expect(body.error.details.reason).to.eql('CHECKED_IN'));`,
  }),
  R('Ticket of a cancelled booking: 409', 'GET', C + '/api/bookings/{{bookingA}}/ticket.pdf', {
    auth: 'tokenA', test: `check('409 or 404', () => expect(pm.response.code).to.be.oneOf([409, 404]));`,
  }),
  R('Wait until B is OFFERED the seat', 'GET', C + '/api/waitlist', {
    auth: 'tokenB', poll: true,
    test: `const e = body && body.items && body.items.find((x) => x.id === get('waitB'));
if (!poll(!!e && e.status === 'OFFERED' && !!e.booking_id, "B's entry OFFERED with a booking")) save('bookingBWait', e.booking_id);`,
  }),
  R("Wait until B's waitlist booking has its invoice", 'GET', C + '/api/bookings/{{bookingBWait}}', {
    auth: 'tokenB', poll: true,
    test: `if (!poll(!!body && body.status === 'PENDING_PAYMENT' && !!body.payment, 'PENDING_PAYMENT with payment')) {
  check('origin waitlist, seat 1', () => { expect(body.origin).to.eql('waitlist'); expect(body.seats[0].id).to.eql(get('seat1')); });
  save('invoiceBWait', body.payment.invoice_number);
}`,
  }),
  R('C is now first in line', 'GET', C + '/api/waitlist', {
    auth: 'tokenC', test: `status(200); check('WAITING, position 1', () => { const e = body.items.find((x) => x.id === get('waitC')); expect(e.status).to.eql('WAITING'); expect(e.position).to.eql(1); });`,
  }),
  R('C leaves the waitlist', 'DELETE', C + '/api/waitlist/{{waitC}}', { auth: 'tokenC', test: `status(204);` }),
  R('B pays the waitlist booking', 'POST', P + '/api/invoices/{{invoiceBWait}}/pay', { body: { method: 'bank_transfer' }, test: `status(202);` }),
  R("Wait until B's waitlist booking is CONFIRMED", 'GET', C + '/api/bookings/{{bookingBWait}}', {
    auth: 'tokenB', poll: true, test: `poll(!!body && body.status === 'CONFIRMED', 'CONFIRMED');`,
  }),
  R('A books seat 2', 'POST', C + '/api/bookings', {
    auth: 'tokenA', body: { event_id: '{{eventId}}', seat_ids: ['{{seat2}}'] },
    test: `status(201); save('bookingA2', body.id); save('invoiceA2', body.payment.invoice_number);`,
  }),
  R('A cancels it before paying', 'POST', C + '/api/bookings/{{bookingA2}}/cancel', { auth: 'tokenA', test: `status(200); check('CANCELLED', () => expect(body.status).to.eql('CANCELLED'));` }),
  R('Wait until its invoice is VOID', 'GET', P + '/api/invoices/{{invoiceA2}}', { poll: true, test: `poll(body && body.status === 'VOID', 'invoice VOID');` }),
  R('Paying a void invoice: 409', 'POST', P + '/api/invoices/{{invoiceA2}}/pay', { body: { method: 'card' }, test: `check('409', () => expect(pm.response.code).to.eql(409));` }),
  R('Seat 2 is OPEN again', 'GET', C + '/api/events/{{eventId}}/seats', {
    test: `status(200); check('OPEN', () => expect(body.items.find((s) => s.id === get('seat2')).status).to.eql('OPEN'));`,
  }),
]));

folders.push(F('7 End of the session', 'Log out, delete a user.', [
  R("A's notifications (her bookings' news)", 'GET', C + '/api/notifications', {
    auth: 'tokenA', poll: true,
    test: `if (!poll(!!body && Array.isArray(body.items) && body.items.length > 0, 'at least one notification')) {
  check('newest first, with the unread count', () => { expect(body.unread).to.be.a('number'); expect(body.items[0]).to.include.keys('id', 'kind', 'subject', 'body', 'created_at', 'read_at'); });
  save('notifA', body.items[0].id);
  check('her confirmation and her refund', () => { const k = body.items.map((x) => x.kind); expect(k).to.include('booking.confirmed'); expect(k).to.include('booking.refunded'); });
}`,
  }),
  R('Unread count (A)', 'GET', C + '/api/notifications/unread', { auth: 'tokenA', test: `status(200); check('a count', () => expect(body.unread).to.be.a('number'));` }),
  R('Mark a notification read (A)', 'POST', C + '/api/notifications/{{notifA}}/read', {
    auth: 'tokenA', test: `status(200); check('read', () => { expect(body.id).to.eql(get('notifA')); expect(body.read_at).to.be.a('string'); });`,
  }),
  R("B cannot mark A's notification: 404", 'POST', C + '/api/notifications/{{notifA}}/read', { auth: 'tokenB', test: `error(404, 'NOT_FOUND');` }),
  R('Log out (A)', 'DELETE', C + '/api/sessions/current', { auth: 'tokenA', test: `status(204);` }),
  R('The old token no longer works', 'GET', C + '/api/users/me', { auth: 'tokenA', test: `error(401, 'UNAUTHENTICATED');` }),
  R('C deletes own account', 'DELETE', C + '/api/users/{{idC}}', { auth: 'tokenC', test: `status(204);` }),
  R("C's session is gone with the account", 'GET', C + '/api/users/me', { auth: 'tokenC', test: `error(401, 'UNAUTHENTICATED');` }),
  R('Who the admin is', 'GET', C + '/api/users/me', { auth: 'tokenAdmin', test: `status(200); save('idAdmin', body.id);` }),
  R('The last admin keeps the role', 'PATCH', C + '/api/users/{{idAdmin}}', { auth: 'tokenAdmin', body: { role: 'user' }, test: `error(409, 'LAST_ADMIN');` }),
  R('The last admin cannot be deleted', 'DELETE', C + '/api/users/{{idAdmin}}', { auth: 'tokenAdmin', test: `error(409, 'LAST_ADMIN');` }),
  R('Admin deletes user A', 'DELETE', C + '/api/users/{{idA}}', { auth: 'tokenAdmin', test: `status(204);` }),
  R('A is gone', 'GET', C + '/api/users/{{idA}}', { auth: 'tokenAdmin', test: `error(404, 'NOT_FOUND');` }),
]));

folders.push(F('8 ticket-app admin', 'Events and seats (admin token), statistics, bookings as client-app sees them, notifications.', [
  R('Create event: no token', 'POST', T + '/api/events', { body: { name: 'x' }, test: `error(401, 'UNAUTHENTICATED');` }),
  R('Create event: service token is not admin', 'POST', T + '/api/events', { auth: 'ticket_service_token', body: { name: 'x' }, test: `error(403, 'FORBIDDEN');` }),
  R('Create event: invalid layout', 'POST', T + '/api/events', {
    auth: 'ticket_admin_token',
    body: { name: 'Broken', venue: 'Nowhere', starts_at: '2030-01-01T19:00:00Z', description: '', currency: 'IDR', layout: { sections: [] } },
    test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R('Create event', 'POST', T + '/api/events', {
    auth: 'ticket_admin_token',
    body: {
      name: 'Postman Jazz Evening {{run}}', venue: 'Taman Ismail Marzuki', starts_at: '2030-06-01T12:00:00Z',
      description: 'Created by the Postman collection.', currency: 'IDR',
      layout: { sections: [{ name: 'Floor', rows: ['A', 'B'], seats_per_row: 5, price: 300000 }, { name: 'Balcony', rows: ['C'], seats_per_row: 4, price: 150000 }] },
    },
    test: `status(201); check('14 OPEN seats', () => { expect(body.seat_counts.total).to.eql(14); expect(body.seat_counts.open).to.eql(14); });
save('newEvent', body.id);`,
  }),
  R('Create event: unknown time zone', 'POST', T + '/api/events', {
    auth: 'ticket_admin_token',
    body: { name: 'Nowhere', venue: 'Nowhere', starts_at: '2030-01-01T19:00:00Z', currency: 'IDR', timezone: 'Mars/Olympus_Mons' },
    test: `error(400, 'VALIDATION_FAILED'); check('names the field', () => expect(body.error.details).to.have.property('timezone'));`,
  }),
  R('Create a draft event (New York)', 'POST', T + '/api/events', {
    auth: 'ticket_admin_token',
    body: {
      name: 'Postman Draft {{run}}', venue: 'Carnegie Hall', starts_at: '2030-07-04T23:30:00Z', timezone: 'America/New_York', currency: 'USD',
      sales_start_at: '2030-06-01T00:00:00Z', publish: false,
      layout: { sections: [{ name: 'Stalls', rows: ['A'], seats_per_row: 2, price: 1000 }] },
    },
    test: `status(201); check('a DRAFT, local time in EDT', () => { expect(body.status).to.eql('DRAFT'); expect(body.starts_at_local).to.eql('2030-07-04T19:30:00-04:00'); expect(body.sales_end_at).to.eql(body.starts_at); });
save('draftEvent', body.id);`,
  }),
  R('The draft is hidden from anyone', 'GET', T + '/api/events/{{draftEvent}}', { test: `error(404, 'NOT_FOUND');` }),
  R('The admin sees the draft', 'GET', T + '/api/events/{{draftEvent}}', { auth: 'ticket_admin_token', test: `status(200); check('DRAFT', () => expect(body.status).to.eql('DRAFT'));` }),
  R('Publish the draft', 'POST', T + '/api/events/{{draftEvent}}/publish', {
    auth: 'ticket_admin_token',
    test: `status(200); check('published; sales open later: SCHEDULED', () => { expect(body.status).to.eql('SCHEDULED'); expect(body.published_at).to.be.a('string'); });`,
  }),
  R('Publish: not an admin', 'POST', T + '/api/events/{{draftEvent}}/publish', { auth: 'ticket_service_token', test: `error(403, 'FORBIDDEN');` }),
  R('Now anyone sees it', 'GET', T + '/api/events/{{draftEvent}}', { test: `status(200); check('SCHEDULED', () => expect(body.status).to.eql('SCHEDULED'));` }),
  R('Delete the published draft', 'DELETE', T + '/api/events/{{draftEvent}}', { auth: 'ticket_admin_token', test: `status(204);` }),
  R('Get the new event', 'GET', T + '/api/events/{{newEvent}}', { test: `status(200); check('name', () => expect(body.name).to.include('Postman Jazz Evening'));` }),
  R('Publish the new event (already published: unchanged)', 'POST', T + '/api/events/{{newEvent}}/publish', { auth: 'ticket_admin_token', test: `status(200); check('published', () => expect(body.published_at).to.be.a('string'));` }),
  R('Rename the event', 'PATCH', T + '/api/events/{{newEvent}}', {
    auth: 'ticket_admin_token', body: { name: 'Postman Jazz Night {{run}}' },
    test: `status(200); check('renamed', () => expect(body.name).to.include('Postman Jazz Night'));`,
  }),
  R('Patch event: bad date', 'PATCH', T + '/api/events/{{newEvent}}', { auth: 'ticket_admin_token', body: { starts_at: 'tomorrow' }, test: `error(400, 'VALIDATION_FAILED');` }),
  R('Add a seat', 'POST', T + '/api/events/{{newEvent}}/seats', {
    auth: 'ticket_admin_token', body: { label: 'C-5', section: 'Balcony', row: 'C', number: 5, price: 150000 },
    test: `status(201); check('OPEN seat C-5', () => { expect(body.label).to.eql('C-5'); expect(body.status).to.eql('OPEN'); }); save('newSeat', body.id);`,
  }),
  R('Add a seat: label taken', 'POST', T + '/api/events/{{newEvent}}/seats', {
    auth: 'ticket_admin_token', body: { label: 'C-5', section: 'Balcony', row: 'C', number: 5, price: 150000 },
    test: `check('409', () => expect(pm.response.code).to.eql(409));`,
  }),
  R('Reprice the seat', 'PATCH', T + '/api/seats/{{newSeat}}', {
    auth: 'ticket_admin_token', body: { price: 175000 }, test: `status(200); check('price', () => expect(body.price).to.eql(175000));`,
  }),
  R('Delete the seat', 'DELETE', T + '/api/seats/{{newSeat}}', { auth: 'ticket_admin_token', test: `status(204);` }),
  R('B holds seat 3', 'POST', C + '/api/bookings', {
    auth: 'tokenB', body: { event_id: '{{eventId}}', seat_ids: ['{{seat3}}'] },
    test: `status(201); save('bookingB3', body.id);`,
  }),
  R('Delete a held seat: 409', 'DELETE', T + '/api/seats/{{seat3}}', { auth: 'ticket_admin_token', test: `check('409', () => expect(pm.response.code).to.eql(409));` }),
  R('Reprice a held seat: 409', 'PATCH', T + '/api/seats/{{seat3}}', { auth: 'ticket_admin_token', body: { price: 1 }, test: `check('409', () => expect(pm.response.code).to.eql(409));` }),
  R('Cancel at ticket-app (admin)', 'POST', T + '/api/bookings/{{bookingB3}}/cancel', {
    auth: 'ticket_admin_token', test: `status(200); check('CANCELLED', () => expect(body.status).to.eql('CANCELLED'));`,
  }),
  R('Seats of the new event', 'GET', T + '/api/events/{{newEvent}}/seats', { test: `status(200); check('14 seats', () => expect(body.items.length).to.eql(14));` }),
  R('Cancel the new event (no bookings)', 'POST', T + '/api/events/{{newEvent}}/cancel', { auth: 'ticket_admin_token', test: `status(200); check('CANCELLED', () => expect(body.status).to.eql('CANCELLED'));` }),
  R('Delete the new event', 'DELETE', T + '/api/events/{{newEvent}}', { auth: 'ticket_admin_token', test: `status(204);` }),
  R('The deleted event is gone', 'GET', T + '/api/events/{{newEvent}}', { test: `error(404, 'NOT_FOUND');` }),
  R('Delete an event with bookings: 409', 'DELETE', T + '/api/events/{{eventId}}', { auth: 'ticket_admin_token', test: `error(409, 'EVENT_HAS_BOOKINGS');` }),
  R('Event statistics', 'GET', T + '/api/events/{{eventId}}/stats', {
    auth: 'ticket_admin_token',
    test: `status(200); check('seats, bookings, revenue, checked_in', () => { expect(body.seats).to.include.keys('open', 'on_going', 'booked'); expect(body.bookings).to.be.an('object'); expect(body.revenue).to.be.a('number'); expect(body.checked_in).to.be.at.least(1); });`,
  }),
  R('Statistics without token', 'GET', T + '/api/events/{{eventId}}/stats', { test: `error(401, 'UNAUTHENTICATED');` }),
  R('Cancel at ticket-app: a FAILED booking', 'POST', T + '/api/bookings/{{bookingTFailed}}/cancel', { auth: 'ticket_admin_token', test: `error(409, 'NOT_CANCELLABLE');` }),
  R('Booking status at ticket-app (admin)', 'GET', T + '/api/bookings/{{bookingB3}}', {
    auth: 'ticket_admin_token', test: `status(200); check('CANCELLED, version counts the changes', () => { expect(body.status).to.eql('CANCELLED'); expect(body.version).to.be.at.least(2); });`,
  }),
  R('ticket-app bookings: no token', 'POST', T + '/api/bookings', { body: {}, test: `error(401, 'UNAUTHENTICATED');` }),
  R('ticket-app bookings: invalid (service)', 'POST', T + '/api/bookings', {
    auth: 'ticket_service_token', body: { booking_id: 'x', user_id: 'y', event_id: '{{eventId}}', seat_ids: [] },
    test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R('ticket-app booking: unknown id', 'GET', T + '/api/bookings/00000000-0000-4000-8000-00000000dead', { auth: 'ticket_admin_token', test: `error(404, 'NOT_FOUND');` }),
  R('Notifications sent to client-app (admin)', 'GET', T + '/api/notifications?limit=5', { auth: 'ticket_admin_token', test: `status(200); ${isList}` }),
]));

folders.push(F('9 client-app admin and web UI', 'The web UI files and what client-app adds for it: event management passed to ticket-app (the admin token stays on the server), posters (postman/poster.png, a 16x16 PNG; in the Postman app, pick that file for the upload request).', [
  R('Box office: find B by username', 'GET', C + '/api/bookings?q={{userB}}', {
    auth: 'tokenAdmin', test: `status(200); check("B's gate booking", () => expect(body.items.map((b) => b.id)).to.include(get('bookingGate')));`,
  }),
  R('Box office: users may not search (403)', 'GET', C + '/api/bookings?q=x', { auth: 'tokenB', test: `error(403, 'FORBIDDEN');` }),
  R('Box office: attendee list (CSV)', 'GET', C + '/api/admin/events/{{eventId}}/attendees.csv', {
    auth: 'tokenAdmin',
    test: `status(200); check('RFC 4180 CSV with its header', () => { expect(pm.response.headers.get('Content-Type')).to.include('text/csv'); expect(pm.response.text().split('\\r\\n')[0]).to.eql('seat,section,attendee,id_number,holder,booking_code,status,checked_in_at'); });`,
  }),
  R('Web UI page', 'GET', C + '/', {
    test: `status(200); check('HTML with a strict CSP', () => { expect(pm.response.headers.get('Content-Type')).to.include('text/html'); expect(pm.response.headers.get('Content-Security-Policy')).to.include("script-src 'self'"); expect(pm.response.headers.get('X-Frame-Options')).to.eql('DENY'); });`,
  }),
  R('Web UI script', 'GET', C + '/assets/app.js', {
    test: `status(200); check('JavaScript with an ETag', () => { expect(pm.response.headers.get('Content-Type')).to.include('javascript'); expect(pm.response.headers.get('ETag')).to.be.a('string'); });
save('etag', pm.response.headers.get('ETag'));`,
  }),
  R('Web UI script, unchanged: 304', 'GET', C + '/assets/app.js', { headers: { 'If-None-Match': '{{etag}}' }, test: `status(304);` }),
  R('Web UI: traversal attempt', 'GET', C + '/assets/..%2f..%2fetc%2fpasswd', { test: `status(404);` }),
  R('Admin event: as a user, forbidden', 'POST', C + '/api/admin/events', { auth: 'tokenB', body: { name: 'x' }, test: `error(403, 'FORBIDDEN');` }),
  R('Admin event: invalid (ticket-app answers)', 'POST', C + '/api/admin/events', {
    auth: 'tokenAdmin', body: { name: '', layout: {} }, test: `error(400, 'VALIDATION_FAILED');`,
  }),
  R('Admin event: create', 'POST', C + '/api/admin/events', {
    auth: 'tokenAdmin',
    body: { name: 'Postman Gamelan Night {{run}}', venue: 'Bentara Budaya', starts_at: '2030-07-01T12:00:00Z', description: 'Created through client-app.', currency: 'IDR',
      layout: { sections: [{ name: 'Hall', rows: ['A'], seats_per_row: 6, price: 100000 }] } },
    test: `status(201); check('6 seats', () => expect(body.seat_counts.total).to.eql(6)); save('uiEvent', body.id);`,
  }),
  R('Admin event: rename', 'PATCH', C + '/api/admin/events/{{uiEvent}}', {
    auth: 'tokenAdmin', body: { description: 'Renamed through client-app.' },
    test: `status(200); check('changed', () => expect(body.description).to.eql('Renamed through client-app.'));`,
  }),
  R('Admin event: publish (already published: unchanged)', 'POST', C + '/api/admin/events/{{uiEvent}}/publish', { auth: 'tokenAdmin', test: `status(200); check('the event', () => expect(body.id).to.eql(get('uiEvent')));` }),
  R('Admin event: statistics', 'GET', C + '/api/admin/events/{{uiEvent}}/stats', {
    auth: 'tokenAdmin', test: `status(200); check('6 open', () => expect(body.seats.open).to.eql(6));`,
  }),
  R('Poster: not an image', 'PUT', C + '/api/admin/events/{{uiEvent}}/poster', {
    auth: 'tokenAdmin', headers: { 'Content-Type': 'image/png' }, body: 'this is not a PNG', test: `error(415, 'UNSUPPORTED_MEDIA_TYPE');`,
  }),
  R('Poster: upload', 'PUT', C + '/api/admin/events/{{uiEvent}}/poster', {
    auth: 'tokenAdmin', file: 'poster.png', fileType: 'image/png',
    test: `status(200); check('a 16x16 PNG', () => { expect(body.content_type).to.eql('image/png'); expect(body.width).to.eql(16); expect(body.height).to.eql(16); });`,
  }),
  R('Poster: anyone sees it', 'GET', C + '/api/events/{{uiEvent}}/poster', {
    test: `status(200); check('image/png, nosniff', () => { expect(pm.response.headers.get('Content-Type')).to.include('image/png'); expect(pm.response.headers.get('X-Content-Type-Options')).to.eql('nosniff'); });`,
  }),
  R('Poster: delete', 'DELETE', C + '/api/admin/events/{{uiEvent}}/poster', { auth: 'tokenAdmin', test: `status(204);` }),
  R('Poster: gone', 'GET', C + '/api/events/{{uiEvent}}/poster', { test: `error(404, 'NOT_FOUND');` }),
  R('Admin event: publish (already on sale: unchanged)', 'POST', C + '/api/admin/events/{{uiEvent}}/publish', {
    auth: 'tokenAdmin', test: `status(200); check('ON_SALE', () => expect(body.status).to.eql('ON_SALE'));`,
  }),
  R('Admin event: cancel', 'POST', C + '/api/admin/events/{{uiEvent}}/cancel', {
    auth: 'tokenAdmin', test: `status(200); check('CANCELLED', () => expect(body.status).to.eql('CANCELLED'));`,
  }),
  R('Admin event: cancel as a user, forbidden', 'POST', C + '/api/admin/events/{{uiEvent}}/cancel', { auth: 'tokenB', test: `error(403, 'FORBIDDEN');` }),
  R('Admin event: a cancelled event is not published', 'POST', C + '/api/admin/events/{{uiEvent}}/publish', { auth: 'tokenAdmin', test: `error(409, 'EVENT_CANCELLED');` }),
  R('Admin event: delete', 'DELETE', C + '/api/admin/events/{{uiEvent}}', { auth: 'tokenAdmin', test: `status(204);` }),
  R('Admin event: delete one with bookings', 'DELETE', C + '/api/admin/events/{{eventId}}', { auth: 'tokenAdmin', test: `error(409, 'EVENT_HAS_BOOKINGS');` }),
]));

folders.push(F('10 payment-app service API', 'What services (and operators) call with PAYMENT_SERVICE_TOKEN.', [
  R('Create invoice: no token', 'POST', P + '/api/invoices', { body: {}, test: `error(401, 'UNAUTHENTICATED');` }),
  R('Create invoice: invalid', 'POST', P + '/api/invoices', {
    auth: 'payment_service_token', body: { booking_id: 'nope', amount: 'ten', currency: 'rupiah', expires_at: 'soon' },
    test: `error(400, 'VALIDATION_FAILED'); check('details per field', () => expect(body.error.details).to.include.keys('booking_id', 'amount', 'currency', 'expires_at'));`,
  }),
  R('Create invoice', 'POST', P + '/api/invoices', {
    auth: 'payment_service_token',
    pre: `pm.collectionVariables.set('invBooking', pm.variables.replaceIn('{{$guid}}'));
pm.variables.set('invExpires', new Date(Date.now() + 3600e3).toISOString().replace(/\\.\\d+Z$/, 'Z'));`,
    body: { booking_id: '{{invBooking}}', amount: 125000, currency: 'IDR', expires_at: '{{invExpires}}', description: 'Postman test invoice' },
    test: `status(201); ${isInvoice} check('PENDING', () => expect(body.status).to.eql('PENDING')); save('invoiceX', body.invoice_number);`,
  }),
  R('Create invoice again: same invoice', 'POST', P + '/api/invoices', {
    auth: 'payment_service_token',
    body: { booking_id: '{{invBooking}}', amount: 125000, currency: 'IDR', expires_at: '{{invExpires}}', description: 'Postman test invoice' },
    test: `status(200); check('same number', () => expect(body.invoice_number).to.eql(get('invoiceX')));`,
  }),
  R('List invoices by booking', 'GET', P + '/api/invoices?booking_id={{invBooking}}', {
    auth: 'payment_service_token', test: `status(200); ${isList} check('one', () => expect(body.items[0].invoice_number).to.eql(get('invoiceX')));`,
  }),
  R('Refund a pending invoice: 409', 'POST', P + '/api/invoices/{{invoiceX}}/refund', { auth: 'payment_service_token', test: `error(409, 'INVOICE_NOT_PAID');` }),
  R('Void: no token', 'POST', P + '/api/invoices/{{invoiceX}}/void', { test: `error(401, 'UNAUTHENTICATED');` }),
  R('Void the invoice', 'POST', P + '/api/invoices/{{invoiceX}}/void', { auth: 'payment_service_token', test: `status(200); check('VOID', () => expect(body.status).to.eql('VOID'));` }),
  R('Void again: same answer', 'POST', P + '/api/invoices/{{invoiceX}}/void', { auth: 'payment_service_token', test: `status(200); check('VOID', () => expect(body.status).to.eql('VOID'));` }),
  R('Pay a void invoice: INVOICE_FINAL', 'POST', P + '/api/invoices/{{invoiceX}}/pay', { body: { method: 'card' }, test: `error(409, 'INVOICE_FINAL');` }),
  R("Refund A's refunded invoice again: same answer", 'POST', P + '/api/invoices/{{invoiceA}}/refund', { auth: 'payment_service_token', test: `status(200); check('REFUNDED', () => expect(body.status).to.eql('REFUNDED'));` }),
  R('Void a refunded invoice: 409', 'POST', P + '/api/invoices/{{invoiceA}}/void', { auth: 'payment_service_token', test: `error(409, 'INVOICE_NOT_PENDING');` }),
  R('Webhook deliveries: no token', 'GET', P + '/api/webhook-deliveries', { test: `error(401, 'UNAUTHENTICATED');` }),
  R('Webhook deliveries (delivered)', 'GET', P + '/api/webhook-deliveries?status=delivered&limit=50', {
    auth: 'payment_service_token',
    test: `status(200); ${isList}
const mine = body.items.find((d) => d.payload && d.payload.data && d.payload.data.invoice && d.payload.data.invoice.invoice_number === get('invoiceA'));
check("A's invoice.paid was delivered", () => { expect(mine).to.be.an('object'); expect(mine.delivered_at).to.be.a('string'); });
save('deliveryId', mine && (mine.id || mine.event_id));`,
  }),
  R('One delivery with its attempt log', 'GET', P + '/api/webhook-deliveries/{{deliveryId}}', {
    auth: 'payment_service_token', test: `status(200); check('attempt_log', () => { expect(body.attempt_log).to.be.an('array').that.is.not.empty; expect(body.attempt_log[0]).to.include.keys('attempted_at', 'status'); });`,
  }),
  R('Replay the delivery', 'POST', P + '/api/webhook-deliveries/{{deliveryId}}/replay', { auth: 'payment_service_token', test: `status(202);` }),
  R('Delivery: unknown id', 'GET', P + '/api/webhook-deliveries/evt_00000000000000000000', { auth: 'payment_service_token', test: `error(404, 'NOT_FOUND');` }),
]));

folders.push(F('11 Signatures', 'Signed calls between services: ticket-app /webhooks/payment (WEBHOOK_SECRET) and client-app /internal/notifications (NOTIFY_SECRET). Forged, stale or missing signatures are 401.', [
  R('Webhook: no signature', 'POST', T + '/webhooks/payment', {
    body: { id: 'evt_postman_nosig', type: 'invoice.paid', created_at: '2030-01-01T00:00:00Z', data: { invoice: {} } },
    test: `error(401, 'INVALID_SIGNATURE');`,
  }),
  R('Webhook: forged signature', 'POST', T + '/webhooks/payment', {
    headers: { 'X-Signature': 't={{$timestamp}},v1=0000000000000000000000000000000000000000000000000000000000000000' },
    body: { id: 'evt_postman_forged', type: 'invoice.paid', created_at: '2030-01-01T00:00:00Z', data: { invoice: {} } },
    test: `error(401, 'INVALID_SIGNATURE');`,
  }),
  R('Webhook: stale signature (20 min old)', 'POST', T + '/webhooks/payment', {
    pre: `pm.variables.set('sig_age', 1200);` + signWith('webhook_secret', 'sig'),
    headers: { 'X-Signature': '{{sig}}' },
    body: { id: 'evt_postman_stale_{{run}}', type: 'invoice.paid', created_at: '2030-01-01T00:00:00Z', data: { invoice: {} } },
    test: `error(401, 'INVALID_SIGNATURE');`,
  }),
  R('Webhook: signed event for an unknown invoice', 'POST', T + '/webhooks/payment', {
    pre: `pm.variables.set('sig_age', 0);` + signWith('webhook_secret', 'sig'),
    headers: { 'X-Signature': '{{sig}}' },
    body: { id: 'evt_postman_{{run}}', type: 'invoice.failed', created_at: '2030-01-01T00:00:00Z', data: { invoice: { invoice_number: 'INV-POSTMAN00000', booking_id: '00000000-0000-4000-8000-00000000dead', status: 'FAILED' } } },
    test: `status(204);`,
  }),
  R('Webhook: the same event again (applied once)', 'POST', T + '/webhooks/payment', {
    pre: `pm.variables.set('sig_age', 0);` + signWith('webhook_secret', 'sig'),
    headers: { 'X-Signature': '{{sig}}' },
    body: { id: 'evt_postman_{{run}}', type: 'invoice.failed', created_at: '2030-01-01T00:00:00Z', data: { invoice: { invoice_number: 'INV-POSTMAN00000', booking_id: '00000000-0000-4000-8000-00000000dead', status: 'FAILED' } } },
    test: `status(204);`,
  }),
  R('Notification: forged signature', 'POST', C + '/internal/notifications', {
    headers: { 'X-Signature': 't={{$timestamp}},v1=0000000000000000000000000000000000000000000000000000000000000000' },
    body: { id: 'ntf_postman', type: 'booking.confirmed', created_at: '2030-01-01T00:00:00Z', data: { booking: {} } },
    test: `check('401', () => expect(pm.response.code).to.eql(401));`,
  }),
  R('Notification: signed, unknown type (acknowledged)', 'POST', C + '/internal/notifications', {
    pre: `pm.variables.set('sig_age', 0);` + signWith('notify_secret', 'sig'),
    headers: { 'X-Signature': '{{sig}}' },
    body: { id: 'ntf_postman_{{run}}', type: 'booking.something_new', created_at: '2030-01-01T00:00:00Z', data: {} },
    test: `status(204);`,
  }),
]));

// ---- outcomes forced by configuration ----
const forcedLogin = (who) => [
  R(`Log in ${who} (forced outcome)`, 'POST', C + '/api/sessions', {
    body: { login: who, password: 'demo-password' },
    test: `status(201); save('tokenF', body.token);`,
  }),
];
// the Sunday matinee: the seeded train needs a passenger name per seat
const pickSeat = (suffix) => R('Pick an OPEN seat ' + suffix, 'GET', C + '/api/events/5eed0000-0000-4000-8000-000000000003/seats', {
  test: `status(200); const open = body.items.filter((s) => s.status === 'OPEN');
check('an OPEN seat', () => expect(open.length).to.be.at.least(2));
save('fEvent', '5eed0000-0000-4000-8000-000000000003'); save('fSeat', open[open.length - 1].id); save('fSeat2', open[open.length - 2].id);`,
});

folders.push(F('12 Waiting room', 'A queued sale: the admin puts the event behind a waiting room (600 admissions a minute); B and a new user E join, poll their tickets until admitted, and book with their passes (X-Queue-Pass). A pass is bound to its user and event and buys once; leaving the line drops it.', [
  R('Queued event: bad queue setting', 'POST', C + '/api/admin/events', {
    auth: 'tokenAdmin', body: { name: 'x', venue: 'y', starts_at: '2030-08-01T12:00:00Z', queue: { enabled: 'yes', admit_per_minute: 0 } },
    test: `error(400, 'VALIDATION_FAILED'); check('the queue fields named', () => { expect(body.error.details).to.have.property('queue.enabled'); expect(body.error.details).to.have.property('queue.admit_per_minute'); });`,
  }),
  R('Queued event: create with its waiting room', 'POST', C + '/api/admin/events', {
    auth: 'tokenAdmin',
    body: { name: 'Postman Queued Sale {{run}}', venue: 'Istora Senayan', starts_at: '2030-08-01T12:00:00Z', currency: 'IDR',
      layout: { sections: [{ name: 'Floor', rows: ['A'], seats_per_row: 4, price: 250000 }] }, queue: { enabled: true, admit_per_minute: 600 } },
    test: `status(201); check('the queue shown', () => expect(body.queue).to.eql({ enabled: true, admit_per_minute: 600, pass_ttl_seconds: 600 })); save('qEvent', body.id);`,
  }),
  R('Queued event: anyone sees the queue setting', 'GET', C + '/api/events/{{qEvent}}', {
    test: `status(200); check('queue enabled', () => expect(body.queue.enabled).to.eql(true));`,
  }),
  R('Queued event: seats', 'GET', C + '/api/events/{{qEvent}}/seats', {
    test: `status(200); save('qSeat1', body.items[0].id); save('qSeat2', body.items[1].id);`,
  }),
  R('Register user E', 'POST', C + '/api/users', {
    body: { username: 'pm_e_{{run}}', email: 'pm_e_{{run}}@example.com', password: 'postman-pass-E' }, test: `status(201);`,
  }),
  R('Log in E', 'POST', C + '/api/sessions', {
    body: { login: 'pm_e_{{run}}', password: 'postman-pass-E' }, test: `status(201); save('tokenE', body.token);`,
  }),
  R('Book without a pass: 403', 'POST', C + '/api/bookings', {
    auth: 'tokenB', body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat1}}'] },
    test: `error(403, 'QUEUE_PASS_REQUIRED'); check('MISSING', () => expect(body.error.details.reason).to.eql('MISSING'));`,
  }),
  R('B joins the line', 'POST', C + '/api/events/{{qEvent}}/queue', {
    auth: 'tokenB',
    test: `status(201); check('a QueueTicket', () => { expect(body).to.include.keys('id', 'event_id', 'status', 'position', 'estimated_wait_seconds', 'pass', 'pass_expires_at'); expect(body.event_id).to.eql(get('qEvent')); }); save('qTicketB', body.id);`,
  }),
  R('B joins again: the same ticket', 'POST', C + '/api/events/{{qEvent}}/queue', {
    auth: 'tokenB', test: `status(200); check('same id', () => expect(body.id).to.eql(get('qTicketB')));`,
  }),
  R('E joins the line', 'POST', C + '/api/events/{{qEvent}}/queue', { auth: 'tokenE', test: `status(201);` }),
  R("B's ticket until admitted", 'GET', C + '/api/events/{{qEvent}}/queue/me', {
    auth: 'tokenB', poll: true,
    test: `if (!poll(!!body && body.status === 'ADMITTED', 'B ADMITTED')) {
  check('a pass, position 0', () => { expect(body.pass).to.be.a('string'); expect(body.pass_expires_at).to.be.a('string'); expect(body.position).to.eql(0); });
  save('passB', body.pass);
}`,
  }),
  R("E's ticket until admitted", 'GET', C + '/api/events/{{qEvent}}/queue/me', {
    auth: 'tokenE', poll: true,
    test: `if (!poll(!!body && body.status === 'ADMITTED', 'E ADMITTED')) save('passE', body.pass);`,
  }),
  R("Book with another user's pass: 403", 'POST', C + '/api/bookings', {
    auth: 'tokenB', headers: { 'X-Queue-Pass': '{{passE}}' }, body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat1}}'] },
    test: `error(403, 'QUEUE_PASS_REQUIRED'); check('WRONG_USER', () => expect(body.error.details.reason).to.eql('WRONG_USER'));`,
  }),
  R('Book with a forged pass: 403', 'POST', C + '/api/bookings', {
    auth: 'tokenB', pre: `pm.variables.set('forged', pm.collectionVariables.get('passB').slice(0, -4) + '0000');`,
    headers: { 'X-Queue-Pass': '{{forged}}' }, body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat1}}'] },
    test: `error(403, 'QUEUE_PASS_REQUIRED'); check('FORGED', () => expect(body.error.details.reason).to.eql('FORGED'));`,
  }),
  R('Book with the pass (B)', 'POST', C + '/api/bookings', {
    auth: 'tokenB', headers: { 'X-Queue-Pass': '{{passB}}' }, body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat1}}'] },
    test: `status(201); ${isBooking} check('held', () => expect(body.status).to.eql('PENDING_PAYMENT'));`,
  }),
  R('The pass buys once: 403', 'POST', C + '/api/bookings', {
    auth: 'tokenB', headers: { 'X-Queue-Pass': '{{passB}}' }, body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat2}}'] },
    test: `error(403, 'QUEUE_PASS_REQUIRED'); check('SPENT', () => expect(body.error.details.reason).to.eql('SPENT'));`,
  }),
  R('E leaves the line', 'DELETE', C + '/api/events/{{qEvent}}/queue/me', { auth: 'tokenE', test: `status(204);` }),
  R("E's ticket: LEFT", 'GET', C + '/api/events/{{qEvent}}/queue/me', {
    auth: 'tokenE', test: `status(200); check('LEFT, no pass', () => { expect(body.status).to.eql('LEFT'); expect(body.pass).to.eql(null); });`,
  }),
  R("E's pass after leaving: 403", 'POST', C + '/api/bookings', {
    auth: 'tokenE', headers: { 'X-Queue-Pass': '{{passE}}' }, body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat2}}'] },
    test: `error(403, 'QUEUE_PASS_REQUIRED'); check('LEFT', () => expect(body.error.details.reason).to.eql('LEFT'));`,
  }),
  R('Queue figures: users may not', 'GET', C + '/api/events/{{qEvent}}/queue', { auth: 'tokenB', test: `error(403, 'FORBIDDEN');` }),
  R('Queue figures (admin)', 'GET', C + '/api/events/{{qEvent}}/queue', {
    auth: 'tokenAdmin',
    test: `status(200); check('1 admitted, 1 left, none waiting', () => { expect(body.admitted).to.eql(1); expect(body.left).to.eql(1); expect(body.waiting).to.eql(0); expect(body.expired).to.eql(0); expect(body.admit_per_minute).to.eql(600); });`,
  }),
  R('Turn the waiting room off', 'PATCH', C + '/api/admin/events/{{qEvent}}', {
    auth: 'tokenAdmin', body: { queue: { enabled: false } },
    test: `status(200); check('off, the rate kept', () => expect(body.queue).to.eql({ enabled: false, admit_per_minute: 600, pass_ttl_seconds: 600 }));`,
  }),
  R('No line to join once off: 409', 'POST', C + '/api/events/{{qEvent}}/queue', { auth: 'tokenAdmin', test: `error(409, 'QUEUE_NOT_ENABLED');` }),
  R('No ticket: 404', 'GET', C + '/api/events/{{qEvent}}/queue/me', { auth: 'tokenAdmin', test: `error(404, 'NOT_FOUND');` }),
  R('Leaving a line never joined: 404', 'DELETE', C + '/api/events/{{qEvent}}/queue/me', { auth: 'tokenAdmin', test: `error(404, 'NOT_FOUND');` }),
  R('Without the waiting room, no pass needed', 'POST', C + '/api/bookings', {
    auth: 'tokenE', body: { event_id: '{{qEvent}}', seat_ids: ['{{qSeat2}}'] }, test: `status(201);`,
  }),
]));

folders.push(F('Forced: hold rejected', 'Run with ORGANIZER_FAILURE_RATE=1: the organizer refuses every hold.', [
  ...forcedLogin('bob'),
  pickSeat('(hold rejected)'),
  R('Book: HOLD_REJECTED', 'POST', C + '/api/bookings', {
    auth: 'tokenF', body: { event_id: '{{fEvent}}', seat_ids: ['{{fSeat}}'], attendees: [{ seat_id: '{{fSeat}}', name: 'Postman Passenger' }] },
    test: `error(409, 'HOLD_REJECTED');
check('FAILED with HOLD_REJECTED, no payment', () => { expect(body.booking.status).to.eql('FAILED'); expect(body.booking.failure_reason).to.eql('HOLD_REJECTED'); expect(body.booking.payment).to.eql(null); });
save('fBooking', body.booking.id);`,
  }),
  R('The rejected booking is in the history', 'GET', C + '/api/bookings/{{fBooking}}', {
    auth: 'tokenF', test: `status(200); check('FAILED', () => { expect(body.status).to.eql('FAILED'); expect(body.failure_reason).to.eql('HOLD_REJECTED'); });`,
  }),
  R('The seat stayed OPEN', 'GET', C + '/api/events/{{fEvent}}/seats', {
    test: `status(200); check('OPEN', () => expect(body.items.find((s) => s.id === get('fSeat')).status).to.eql('OPEN'));`,
  }),
]));

folders.push(F('Forced: payment fails, hold expires', 'Run with PAYMENT_FAILURE_RATE=1 HOLD_TTL_SECONDS=4: every payment is declined, and a hold nobody pays expires after 4 s.', [
  ...forcedLogin('carol'),
  pickSeat('(payment fails)'),
  R('Book (to be declined)', 'POST', C + '/api/bookings', {
    auth: 'tokenF', body: { event_id: '{{fEvent}}', seat_ids: ['{{fSeat}}'], attendees: [{ seat_id: '{{fSeat}}', name: 'Postman Passenger' }] },
    test: `status(201); save('fBooking', body.id); save('fInvoice', body.payment.invoice_number);`,
  }),
  R('Pay (declined later)', 'POST', P + '/api/invoices/{{fInvoice}}/pay', { body: { method: 'card' }, test: `status(202);` }),
  R('Wait until FAILED with PAYMENT_FAILED', 'GET', C + '/api/bookings/{{fBooking}}', {
    auth: 'tokenF', poll: true,
    test: `if (!poll(!!body && body.status === 'FAILED', 'booking FAILED')) check('PAYMENT_FAILED', () => expect(body.failure_reason).to.eql('PAYMENT_FAILED'));`,
  }),
  R('The invoice is FAILED with a reason', 'GET', P + '/api/invoices/{{fInvoice}}', {
    test: `status(200); check('FAILED, reason', () => { expect(body.status).to.eql('FAILED'); expect(body.failure_reason).to.be.a('string').and.not.empty; });`,
  }),
  R('No ticket for a failed booking', 'GET', C + '/api/bookings/{{fBooking}}/ticket.pdf', { auth: 'tokenF', test: `error(409, 'TICKET_NOT_READY');` }),
  R('Cancel a failed booking: 409', 'POST', C + '/api/bookings/{{fBooking}}/cancel', { auth: 'tokenF', test: `error(409, 'NOT_CANCELLABLE');` }),
  R('The declined seat is OPEN again', 'GET', C + '/api/events/{{fEvent}}/seats', {
    test: `status(200); check('OPEN', () => expect(body.items.find((s) => s.id === get('fSeat')).status).to.eql('OPEN'));`,
  }),
  R('Book (never paid)', 'POST', C + '/api/bookings', {
    auth: 'tokenF', body: { event_id: '{{fEvent}}', seat_ids: ['{{fSeat2}}'], attendees: [{ seat_id: '{{fSeat2}}', name: 'Postman Passenger' }] },
    test: `status(201); save('fBooking2', body.id); save('fInvoice2', body.payment.invoice_number);`,
  }),
  R('Wait until EXPIRED', 'GET', C + '/api/bookings/{{fBooking2}}', {
    auth: 'tokenF', poll: true, test: `poll(!!body && body.status === 'EXPIRED', 'booking EXPIRED');`,
  }),
  R('Paying an expired hold is refused', 'POST', P + '/api/invoices/{{fInvoice2}}/pay', {
    body: { method: 'card' },
    test: `check('409 INVOICE_FINAL or INVOICE_EXPIRED', () => { expect(pm.response.code).to.eql(409); expect(body.error.code).to.be.oneOf(['INVOICE_FINAL', 'INVOICE_EXPIRED']); });`,
  }),
  R('The expired seat is OPEN again', 'GET', C + '/api/events/{{fEvent}}/seats', {
    test: `status(200); check('OPEN', () => expect(body.items.find((s) => s.id === get('fSeat2')).status).to.eql('OPEN'));`,
  }),
]));

folders.push(F('Forced: two-phase hold, selection lapses', 'Run with SELECTION_TTL_SECONDS=3: seats held for selection ("checkout": false) are HELD for 3 s; checkout within them opens the payment window, after them it is 409 HOLD_EXPIRED and the seats are released.', [
  ...forcedLogin('alice'),
  pickSeat('(two-phase hold)'),
  R('Select a seat: HELD, no payment yet', 'POST', C + '/api/bookings', {
    auth: 'tokenF', body: { event_id: '{{fEvent}}', seat_ids: ['{{fSeat}}'], attendees: [{ seat_id: '{{fSeat}}', name: 'Postman Passenger' }], checkout: false },
    test: `status(201); ${isBooking}
check('HELD for selection: payment null, hold_expires_at within 3 s', () => {
  expect(body.status).to.eql('HELD');
  expect(body.payment).to.eql(null);
  const left = Date.parse(body.hold_expires_at) - Date.now();
  expect(left).to.be.within(-1000, 4000);
});
save('fBooking', body.id);`,
  }),
  R('The selected seat is ON_GOING', 'GET', C + '/api/events/{{fEvent}}/seats', {
    test: `status(200); check('ON_GOING', () => expect(body.items.find((s) => s.id === get('fSeat')).status).to.eql('ON_GOING'));`,
  }),
  R('Checkout: PENDING_PAYMENT with the payment window', 'POST', C + '/api/bookings/{{fBooking}}/checkout', {
    auth: 'tokenF',
    test: `status(201); ${isBooking}
check('PENDING_PAYMENT, an invoice, expires_at minutes away', () => {
  expect(body.status).to.eql('PENDING_PAYMENT');
  expect(body.payment.invoice_number).to.match(/^INV-[A-Z0-9]{12}$/);
  expect(Date.parse(body.payment.expires_at) - Date.now()).to.be.above(60000);
  expect(body.hold_expires_at).to.eql(null);
});
save('fInvoice', body.payment.invoice_number);`,
  }),
  R('Checkout again (a retry): the same booking', 'POST', C + '/api/bookings/{{fBooking}}/checkout', {
    auth: 'tokenF',
    test: `status(201); check('the same invoice', () => { expect(body.status).to.eql('PENDING_PAYMENT'); expect(body.payment.invoice_number).to.eql(get('fInvoice')); });`,
  }),
  R('ticket-app: checkout named for another user: 404', 'POST', T + '/api/bookings/{{fBooking}}/checkout', {
    auth: 'ticket_service_token', body: { user_id: '00000000-0000-4000-8000-0000000000aa' }, test: `error(404, 'NOT_FOUND');`,
  }),
  R('Select another seat (left to lapse)', 'POST', C + '/api/bookings', {
    auth: 'tokenF', body: { event_id: '{{fEvent}}', seat_ids: ['{{fSeat2}}'], attendees: [{ seat_id: '{{fSeat2}}', name: 'Postman Passenger' }], checkout: false },
    test: `status(201); check('HELD', () => expect(body.status).to.eql('HELD')); save('fBooking2', body.id);`,
  }),
  R('Wait until the selection EXPIRED', 'GET', C + '/api/bookings/{{fBooking2}}', {
    auth: 'tokenF', poll: true,
    test: `if (!poll(!!body && body.status === 'EXPIRED', 'selection EXPIRED')) check('HELD, then EXPIRED, in the history', () => expect(body.history.map((h) => h.status)).to.include.members(['HELD', 'EXPIRED']));`,
  }),
  R('Checkout after the selection lapsed: 409 HOLD_EXPIRED', 'POST', C + '/api/bookings/{{fBooking2}}/checkout', {
    auth: 'tokenF',
    test: `error(409, 'HOLD_EXPIRED'); check('the booking EXPIRED, no payment', () => { expect(body.booking.status).to.eql('EXPIRED'); expect(body.booking.payment).to.eql(null); });`,
  }),
  R('The lapsed seat is OPEN again', 'GET', C + '/api/events/{{fEvent}}/seats', {
    test: `status(200); check('OPEN', () => expect(body.items.find((s) => s.id === get('fSeat2')).status).to.eql('OPEN'));`,
  }),
  R('ticket-app: select and check out directly', 'POST', T + '/api/bookings', {
    auth: 'ticket_service_token',
    pre: `pm.collectionVariables.set('fBookingT', pm.variables.replaceIn('{{$guid}}'));`,
    body: { booking_id: '{{fBookingT}}', user_id: '00000000-0000-4000-8000-0000000000bb', event_id: '{{fEvent}}', seat_ids: ['{{fSeat2}}'], attendees: [{ seat_id: '{{fSeat2}}', name: 'Postman Passenger' }], checkout: false },
    test: `status(201); check('HELD, no invoice', () => { expect(body.status).to.eql('HELD'); expect(body.invoice_number).to.eql(null); expect(body.hold_expires_at).to.be.a('string'); });`,
  }),
  R('ticket-app: checkout', 'POST', T + '/api/bookings/{{fBookingT}}/checkout', {
    auth: 'ticket_service_token', body: { user_id: '00000000-0000-4000-8000-0000000000bb' },
    test: `status(201); check('PENDING_PAYMENT with an invoice', () => { expect(body.status).to.eql('PENDING_PAYMENT'); expect(body.invoice_number).to.match(/^INV-/); });`,
  }),
  R('Cancel the checked-out booking (invoice voided)', 'POST', C + '/api/bookings/{{fBooking}}/cancel', {
    auth: 'tokenF', test: `status(200); check('CANCELLED', () => expect(body.status).to.eql('CANCELLED'));`,
  }),
]));

const collection = {
  info: {
    name: 'Ticketing suite (client-app, ticket-app, payment-app)',
    description: 'Every endpoint of the three services in the order of a real session, with tests on statuses and bodies. ' +
      'Environment: ticketing.postman_environment.json (URLs; secrets from .run/secrets.env of `make up`). ' +
      'The numbered folders expect ORGANIZER_FAILURE_RATE=0 and PAYMENT_FAILURE_RATE=0; the "Forced:" folders say what they need. ' +
      '`make postman` starts suites with those values and runs everything with newman. Generated by postman/build.js.',
    schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json',
  },
  item: folders,
  variable: [{ key: 'poll_n', value: '0' }],
};

const out = path.join(__dirname, 'ticketing.postman_collection.json');
fs.writeFileSync(out, JSON.stringify(collection, null, 2) + '\n');
const n = folders.reduce((a, f) => a + f.item.length, 0);
console.log(`wrote ${path.basename(out)}: ${folders.length} folders, ${n} requests`);
