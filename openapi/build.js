// build.js: writes the OpenAPI 3.1 documents of the three services,
// client-app.json, ticket-app.json and payment-app.json, from the compact
// description below (`node openapi/build.js`; `--check` only compares and
// exits 1 when a committed document differs). The documents are committed:
// CMake embeds them in the daemons (GET /openapi.json) without Node.js.
//
// One operation per op({...}) call: its path and method as in the
// service's routes.c, who may call it, its parameters, body, answer and
// errors. Errors every operation of a kind can give (401 without a token,
// 400/413/415 for a body, 429, 500, 503) are added by the kind. Answers are
// open objects (additionalProperties allowed) so a field added later does
// not break a client; the required fields are those every answer carries.
// validate.js checks every request and answer of the Postman run
// against these documents, and the collection against the operations.
'use strict';
const fs = require('fs');
const path = require('path');

const VERSION = '2.0.0';

// ---- schema helpers ----
const ref = (name) => ({ $ref: '#/components/schemas/' + name });
const str = (extra = {}) => ({ type: 'string', ...extra });
const nstr = (extra = {}) => ({ type: ['string', 'null'], ...extra });
const int = (extra = {}) => ({ type: 'integer', ...extra });
const nint = (extra = {}) => ({ type: ['integer', 'null'], ...extra });
const bool = (extra = {}) => ({ type: 'boolean', ...extra });
const uuid = (extra = {}) => str({ format: 'uuid', ...extra });
const time = (extra = {}) => str({ format: 'date-time', ...extra });
const ntime = (extra = {}) => nstr({ format: 'date-time', ...extra });
const arr = (items, extra = {}) => ({ type: 'array', items, ...extra });
const nullable = (s) => ({ oneOf: [s, { type: 'null' }] });
// obj(required, optional): an answer object, open to added members.
const obj = (req, opt = {}, extra = {}) => ({
  type: 'object',
  required: Object.keys(req),
  properties: { ...req, ...opt },
  ...extra,
});
// input(required, optional): a request body; unknown members are ignored
// by the services, so it is open too.
const input = obj;
const money = () => int({ minimum: 0, description: 'in the currency\'s smallest unit (IDR has none below the rupiah)' });
const currency = () => str({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code', examples: ['IDR'] });

// ---- shared components ----
const commonSchemas = {
  Error: obj(
    {
      error: obj(
        {
          code: str({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'stable, UPPER_SNAKE; see each operation' }),
          message: str({ description: 'for people; may change' }),
        },
        {
          details: {
            type: 'object',
            description: 'per-field validation messages, or what the code needs (e.g. seat_ids)',
          },
        },
      ),
    },
    {},
    {
      examples: [{ error: { code: 'VALIDATION_FAILED', message: 'invalid user', details: { email: 'must be a valid email address of at most 254 characters' } } }],
    },
  ),
  Health: obj({ status: str({ enum: ['ok'] }) }, {}, { examples: [{ status: 'ok' }] }),
  HealthDown: obj({ status: str() }, { error: { type: 'object' } }, { examples: [{ status: 'unavailable', error: { code: 'SERVICE_UNAVAILABLE', message: 'database unavailable' } }] }),
};

function listOf(itemRef, example) {
  return obj(
    {
      items: arr(itemRef),
      total: int({ minimum: 0, description: 'matching items, all pages' }),
      limit: int({ minimum: 1, maximum: 500 }),
      offset: int({ minimum: 0 }),
    },
    {},
    example ? { examples: [{ items: [example], total: 1, limit: 50, offset: 0 }] } : {},
  );
}

const pagingParams = [
  { name: 'limit', in: 'query', required: false, schema: int({ minimum: 1, maximum: 500, default: 50 }), description: 'page size' },
  { name: 'offset', in: 'query', required: false, schema: int({ minimum: 0, default: 0 }), description: 'items skipped' },
];

const pathParam = (name, schema, description) => ({ name, in: 'path', required: true, schema, description });

const ERROR_TEXT = {
  400: 'Bad input: `VALIDATION_FAILED` (with `details` per field) or `MALFORMED_JSON`.',
  401: 'No valid credentials.',
  403: 'Authenticated, but not allowed.',
  404: 'Not found (or not yours).',
  409: 'Conflict with the current state.',
  413: 'The body is over 1 MiB.',
  415: 'A `Content-Type` other than `application/json`.',
  429: 'Too many requests: wait `Retry-After` seconds.',
  500: 'Our fault; the request id in `X-Request-Id` finds it in the logs.',
  503: 'A dependency (database, another service) is unavailable; retry later.',
};

// An error answer whose code is one of codes; extra: more top-level members.
function errorResponse(status, codes, opts = {}) {
  const schema = {
    allOf: [
      ref('Error'),
      obj({ error: obj({ code: str({ enum: [...new Set(codes)].sort() }) }) }, opts.extraProps || {}),
    ],
  };
  if (opts.extraRequired) schema.allOf[1].required.push(...opts.extraRequired);
  const sorted = [...new Set(codes)].sort();
  const examples = {};
  for (const c of Object.keys(opts.examples || {})) examples[c] = { value: opts.examples[c] };
  if (!Object.keys(examples).length) {
    const c = sorted[0];
    examples[c] = { value: { error: { code: c, message: (opts.messages && opts.messages[c]) || defaultMessage(c) } } };
  }
  const r = {
    description: (opts.description || ERROR_TEXT[status] || 'Error.') + ' Codes: ' + [...new Set(codes)].sort().map((c) => '`' + c + '`').join(', ') + '.',
    headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
    content: { 'application/json': { schema, examples } },
  };
  if (status === 429 || (status === 503 && opts.retryAfter)) {
    r.headers['Retry-After'] = { $ref: '#/components/headers/Retry-After' };
  }
  if (status === 401 && opts.wwwAuthenticate) {
    r.headers['WWW-Authenticate'] = { schema: str(), description: '`Bearer`' };
  }
  return r;
}

function defaultMessage(code) {
  return code.toLowerCase().replace(/_/g, ' ');
}

const headerComponents = {
  'X-Request-Id': {
    description: 'The caller\'s X-Request-Id echoed (1–64 of `[A-Za-z0-9._-]`), or one generated; passed on to the other services and written in every log line.',
    required: true,
    schema: str({ minLength: 1, maxLength: 80 }),
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: str({ pattern: '^[0-9]+$' }) },
};

const requestIdParam = {
  name: 'X-Request-Id',
  in: 'header',
  required: false,
  schema: str({ pattern: '^[A-Za-z0-9._-]{1,64}$' }),
  description: 'Optional: a caller\'s id for this request, echoed and passed on.',
};

// ---- one document ----
// kinds: how an operation's "who" adds errors and security.
function makeDoc(svc) {
  const paths = {};
  const shared = {}; // components.responses: one per distinct error answer
  const sharedKey = new Map();
  function share(status, r) {
    const key = JSON.stringify(r);
    if (!sharedKey.has(key)) {
      let n = 1;
      while (shared['Error' + status + (n > 1 ? '_' + n : '')]) n++;
      const name = 'Error' + status + (n > 1 ? '_' + n : '');
      shared[name] = r;
      sharedKey.set(key, name);
    }
    return { $ref: '#/components/responses/' + sharedKey.get(key) };
  }
  const ops = [];
  function op(o) {
    const p = (paths[o.path] = paths[o.path] || {});
    const m = o.method.toLowerCase();
    if (p[m]) throw new Error('duplicate ' + o.method + ' ' + o.path);
    const who = svc.kinds[o.who];
    if (!who) throw new Error(o.path + ': unknown who ' + o.who);
    const params = [...(o.params || [])];
    if (o.paging) params.push(...pagingParams);
    const errors = {};
    const add = (status, codes) => {
      errors[status] = [...(errors[status] || []), ...codes];
    };
    for (const [s, codes] of Object.entries(who.errors || {})) add(s, codes);
    for (const [s, codes] of Object.entries(svc.alwaysErrors || {})) add(s, codes);
    if (o.body) {
      add(400, ['MALFORMED_JSON', 'VALIDATION_FAILED']);
      add(413, ['PAYLOAD_TOO_LARGE']);
      add(415, ['UNSUPPORTED_MEDIA_TYPE']);
    }
    if (o.paging) add(400, ['VALIDATION_FAILED']);
    for (const [s, codes] of Object.entries(o.errors || {})) add(s, codes);
    const responses = {};
    const okHeaders = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' }, ...(o.okHeaders || {}) };
    for (const [status, r] of Object.entries(o.ok)) {
      const resp = { description: r.description, headers: okHeaders };
      if (r.schema) {
        const mt = r.type || 'application/json';
        resp.content = { [mt]: { schema: r.schema } };
        if (r.example !== undefined) resp.content[mt].example = r.example;
      }
      if (r.headers) resp.headers = { ...okHeaders, ...r.headers };
      responses[status] = resp;
    }
    for (const [status, codes] of Object.entries(errors).sort()) {
      const special = (o.errorOpts || {})[status] || {};
      responses[status] = share(status, errorResponse(Number(status), codes, { wwwAuthenticate: status === '401', retryAfter: true, ...special }));
    }
    const operation = {
      operationId: o.id,
      summary: o.summary,
      description: [o.description, who.text].filter(Boolean).join('\n\n'),
      tags: [o.tag],
    };
    if (who.security) operation.security = who.security;
    else operation.security = [];
    operation.parameters = [...params, requestIdParam];
    if (o.body) {
      operation.requestBody = {
        required: !o.bodyOptional,
        content: { [o.bodyType || 'application/json']: { schema: o.body } },
      };
      if (o.bodyExample !== undefined) operation.requestBody.content[o.bodyType || 'application/json'].example = o.bodyExample;
      if (o.bodyExamples) operation.requestBody.content[o.bodyType || 'application/json'].examples = o.bodyExamples;
    }
    operation.responses = responses;
    if (o.exception) operation['x-postman-exception'] = o.exception;
    p[m] = operation;
    ops.push(o);
  }
  return { paths, op, shared };
}

function finish(svc, paths, schemas, shared, extra = {}) {
  return {
    openapi: '3.1.0',
    info: {
      title: svc.title,
      version: VERSION,
      summary: svc.summary,
      description: svc.description,
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [
      ...(svc.relativeServer ? [{ url: '/', description: 'the server this document came from' }] : []),
      { url: 'http://localhost:' + svc.port, description: '`make up` (' + svc.portVar + ')' },
    ],
    tags: svc.tags,
    paths,
    components: {
      schemas: { ...commonSchemas, ...schemas },
      headers: headerComponents,
      responses: shared,
      securitySchemes: svc.securitySchemes,
      ...extra,
    },
  };
}

// Operations every daemon has.
function commonOps(op, svc, tag) {
  op({
    path: '/healthz', method: 'GET', id: 'health', tag, who: 'public_plain',
    summary: 'Health: the database answers',
    ok: { 200: { description: 'The database answers.', schema: ref('Health'), example: { status: 'ok' } } },
    errorOpts: {},
    extraResponses: {},
    errors: {},
  });
  op({
    path: '/metrics', method: 'GET', id: 'metrics', tag, who: 'public_plain',
    summary: 'Prometheus metrics',
    description: 'Request counts and latency histograms per route, database pool use and the service\'s own gauges, in the Prometheus text format 0.0.4.',
    ok: { 200: { description: 'Prometheus text.', type: 'text/plain', schema: str(), example: '# TYPE http_requests_total counter\n' } },
  });
  op({
    path: '/openapi.json', method: 'GET', id: 'openapi', tag, who: 'public_plain',
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of ' + svc.title + ', built into the daemon.',
    ok: { 200: { description: 'The document.', schema: { type: 'object', required: ['openapi', 'info', 'paths'] } } },
  });
}

// healthz answers 503 with its own body, not an Error.
function fixHealth(paths) {
  const h = paths['/healthz'].get;
  h.responses['503'] = {
    description: 'The database does not answer.',
    headers: { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } },
    content: { 'application/json': { schema: { anyOf: [ref('HealthDown'), ref('Error')] } } },
  };
}

// ---- examples (from a real run) ----
const EX = {
  user: { id: '3bd88eba-07c0-419e-897e-f262c489fdca', username: 'alice', email: 'alice@example.com', full_name: 'Alice Demo', role: 'user', created_at: '2026-12-03T09:18:03.604Z' },
  event: {
    id: '5eed0000-0000-4000-8000-000000000001', name: 'Nusantara Symphony Night', venue: 'Jakarta International Expo, Hall D',
    starts_at: '2027-01-02T12:30:00.000Z', description: 'An evening of orchestral arrangements of songs from across the archipelago.',
    currency: 'IDR', created_at: '2026-12-03T09:17:58.234Z', updated_at: '2026-12-03T09:17:58.234Z',
    seat_counts: { total: 415, open: 415, on_going: 0, booked: 0 },
    timezone: 'Asia/Jakarta', starts_at_local: '2027-01-02T19:30:00+07:00', status: 'ON_SALE',
    sales_start_at: null, sales_end_at: '2027-01-02T12:30:00.000Z', published_at: '2026-12-03T09:17:58.234Z', cancelled_at: null,
  },
  seat: { id: 'b4786be8-bb70-08c7-2d42-a6e678dd6f95', event_id: '5eed0000-0000-4000-8000-000000000001', label: 'D-1', section: 'Gold', row: 'D', number: 1, price: 1500000, status: 'OPEN' },
  booking: {
    id: '8107d9df-2f3a-40f7-af07-4db913141abc', user_id: '3bd88eba-07c0-419e-897e-f262c489fdca', event_id: '5eed0000-0000-4000-8000-000000000001',
    event_name: 'Nusantara Symphony Night', seats: [{ id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d', label: 'P-30', price: 750000 }],
    status: 'PENDING_PAYMENT', failure_reason: null, amount: 750000, currency: 'IDR',
    payment: { invoice_number: 'INV-PGQ3OY36V1E4', payment_url: 'http://localhost:8082/pay/INV-PGQ3OY36V1E4', expires_at: '2026-12-03T09:25:08.247Z' },
    ticket_url: null, origin: 'direct', created_at: '2026-12-03T09:18:08.225Z', updated_at: '2026-12-03T09:18:08.268Z',
  },
  failed: {
    id: 'b49380b7-586b-4ca7-885b-7931e796cc4a', user_id: '7ab1b4f1-5774-4811-b7d2-74e45519bee9', event_id: '5eed0000-0000-4000-8000-000000000001',
    event_name: 'Nusantara Symphony Night', seats: [{ id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d', label: 'P-30', price: 750000 }],
    status: 'FAILED', failure_reason: 'SEAT_UNAVAILABLE', amount: 750000, currency: null, payment: null, ticket_url: null,
    origin: 'direct', created_at: '2026-12-03T09:18:08.529Z', updated_at: '2026-12-03T09:18:08.529Z',
  },
  waitlist: {
    id: '481730a9-8fe0-4359-b3e7-7735a22ba66e', user_id: '7ab1b4f1-5774-4811-b7d2-74e45519bee9', event_id: '5eed0000-0000-4000-8000-000000000001',
    event_name: 'Nusantara Symphony Night', seat_id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d', seat_label: 'P-30', status: 'WAITING',
    position: 1, booking_id: null, created_at: '2026-12-03T09:18:13.252Z', updated_at: '2026-12-03T09:18:13.252Z',
  },
  stats: { event_id: '5eed0000-0000-4000-8000-000000000001', seats: { total: 415, open: 414, on_going: 0, booked: 1 }, revenue: 750000, checked_in: 1, currency: 'IDR', bookings: { PENDING_PAYMENT: 0, CONFIRMED: 1, FAILED: 1, EXPIRED: 0, CANCELLED: 3 } },
  invoice: {
    invoice_number: 'INV-PGQ3OY36V1E4', booking_id: '8107d9df-2f3a-40f7-af07-4db913141abc', amount: 750000, currency: 'IDR', status: 'PENDING',
    method: null, payment_url: 'http://localhost:8082/pay/INV-PGQ3OY36V1E4', failure_reason: null, created_at: '2026-12-03T09:18:08.262Z',
    expires_at: '2026-12-03T09:25:08.247Z', paid_at: null, description: 'Nusantara Symphony Night: P-30', updated_at: '2026-12-03T09:18:08.262Z',
  },
  ticketBooking: {
    booking_id: '8107d9df-2f3a-40f7-af07-4db913141abc', user_id: '3bd88eba-07c0-419e-897e-f262c489fdca', event_id: '5eed0000-0000-4000-8000-000000000001',
    event_name: 'Nusantara Symphony Night', status: 'PENDING_PAYMENT', failure_reason: null,
    seats: [{ id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d', label: 'P-30', section: 'Silver', price: 750000 }], amount: 750000, currency: 'IDR',
    invoice_number: 'INV-PGQ3OY36V1E4', payment_url: 'http://localhost:8082/pay/INV-PGQ3OY36V1E4', expires_at: '2026-12-03T09:25:08.247Z',
    origin: 'direct', holder: null, version: 2, ticket_ready: false, ticket_url: null, created_at: '2026-12-03T09:18:08.247Z', updated_at: '2026-12-03T09:18:08.262Z',
  },
};
EX.invoiceEvent = { id: 'evt_d2850bd7e08d35838c58a94981a8f0e3', type: 'invoice.paid', created_at: '2026-12-03T09:18:16.052Z', data: { invoice: { ...EX.invoice, status: 'PAID', method: 'card', paid_at: '2026-12-03T09:18:10.861Z' } } };
EX.delivery = {
  id: 'evt_d2850bd7e08d35838c58a94981a8f0e3', topic: 'invoice.paid', created_at: '2026-12-03T09:18:16.051Z', attempts: 1,
  next_attempt_at: null, delivered_at: '2026-12-03T09:18:16.144Z', last_status: 204, last_error: null, payload: EX.invoiceEvent,
};

// ---- shared domain schemas ----
const seatStatus = str({ enum: ['OPEN', 'ON_GOING', 'BOOKED'], description: '`ON_GOING`: held, payment pending' });
const bookingStatus = str({ enum: ['HELD', 'PENDING_PAYMENT', 'CONFIRMED', 'FAILED', 'EXPIRED', 'CANCELLED'], description: '`HELD`: seats held for selection (`"checkout": false`), no invoice until checkout' });
const failureReason = nstr({
  description: 'Only when `FAILED`: `SEAT_UNAVAILABLE`, `HOLD_REJECTED` (the organizer\'s system refused the hold), `PAYMENT_FAILED`, `TICKET_SERVICE_UNAVAILABLE`, and the sale refusals `SALES_NOT_OPEN`, `SALES_CLOSED`, `EVENT_CANCELLED`, `LIMIT_REACHED` (more than `MAX_SEATS_PER_USER` seats of the event).',
});
const eventSchema = obj(
  {
    id: uuid(), name: str(), venue: str(), starts_at: time(), description: nstr(), currency: currency(),
    seat_counts: obj({ total: int({ minimum: 0 }), open: int({ minimum: 0 }), on_going: int({ minimum: 0 }), booked: int({ minimum: 0 }) }),
    timezone: str({ description: 'IANA zone of the venue, e.g. `Asia/Jakarta` (default `UTC`)' }),
    starts_at_local: str({ description: 'RFC 3339 with the venue\'s offset, e.g. `2026-12-24T19:30:00+07:00`' }),
    status: str({ enum: ['DRAFT', 'SCHEDULED', 'ON_SALE', 'SALES_CLOSED', 'CANCELLED'], description: '`DRAFT` (admins only), `SCHEDULED` (published, sales not open yet), `ON_SALE`, `SALES_CLOSED` (sales ended or the event started), `CANCELLED`' }),
    sales_start_at: ntime({ description: 'when sales open; null: on publication' }),
    sales_end_at: ntime({ description: 'when sales end (default: `starts_at`)' }),
    created_at: time(), updated_at: time(),
  },
  {
    poster_url: nstr({ description: 'where the poster is, or null' }),
    published_at: ntime({ description: 'when it was published; null while `DRAFT`' }), cancelled_at: ntime(),
  },
  { examples: [EX.event] },
);
const seatSchema = obj(
  { id: uuid(), event_id: uuid(), label: str({ examples: ['A-12'] }), section: str(), row: str(), number: int(), price: money(), status: seatStatus },
  {},
  { examples: [EX.seat] },
);
const layoutSchema = obj({
  sections: arr(
    input({ name: str({ minLength: 1 }), rows: arr(str({ minLength: 1 }), { minItems: 1 }), seats_per_row: int({ minimum: 1 }), price: money() }),
    { minItems: 1 },
  ),
});
const eventCreate = input(
  { name: str({ minLength: 1 }), venue: str({ minLength: 1 }), starts_at: time() },
  {
    currency: { ...currency(), default: 'IDR' },
    layout: { ...layoutSchema, description: 'the seats, created `OPEN`, named `<row>-<n>`; without it, add seats one by one' },
    description: str(), timezone: str({ default: 'UTC' }), sales_start_at: time(), sales_end_at: time(), publish: bool({ default: true }),
  },
);
const eventPatch = input({}, { name: str({ minLength: 1 }), venue: str({ minLength: 1 }), starts_at: time(), description: str(), currency: currency(), timezone: str(), sales_start_at: time(), sales_end_at: time() }, { minProperties: 1 });
const eventCreateExample = {
  name: 'Jazz Evening', venue: 'Taman Ismail Marzuki', starts_at: '2030-06-01T12:00:00Z', description: 'Quartets from Jakarta.', currency: 'IDR',
  layout: { sections: [{ name: 'Stalls', rows: ['A', 'B'], seats_per_row: 4, price: 250000 }, { name: 'Balcony', rows: ['C'], seats_per_row: 6, price: 150000 }] },
};
const statsSchema = obj(
  {
    seats: obj({ open: int(), on_going: int(), booked: int() }, { total: int() }),
    bookings: { type: 'object', additionalProperties: int(), description: 'count by booking status' },
    revenue: money(), checked_in: int({ minimum: 0 }),
  },
  { event_id: uuid(), currency: currency() },
  { examples: [EX.stats] },
);
const invoiceSchema = obj(
  {
    invoice_number: str({ pattern: '^INV-[A-Z0-9]+$' }), booking_id: uuid(), amount: money(), currency: currency(),
    status: str({ enum: ['PENDING', 'PROCESSING', 'PAID', 'FAILED', 'EXPIRED', 'VOID', 'REFUNDED'] }),
    method: nstr({ enum: ['card', 'bank_transfer', 'ewallet', null] }), payment_url: str({ format: 'uri' }), failure_reason: nstr(),
    created_at: time(), expires_at: time(), paid_at: ntime(),
  },
  { description: nstr(), updated_at: time() },
  { examples: [EX.invoice] },
);
const invoiceEvent = obj(
  {
    id: str({ pattern: '^evt_' }), type: str({ enum: ['invoice.paid', 'invoice.failed', 'invoice.expired', 'invoice.refunded'] }),
    created_at: time(), data: obj({ invoice: ref('Invoice') }),
  },
  {},
  { examples: [EX.invoiceEvent] },
);
const deliverySchema = (payloadRef, example) => obj(
  {
    id: str(), topic: str(), created_at: time(), attempts: int({ minimum: 0 }), next_attempt_at: ntime(), delivered_at: ntime(),
    last_status: nint(), last_error: nstr(), payload: payloadRef,
  },
  {},
  example ? { examples: [example] } : {},
);

const checkinSeat = obj({ id: uuid() }, { label: nstr(), section: nstr() });
const checkinEvent = nullable(obj({ id: uuid() }, { name: nstr(), starts_at_local: nstr() }));
const attendee = nullable(obj({ name: str() }, { id_number: nstr() }));
const checkinSchema = obj(
  { status: str({ enum: ['ADMITTED'] }), booking_id: uuid(), seat: checkinSeat },
  { booking_code: nstr(), attendee, checked_in_at: ntime(), event: checkinEvent },
  {
    examples: [{
      status: 'ADMITTED', booking_id: '8107d9df-2f3a-40f7-af07-4db913141abc', booking_code: '7Q2M9KXD',
      seat: { id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d', label: 'P-30', section: 'Silver' }, attendee: null,
      checked_in_at: '2026-12-03T09:18:12.649Z', event: { id: '5eed0000-0000-4000-8000-000000000001', name: 'Nusantara Symphony Night', starts_at_local: '2027-01-02T19:30:00+07:00' },
    }],
  },
);
const checkinList = obj(
  {
    event: obj({ id: uuid() }, { name: nstr(), starts_at_local: nstr() }),
    counts: obj({ tickets: int({ minimum: 0 }), checked_in: int({ minimum: 0 }), not_checked_in: int({ minimum: 0 }) }),
    items: arr(obj({ booking_id: uuid(), seat: checkinSeat }, { booking_code: nstr(), attendee, checked_in_at: ntime(), scans: int() })),
    total: int({ minimum: 0 }), limit: int(), offset: int(),
  },
  {},
  { description: 'Who came in, newest first, and the counts of the event\'s tickets.' },
);
const attendeeManifest = obj(
  {
    event: obj({ id: uuid() }, { name: nstr(), starts_at_local: nstr() }),
    items: arr(obj(
      { seat: checkinSeat, booking_id: uuid(), status: bookingStatus },
      { attendee, holder: nstr({ description: 'the holder\'s name, else the user id' }), user_id: nstr(), booking_code: nstr(), checked_in_at: ntime() },
    )),
  },
  {},
  { description: 'Every seat of the event\'s bookings that hold or held it (not FAILED or EXPIRED), by section and label.' },
);
const checkinRefusalProps = { booking_id: uuid(), booking_code: nstr(), seat: checkinSeat, attendee, checked_in_at: ntime(), event: checkinEvent };
const checkinErrorOpts = {
  404: { extraProps: checkinRefusalProps, description: '`INVALID_TICKET` (forged, unknown, cancelled or not confirmed: `details.reason`), or `NOT_FOUND` (no such gate event).' },
  409: { extraProps: checkinRefusalProps, description: '`ALREADY_CHECKED_IN` (`details.checked_in_at`, `details.scans`), or `WRONG_EVENT`: a ticket of another event (`details` names it).' },
};

// ======================================================================
// client-app
// ======================================================================
function clientApp() {
  const svc = {
    title: 'client-app', port: 8080, portVar: 'CLIENT_APP_PORT', relativeServer: true,
    summary: 'What end users and the web UI call: users, sessions, events, bookings, tickets, the waitlist.',
    description: [
      'The public API of the ticketing suite (see API.md). JSON in and out; errors are `{"error":{"code","message","details?"}}`;',
      'money is an integer in the currency\'s smallest unit; times are RFC 3339 UTC; lists are `{items,total,limit,offset}` with',
      '`?limit=` (1–500, default 50) and `?offset=`. Every answer carries `X-Request-Id`.',
      '',
      'Authentication: `POST /api/sessions` gives a token; send it as `Authorization: Bearer <token>`.',
      'Rate limit: `RATE_LIMIT_PER_MINUTE` per client address and per user (`429 RATE_LIMITED` with `Retry-After`).',
      'CORS: the origins in `CORS_ORIGINS` may call every `/api` endpoint from a browser (preflights answered).',
      '',
      'Also browsable at `/docs`; the other services\' documents: ticket-app and payment-app `GET /openapi.json`.',
    ].join('\n'),
    tags: [
      { name: 'users', description: 'Accounts and sessions' },
      { name: 'events', description: 'What is on, and its seats' },
      { name: 'bookings', description: 'Holding seats, paying, the ticket, cancelling' },
      { name: 'queue', description: 'The waiting room of an event whose sale is metered' },
      { name: 'waitlist', description: 'Waiting for a taken seat' },
      { name: 'notifications', description: 'What happened to the user\'s bookings' },
      { name: 'gate', description: 'Check-in at the entrance (roles staff and admin), passed on to ticket-app' },
      { name: 'admin', description: 'Event management for the web UI (role admin), passed on to ticket-app' },
      { name: 'web', description: 'The web UI\'s files and the API documentation' },
      { name: 'internal', description: 'Callbacks from ticket-app' },
      { name: 'operations', description: 'Health, metrics, this document' },
    ],
    securitySchemes: {
      session: { type: 'http', scheme: 'bearer', description: 'The token of `POST /api/sessions`.' },
      signature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: '`t=<unix seconds>,v1=<hex HMAC-SHA256(NOTIFY_SECRET, "<t>.<raw body>")>`' },
    },
    alwaysErrors: { 500: ['INTERNAL'], 503: ['SERVICE_UNAVAILABLE'] },
    kinds: {
      public_plain: { errors: {} },
      public: { errors: { 429: ['RATE_LIMITED'] } },
      user: { security: [{ session: [] }], text: 'Any signed-in user but `staff` (gate accounts get `403`).', errors: { 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 429: ['RATE_LIMITED'] } },
      anyone_signed: { security: [{ session: [] }], text: 'Any signed-in user, `staff` included.', errors: { 401: ['UNAUTHENTICATED'], 429: ['RATE_LIMITED'] } },
      admin: { security: [{ session: [] }], text: 'Role `admin` only.', errors: { 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 429: ['RATE_LIMITED'] } },
      gate: { security: [{ session: [] }], text: 'Roles `staff` and `admin` (the gate).', errors: { 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'], 429: ['RATE_LIMITED'] } },
      internal: { security: [{ signature: [] }], text: 'Called by ticket-app, signed.', errors: { 401: ['INVALID_SIGNATURE'] } },
    },
  };
  const { paths, op, shared } = makeDoc(svc);
  const id = (d) => pathParam('id', uuid(), d);

  const userSchema = obj(
    { id: uuid(), username: str(), email: str({ format: 'email' }), full_name: nstr(), role: str({ enum: ['user', 'staff', 'admin'] }), created_at: time() },
    {},
    { examples: [EX.user], description: 'Never a password or its hash.' },
  );
  const bookingSchema = obj(
    {
      id: uuid(), user_id: uuid(), event_id: uuid(),
      seats: arr(obj({ id: uuid(), label: nstr(), price: nint() }, { attendee: nullable(obj({ name: str() }, { id_number: nstr() })) })),
      status: bookingStatus, failure_reason: failureReason,
      amount: nint({ description: 'total, in the smallest unit; null while unknown' }), currency: nstr(),
      payment: nullable(obj({ invoice_number: str() }, { payment_url: nstr({ format: 'uri' }), expires_at: ntime() })),
      ticket_url: nstr({ description: '`/api/bookings/{id}/ticket.pdf` once `CONFIRMED`, else null' }),
      origin: str({ enum: ['direct', 'waitlist'] }), created_at: time(), updated_at: time(),
    },
    {
      event_name: nstr(),
      code: nstr({ description: 'the booking code: 8 characters of Crockford base32, printed on the ticket (null while not assigned)' }),
      hold_expires_at: ntime({ description: 'while `HELD`: when the selection lock ends (now + `SELECTION_TTL_SECONDS` at the hold); else null' }),
      history: arr(obj({ status: str(), at: time() }, { reason: nstr(), source: nstr(), version: nint() }), { description: 'each status the booking went through, oldest first (single-booking answers)' }),
    },
    { examples: [EX.booking] },
  );
  const waitlistSchema = obj(
    {
      id: uuid(), event_id: uuid(), seat_id: uuid(),
      status: str({ enum: ['WAITING', 'OFFERED', 'FULFILLED', 'EXPIRED', 'CANCELLED'] }),
      position: nint({ minimum: 1, description: 'place in the queue while `WAITING`, else null' }),
      booking_id: nullable(uuid({ description: 'the booking made for the offer' })), created_at: time(),
    },
    { user_id: uuid(), event_name: nstr(), seat_label: nstr(), updated_at: time() },
    { examples: [EX.waitlist] },
  );
  // -- the waiting room (queue_handler.c) --
  const queueSetting = obj(
    { enabled: bool(), admit_per_minute: int({ minimum: 1, maximum: 1000000 }), pass_ttl_seconds: int({ minimum: 10, maximum: 86400 }) },
    {},
    { description: 'The event\'s waiting room, kept by client-app.' },
  );
  const queueInput = input(
    {},
    {
      enabled: bool({ description: 'required the first time' }),
      admit_per_minute: int({ minimum: 1, maximum: 1000000, description: 'required the first time; admissions are spread evenly (one each 60/admit_per_minute s)' }),
      pass_ttl_seconds: int({ minimum: 10, maximum: 86400, default: 600, description: 'how long a pass buys once admitted' }),
    },
    { description: 'Sets the waiting room (a PATCH changes the members it names). With `enabled`, `POST /api/bookings` for the event needs a pass (`X-Queue-Pass`).' },
  );
  const clientEventSchema = {
    ...eventSchema,
    properties: { ...eventSchema.properties, queue: nullable(queueSetting) },
  };
  const withQueue = (body) => ({ ...body, properties: { ...body.properties, queue: queueInput } });
  EX.queueTicket = {
    id: 'a7c1f0e2-3b4d-4e5f-8a9b-0c1d2e3f4a5b', event_id: '5eed0000-0000-4000-8000-000000000001', status: 'WAITING',
    position: 42, estimated_wait_seconds: 21, pass: null, pass_expires_at: null,
  };
  const queueTicketSchema = obj(
    {
      id: uuid(), event_id: uuid(),
      status: str({ enum: ['WAITING', 'ADMITTED', 'EXPIRED', 'LEFT'], description: '`EXPIRED`: admitted, and the pass ran out' }),
      position: nint({ minimum: 0, description: 'place in line while `WAITING` (1 = next); null before sales open (the order of those who joined early is drawn at random then); 0 otherwise' }),
      estimated_wait_seconds: nint({ minimum: 0, description: 'at the queue\'s rate; before sales open, the time until they do; 0 once admitted; null once left or expired' }),
      pass: nstr({ description: 'while `ADMITTED`: send it as `X-Queue-Pass` with `POST /api/bookings`; signed, bound to this user and event, it buys once' }),
      pass_expires_at: ntime(),
    },
    {},
    { examples: [EX.queueTicket] },
  );
  const queueStatsSchema = obj(
    {
      waiting: int({ minimum: 0 }), admitted: int({ minimum: 0, description: 'admitted, pass still valid' }),
      expired: int({ minimum: 0, description: 'admitted, pass ran out' }), admit_per_minute: int({ minimum: 1 }),
    },
    {
      event_id: uuid(), enabled: bool(), left: int({ minimum: 0 }), admitted_total: int({ minimum: 0, description: 'every admission so far' }),
      pass_ttl_seconds: int(), sales_start_at: ntime(), opened_at: ntime({ description: 'when numbering began (the pre-queue was drawn)' }),
    },
    { examples: [{ event_id: '5eed0000-0000-4000-8000-000000000001', enabled: true, waiting: 812, admitted: 150, expired: 3, left: 9, admitted_total: 160, admit_per_minute: 60, pass_ttl_seconds: 600, sales_start_at: '2026-12-03T10:00:00.000Z', opened_at: '2026-12-03T10:00:00.120Z' }] },
  );
  const schemas = {
    User: userSchema,
    UserList: listOf(ref('User'), EX.user),
    Session: obj({ token: str({ minLength: 32 }), expires_at: time(), user: ref('User') }, {}, { examples: [{ token: 'a09018e6cb54df3f12db5b015c3f5fcae15f9ec657fec4c99412db801dea1c5c', expires_at: '2026-12-04T09:18:05.250Z', user: EX.user }] }),
    Event: clientEventSchema,
    EventList: listOf(ref('Event'), EX.event),
    Seat: seatSchema,
    SeatList: obj({ items: arr(ref('Seat')) }, {}, { examples: [{ items: [EX.seat] }] }),
    QueueTicket: queueTicketSchema,
    QueueStats: queueStatsSchema,
    Booking: bookingSchema,
    BookingList: listOf(ref('Booking'), EX.booking),
    WaitlistEntry: waitlistSchema,
    WaitlistList: listOf(ref('WaitlistEntry'), EX.waitlist),
    EventStats: statsSchema,
    Checkin: checkinSchema,
    CheckinList: checkinList,
    Notification: obj(
      {
        id: uuid(), kind: str({ description: '`booking.confirmed`, `booking.failed`, `booking.expired`, `hold.expiring`, `waitlist.offered`, `booking.cancelled`, `booking.refunded`, `event.changed`, `event.cancelled`' }),
        subject: str(), body: str(), booking_id: nullable(uuid()), created_at: time(), read_at: ntime(),
      },
      {},
      { examples: [{ id: '0b7e2c7a-4d0e-4a37-9c8a-52a0f0e4a1d3', kind: 'booking.confirmed', subject: 'Your tickets for Nusantara Symphony Night', body: 'Booking 7Q2M9KXD is confirmed: seat P-30.', booking_id: '8107d9df-2f3a-40f7-af07-4db913141abc', created_at: '2026-12-03T09:18:10.900Z', read_at: null }] },
    ),
    NotificationList: obj(
      { items: arr(ref('Notification')), total: int({ minimum: 0 }), unread: int({ minimum: 0 }), limit: int(), offset: int() },
      {},
      { description: 'A page of notifications, newest first, and how many are unread.' },
    ),
    Poster: obj({ event_id: uuid(), content_type: str({ enum: ['image/png', 'image/jpeg'] }), width: int(), height: int(), size: int(), updated_at: str(), url: str() }, {}, {
      examples: [{ event_id: '7653d03b-6ed9-4e5a-bbe5-e17445c369f8', content_type: 'image/png', width: 16, height: 16, size: 79, updated_at: '2026-12-03T09:18:18Z', url: '/api/events/7653d03b-6ed9-4e5a-bbe5-e17445c369f8/poster' }],
    }),
    BookingNotification: obj(
      { id: str(), type: str({ description: 'booking.<status>, e.g. `booking.confirmed`; an unknown type is acknowledged and ignored' }), data: obj({}, { booking: { type: 'object' } }) },
      { created_at: time() },
      { description: 'What ticket-app sends after every booking change (the booking as ticket-app\'s GET /api/bookings/{id} shows it).' },
    ),
  };

  // -- users and sessions --
  op({
    path: '/api/users', method: 'POST', id: 'createUser', tag: 'users', who: 'public',
    summary: 'Create a user',
    description: 'Anyone may sign up; only an admin (with its bearer token) may set `role`.',
    body: input({ username: str({ pattern: '^[A-Za-z0-9_.-]{3,32}$' }), email: str({ format: 'email', maxLength: 254 }), password: str({ minLength: 8, maxLength: 128 }) }, { full_name: nstr({ maxLength: 100 }), role: str({ enum: ['user', 'staff', 'admin'] }) }),
    bodyExample: { username: 'alice', email: 'alice@example.com', password: 'correct horse battery', full_name: 'Alice Demo' },
    ok: { 201: { description: 'The new user.', schema: ref('User'), example: EX.user } },
    errors: { 403: ['FORBIDDEN'], 409: ['USERNAME_TAKEN', 'EMAIL_TAKEN'], 401: ['UNAUTHENTICATED'] },
  });
  op({
    path: '/api/users', method: 'GET', id: 'listUsers', tag: 'users', who: 'admin', paging: true,
    summary: 'List users',
    ok: { 200: { description: 'A page of users.', schema: ref('UserList') } },
  });
  op({
    path: '/api/users/me', method: 'GET', id: 'getMe', tag: 'users', who: 'user',
    summary: 'The signed-in user',
    ok: { 200: { description: 'The user.', schema: ref('User'), example: EX.user } },
  });
  op({
    path: '/api/users/{id}', method: 'GET', id: 'getUser', tag: 'users', who: 'user', params: [id('user id')],
    summary: 'A user (self or admin)',
    ok: { 200: { description: 'The user.', schema: ref('User') } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'] },
  });
  op({
    path: '/api/users/{id}', method: 'PATCH', id: 'updateUser', tag: 'users', who: 'user', params: [id('user id')],
    summary: 'Change a user (self or admin; `role` admin only)',
    body: input({}, { email: str({ format: 'email' }), full_name: nstr(), password: str({ minLength: 8, maxLength: 128 }), role: str({ enum: ['user', 'staff', 'admin'] }) }),
    bodyExample: { full_name: 'Alice A. Demo' },
    ok: { 200: { description: 'The user as changed.', schema: ref('User') } },
    errors: { 403: ['FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['EMAIL_TAKEN', 'LAST_ADMIN'] },
  });
  op({
    path: '/api/users/{id}', method: 'DELETE', id: 'deleteUser', tag: 'users', who: 'user', params: [id('user id'),
      { name: 'cancel_bookings', in: 'query', required: false, schema: str({ enum: ['true', 'false'] }), description: '`true`: cancel (and refund) the upcoming confirmed bookings first' }],
    summary: 'Delete a user (self or admin)',
    description: 'Its sessions end. Round 2: pending bookings are cancelled; upcoming confirmed ones refuse the deletion (`409 HAS_UPCOMING_TICKETS`) unless `?cancel_bookings=true`; the last admin cannot be deleted (`409 LAST_ADMIN`).',
    ok: { 204: { description: 'Deleted.' } },
    errors: { 400: ['VALIDATION_FAILED'], 403: ['FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['HAS_UPCOMING_TICKETS', 'LAST_ADMIN'] },
  });
  op({
    path: '/api/sessions', method: 'POST', id: 'login', tag: 'users', who: 'public',
    summary: 'Log in',
    body: input({ login: str({ description: 'username or e-mail' }), password: str() }),
    bodyExample: { login: 'alice', password: 'correct horse battery' },
    ok: { 201: { description: 'A session: send `token` as the bearer.', schema: ref('Session') } },
    errors: { 401: ['INVALID_CREDENTIALS'] },
  });
  op({
    path: '/api/sessions/current', method: 'DELETE', id: 'logout', tag: 'users', who: 'user',
    summary: 'Log out: the token stops working',
    ok: { 204: { description: 'Logged out.' } },
  });

  // -- events --
  op({
    path: '/api/events', method: 'GET', id: 'listEvents', tag: 'events', who: 'public', paging: true,
    params: [{ name: 'when', in: 'query', required: false, schema: str({ enum: ['upcoming', 'past', 'all'] }), description: 'upcoming (default), past or all' }],
    summary: 'List events',
    description: 'Published, not cancelled events that have not started, soonest first (`?when=past|all` widens it).',
    ok: { 200: { description: 'A page of events.', schema: ref('EventList') } },
    errors: { 503: ['SERVICE_UNAVAILABLE'] },
  });
  op({
    path: '/api/events/{id}', method: 'GET', id: 'getEvent', tag: 'events', who: 'public', params: [pathParam('id', str(), 'event id (a UUID)')],
    summary: 'An event',
    ok: { 200: { description: 'The event.', schema: ref('Event'), example: EX.event } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'] },
  });
  op({
    path: '/api/events/{id}/seats', method: 'GET', id: 'listSeats', tag: 'events', who: 'public', params: [id('event id')],
    summary: 'Every seat of an event, with its status',
    ok: { 200: { description: 'All seats (not paged).', schema: ref('SeatList') } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'] },
  });
  op({
    path: '/api/events/{id}/poster', method: 'GET', id: 'getPoster', tag: 'events', who: 'public', params: [id('event id')],
    summary: 'The event\'s poster image',
    ok: {
      200: { description: 'PNG or JPEG.', type: 'image/*', schema: str({ contentEncoding: 'binary' }) },
      304: { description: 'Not modified (`If-None-Match`).' },
    },
    okHeaders: { ETag: { schema: str() } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'] },
  });

  // -- bookings --
  const bookingIdParam = id('booking id');
  op({
    path: '/api/bookings', method: 'POST', id: 'createBooking', tag: 'bookings', who: 'user',
    params: [
      { name: 'Idempotency-Key', in: 'header', required: false, schema: str({ minLength: 1, maxLength: 255 }), description: 'The same key from the same user returns the first answer again and creates nothing new.' },
      { name: 'X-Queue-Pass', in: 'header', required: false, schema: str({ maxLength: 255 }), description: 'For an event whose waiting room is on: the `pass` of the caller\'s QueueTicket once `ADMITTED`.' },
    ],
    summary: 'Book seats: hold them and start the payment',
    description: [
      'Every attempt that passes authentication and validation is recorded, successful or not.',
      '- `201`: the Booking in `PENDING_PAYMENT` with `payment` filled in; the seats are held (`ON_GOING`) until `payment.expires_at`; pay at `payment.payment_url`.',
      '- With `"checkout": false`, `201`: the Booking `HELD` for selection: `payment` null, no invoice, the seats held until `hold_expires_at` (`SELECTION_TTL_SECONDS`, default 120 s); the organizer\'s hold is made here. Then `POST /api/bookings/{id}/checkout`.',
      '- `409`: `{"error", "booking"}` with the booking `FAILED` (`SEAT_UNAVAILABLE`, `HOLD_REJECTED`, or a sale refusal: `SALES_NOT_OPEN`, `SALES_CLOSED`, `EVENT_CANCELLED`, `LIMIT_REACHED`); nothing stays held. `SEAT_UNAVAILABLE` names the seats that were not open in `details.seat_ids`.\n- `400`: a train seat without a passenger name when the event requires one (`details.attendees`).',
      '- `503`: `{"error", "booking"}`, `FAILED` with `TICKET_SERVICE_UNAVAILABLE`, when ticket-app cannot be reached.',
      '- `403 QUEUE_PASS_REQUIRED` (not recorded): the event\'s waiting room is on and `X-Queue-Pass` is not a valid pass of this user for this event; `details.reason`: `MISSING`, `FORGED`, `WRONG_USER`, `WRONG_EVENT`, `EXPIRED`, `LEFT` (the ticket left the line), or `SPENT`. A pass buys once: the attempt that uses it spends it, unless that attempt fails (`409`/`503`), after which the same pass may try again; one attempt at a time per pass.',
    ].join('\n'),
    body: input(
      { event_id: uuid(), seat_ids: arr(uuid(), { minItems: 1, maxItems: 10, uniqueItems: true }) },
      {
        attendees: arr(input({ seat_id: uuid(), name: str({ minLength: 1, maxLength: 100 }) }, { id_number: str() }), { description: 'who sits where: a name per seat (required for events that say so, e.g. trains)' }),
        checkout: bool({ description: '`false`: hold the seats for selection only (`HELD`); default `true`: hold and open the payment at once' }),
      },
    ),
    bodyExample: { event_id: '5eed0000-0000-4000-8000-000000000001', seat_ids: ['7b10ed36-1d3d-c494-2902-b1de10d3b85d'] },
    ok: { 201: { description: 'Held, payment pending (or `HELD` for selection with `"checkout": false`).', schema: ref('Booking'), example: EX.booking } },
    errors: {
      404: ['NOT_FOUND'],
      409: ['SEAT_UNAVAILABLE', 'HOLD_REJECTED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS', 'SALES_NOT_OPEN', 'SALES_CLOSED', 'EVENT_CANCELLED', 'LIMIT_REACHED'],
      403: ['QUEUE_PASS_REQUIRED'],
      503: ['TICKET_SERVICE_UNAVAILABLE'],
    },
    errorOpts: {
      403: {
        description: '`QUEUE_PASS_REQUIRED`: the event sells through its waiting room (`details.reason` says what is wrong with the pass); `FORBIDDEN`: a `staff` account.',
        examples: { QUEUE_PASS_REQUIRED: { error: { code: 'QUEUE_PASS_REQUIRED', message: 'the queue pass is another user\'s', details: { reason: 'WRONG_USER' } } } },
      },
      409: {
        description: 'The attempt failed and is recorded as a `FAILED` booking (in `booking`), or the Idempotency-Key conflicts (no `booking`).',
        extraProps: { booking: ref('Booking') },
        examples: { SEAT_UNAVAILABLE: { error: { code: 'SEAT_UNAVAILABLE', message: 'the seats could not be held' }, booking: EX.failed } },
      },
      503: { extraProps: { booking: ref('Booking') }, description: 'ticket-app could not be reached: the attempt is recorded `FAILED` with `TICKET_SERVICE_UNAVAILABLE` (in `booking`), or the database is unavailable.' },
    },
  });
  op({
    path: '/api/bookings', method: 'GET', id: 'listBookings', tag: 'bookings', who: 'user', paging: true,
    params: [
      { name: 'status', in: 'query', required: false, schema: bookingStatus },
      { name: 'user_id', in: 'query', required: false, schema: uuid(), description: 'admin only: one user\'s bookings' },
      { name: 'q', in: 'query', required: false, schema: str(), description: 'admin: booking code, username, e-mail or attendee name' },
    ],
    summary: 'Booking history, newest first',
    description: 'A user sees its own bookings, every status including `FAILED`; an admin sees all (or one user\'s with `?user_id=`).',
    ok: { 200: { description: 'A page of bookings.', schema: ref('BookingList') } },
  });
  op({
    path: '/api/bookings/{id}', method: 'GET', id: 'getBooking', tag: 'bookings', who: 'user', params: [bookingIdParam],
    summary: 'A booking (owner or admin)',
    ok: { 200: { description: 'The booking, with its `history`.', schema: ref('Booking') } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'] },
  });
  op({
    path: '/api/bookings/{id}/refresh', method: 'POST', id: 'refreshBooking', tag: 'bookings', who: 'user', params: [bookingIdParam],
    summary: 'Ask ticket-app for the booking\'s status now',
    description: 'The manual status check: asks ticket-app, stores and returns the up-to-date booking.',
    ok: { 200: { description: 'The up-to-date booking.', schema: ref('Booking') } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
  });
  op({
    path: '/api/bookings/{id}/checkout', method: 'POST', id: 'checkoutBooking', tag: 'bookings', who: 'user', params: [bookingIdParam],
    summary: 'Check out a selection: create the invoice and start the payment window (owner)',
    description: [
      'For a booking `HELD` by `POST /api/bookings` with `"checkout": false`, before `hold_expires_at`: the invoice is created and the payment window starts.',
      '- `201`: the Booking `PENDING_PAYMENT`, `payment.expires_at` = now + `HOLD_TTL_SECONDS`. A checkout that already went through, asked again (a retry after a lost answer), answers the booking as it is now (`PENDING_PAYMENT` or `CONFIRMED`), creating nothing.',
      '- `409 HOLD_EXPIRED`: the selection lock ran out; the booking is `EXPIRED` and its seats released.',
      '- `409 NOT_HELD`: the booking failed or was cancelled (`details.status`).',
      '- `404`: no such booking of the caller\'s (another user\'s, admins included).',
    ].join('\n'),
    ok: { 201: { description: 'Checked out: `PENDING_PAYMENT` with `payment`.', schema: ref('Booking'), example: EX.booking } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'], 409: ['HOLD_EXPIRED', 'NOT_HELD'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
    errorOpts: { 409: { extraProps: { booking: ref('Booking') }, description: 'Not checked out: the selection lock ran out (`HOLD_EXPIRED`, the booking `EXPIRED`), or the booking is not held (`NOT_HELD`).' } },
  });
  op({
    path: '/api/bookings/{id}/cancel', method: 'POST', id: 'cancelBooking', tag: 'bookings', who: 'user', params: [bookingIdParam],
    summary: 'Cancel a booking (paid ones are refunded)',
    ok: { 200: { description: 'The booking, `CANCELLED`.', schema: ref('Booking') } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'], 409: ['NOT_CANCELLABLE'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
    errorOpts: { 409: { extraProps: { booking: ref('Booking') }, description: 'The booking is final, or `details.reason` is `CHECKED_IN` (a seat was admitted at the gate) or `EVENT_STARTED` (users; admins may still cancel).' } },
  });
  op({
    path: '/api/bookings/{id}/ticket.pdf', method: 'GET', id: 'getTicket', tag: 'bookings', who: 'user', params: [bookingIdParam],
    summary: 'The ticket, once confirmed',
    description: 'A PDF with the event, seats, holder, booking code and a QR code of a signed ticket code (what the gate scans).',
    ok: { 200: { description: 'The ticket.', type: 'application/pdf', schema: str({ contentEncoding: 'binary' }) } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'], 409: ['TICKET_NOT_READY'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
  });

  // -- the waiting room --
  const queueParams = [id('event id')];
  op({
    path: '/api/events/{id}/queue', method: 'POST', id: 'joinQueue', tag: 'queue', who: 'user', params: queueParams,
    summary: 'Join the event\'s waiting room',
    description: 'One ticket per user per event: joining again answers `200` with the same ticket (one that left or whose pass expired goes back to the end of the line). Those who join before `sales_start_at` are put in random order when sales open (an early click buys no place); later ones queue behind them in arrival order. Admission runs at the queue\'s `admit_per_minute`, spread evenly; an admitted ticket carries the `pass` for `POST /api/bookings` (`X-Queue-Pass`). Poll `GET /api/events/{id}/queue/me`.',
    ok: {
      201: { description: 'A new ticket.', schema: ref('QueueTicket'), example: EX.queueTicket },
      200: { description: 'The caller\'s ticket, as it is.', schema: ref('QueueTicket') },
    },
    errors: { 404: ['NOT_FOUND'], 409: ['QUEUE_NOT_ENABLED'] },
  });
  op({
    path: '/api/events/{id}/queue/me', method: 'GET', id: 'getQueueTicket', tag: 'queue', who: 'user', params: queueParams,
    summary: 'The caller\'s ticket now: status, position, estimated wait, pass',
    description: 'Cheap: one read by primary key (poll it every few seconds).',
    ok: { 200: { description: 'The ticket.', schema: ref('QueueTicket') } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/events/{id}/queue/me', method: 'DELETE', id: 'leaveQueue', tag: 'queue', who: 'user', params: queueParams,
    summary: 'Leave the line (the pass, if any, stops buying)',
    ok: { 204: { description: 'Left (also when left before).' } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/events/{id}/queue', method: 'GET', id: 'getQueueStats', tag: 'queue', who: 'admin', params: queueParams,
    summary: 'The waiting room\'s figures',
    ok: { 200: { description: 'Counts and rate.', schema: ref('QueueStats') } },
    errors: { 404: ['NOT_FOUND'] },
  });

  // -- waitlist --
  op({
    path: '/api/waitlist', method: 'POST', id: 'joinWaitlist', tag: 'waitlist', who: 'user',
    summary: 'Wait for a taken seat',
    description: 'When the seat is released (cancellation, failed or expired payment) the first `WAITING` entry is `OFFERED`: the seat is held for that user and a booking with `origin:"waitlist"` in `PENDING_PAYMENT` appears in its history (`booking_id`).',
    body: input({ event_id: uuid(), seat_id: uuid() }),
    bodyExample: { event_id: '5eed0000-0000-4000-8000-000000000001', seat_id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d' },
    ok: { 201: { description: 'The entry.', schema: ref('WaitlistEntry'), example: EX.waitlist } },
    errors: { 404: ['NOT_FOUND'], 409: ['SEAT_AVAILABLE', 'ALREADY_WAITING', 'SEAT_HELD_BY_YOU'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
    errorOpts: { 409: { description: '`SEAT_AVAILABLE`: the seat is `OPEN`, book it; `ALREADY_WAITING`; `SEAT_HELD_BY_YOU`: your own booking holds it.' } },
  });
  op({
    path: '/api/waitlist', method: 'GET', id: 'listWaitlist', tag: 'waitlist', who: 'user', paging: true,
    params: [
      { name: 'status', in: 'query', required: false, schema: str({ enum: ['WAITING', 'OFFERED', 'FULFILLED', 'EXPIRED', 'CANCELLED'] }) },
      { name: 'user_id', in: 'query', required: false, schema: uuid(), description: 'admin only' },
    ],
    summary: 'Own waitlist entries, with their current position',
    ok: { 200: { description: 'A page of entries.', schema: ref('WaitlistList') } },
    errors: { 503: ['TICKET_SERVICE_UNAVAILABLE'] },
  });
  op({
    path: '/api/waitlist/{id}', method: 'DELETE', id: 'leaveWaitlist', tag: 'waitlist', who: 'user', params: [id('entry id')],
    summary: 'Leave the waitlist (owner)',
    ok: { 204: { description: 'Left.' } },
    errors: { 404: ['NOT_FOUND'], 400: ['VALIDATION_FAILED'], 409: ['ENTRY_FULFILLED'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
  });

  // -- admin (the web UI's event management) --
  const adminEvt = [id('event id')];
  const adminErr = { 503: ['ADMIN_UNAVAILABLE', 'TICKET_SERVICE_UNAVAILABLE'] };
  const queueErr = { 503: ['ADMIN_UNAVAILABLE', 'TICKET_SERVICE_UNAVAILABLE', 'QUEUE_NOT_STORED'] };
  op({
    path: '/api/admin/events', method: 'POST', id: 'adminCreateEvent', tag: 'admin', who: 'admin',
    summary: 'Create an event with its seats (ticket-app\'s POST /api/events)',
    description: '`503 ADMIN_UNAVAILABLE` when client-app has no `TICKET_ADMIN_TOKEN`. `queue` sets the event\'s waiting room (client-app keeps it; the answer shows it); `503 QUEUE_NOT_STORED` when the event was saved but its queue could not be (send it again with PATCH).',
    body: withQueue(eventCreate), bodyExample: eventCreateExample,
    ok: { 201: { description: 'The event; its seats are `OPEN`.', schema: ref('Event') } },
    errors: { ...queueErr },
  });
  op({
    path: '/api/admin/events/{id}', method: 'PATCH', id: 'adminUpdateEvent', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Change an event',
    body: withQueue(eventPatch), bodyExample: { name: 'Jazz Night' },
    ok: { 200: { description: 'The event.', schema: ref('Event') } },
    errors: { 404: ['NOT_FOUND'], 409: ['EVENT_HAS_BOOKINGS'], ...queueErr },
  });
  op({
    path: '/api/admin/events/{id}', method: 'DELETE', id: 'adminDeleteEvent', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Delete an event without bookings',
    ok: { 204: { description: 'Deleted.' } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['EVENT_HAS_BOOKINGS'], ...adminErr },
  });
  op({
    path: '/api/admin/events/{id}/publish', method: 'POST', id: 'adminPublishEvent', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Publish a draft (ticket-app\'s POST /api/events/{id}/publish)',
    description: 'A published event stays as it is (first publication kept).',
    ok: { 200: { description: 'The event.', schema: ref('Event') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['EVENT_CANCELLED'], ...adminErr },
  });
  op({
    path: '/api/admin/events/{id}/cancel', method: 'POST', id: 'adminCancelEvent', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Cancel an event (ticket-app\'s POST /api/events/{id}/cancel)',
    description: 'Every live booking is cancelled, paid ones refunded, holders notified.',
    ok: { 200: { description: 'The event, `CANCELLED`.', schema: ref('Event') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['EVENT_CANCELLED'], ...adminErr },
  });
  op({
    path: '/api/admin/events/{id}/stats', method: 'GET', id: 'adminEventStats', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Seats, bookings by status, revenue, check-ins',
    ok: { 200: { description: 'The figures.', schema: ref('EventStats') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], ...adminErr },
  });
  op({
    path: '/api/admin/events/{id}/poster', method: 'PUT', id: 'putPoster', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Set the event\'s poster (PNG or JPEG, at most 512 KiB)',
    body: str({ contentEncoding: 'binary' }), bodyType: 'image/*',
    ok: { 200: { description: 'The stored poster.', schema: ref('Poster') } },
    errors: { 404: ['NOT_FOUND'], 413: ['PAYLOAD_TOO_LARGE'], 415: ['UNSUPPORTED_MEDIA_TYPE'] },
  });
  op({
    path: '/api/admin/events/{id}/poster', method: 'DELETE', id: 'deletePoster', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'Remove the event\'s poster',
    ok: { 204: { description: 'Removed.' } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] },
  });


  op({
    path: '/api/admin/events/{id}/attendees.csv', method: 'GET', id: 'adminAttendeesCsv', tag: 'admin', who: 'admin', params: adminEvt,
    summary: 'The box office\'s attendee list (CSV)',
    description: 'One line per seat of the event\'s live and past bookings: seat, section, attendee, id number, holder, booking code, status, checked-in time (ticket-app\'s `GET /api/events/{id}/attendees`, as CSV).',
    ok: { 200: { description: 'CSV with a header line, as an attachment.', type: 'text/csv', schema: str(), example: 'seat,section,attendee,id_number,holder,booking_code,status,checked_in_at\r\nP-30,Silver,,,Alice Demo,7Q2M9KXD,CONFIRMED,2026-12-03T09:18:12.649Z\r\n' } },
    okHeaders: { 'Content-Disposition': { schema: str(), description: '`attachment; filename="attendees-<event id>.csv"`' } },
    errors: { 404: ['NOT_FOUND'], 503: ['ADMIN_UNAVAILABLE', 'TICKET_SERVICE_UNAVAILABLE'] },
  });

  // -- notifications --
  op({
    path: '/api/notifications', method: 'GET', id: 'listNotifications', tag: 'notifications', who: 'anyone_signed', paging: true,
    summary: 'The user\'s notifications, newest first',
    description: 'Every booking change, hold expiring, waitlist offer and event change; also e-mailed when `SMTP_URL` is set.',
    ok: { 200: { description: 'A page, with the unread count.', schema: ref('NotificationList') } },
  });
  op({
    path: '/api/notifications/unread', method: 'GET', id: 'unreadNotifications', tag: 'notifications', who: 'anyone_signed',
    summary: 'How many notifications are unread',
    ok: { 200: { description: 'The count.', schema: obj({ unread: int({ minimum: 0 }) }), example: { unread: 2 } } },
  });
  op({
    path: '/api/notifications/{id}/read', method: 'POST', id: 'readNotification', tag: 'notifications', who: 'anyone_signed', params: [id('notification id')],
    summary: 'Mark a notification read',
    ok: { 200: { description: 'The notification, `read_at` set.', schema: ref('Notification') } },
    errors: { 404: ['NOT_FOUND'] },
  });

  // -- the gate --
  op({
    path: '/api/checkins', method: 'POST', id: 'checkIn', tag: 'gate', who: 'gate',
    summary: 'Admit a ticket at the gate of an event',
    description: '`ticket_code` is what the ticket\'s QR code holds; `event_id` the gate\'s event. Every answer names the event.',
    body: input({ ticket_code: str({ minLength: 1 }), event_id: uuid() }),
    bodyExample: { ticket_code: 'TK1.8107d9df2f3a40f7af074db913141abc.7b10ed361d3dc4942902b1de10d3b85d.0f3a', event_id: '5eed0000-0000-4000-8000-000000000001' },
    ok: { 200: { description: 'Admitted.', schema: ref('Checkin') } },
    errors: { 404: ['INVALID_TICKET', 'NOT_FOUND'], 409: ['ALREADY_CHECKED_IN', 'WRONG_EVENT'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
    errorOpts: checkinErrorOpts,
  });
  op({
    path: '/api/events/{id}/checkins', method: 'GET', id: 'listCheckins', tag: 'gate', who: 'gate', params: [id('event id')], paging: true,
    summary: 'The event\'s check-ins and counts',
    ok: { 200: { description: 'A page of check-ins.', schema: ref('CheckinList') } },
    errors: { 404: ['NOT_FOUND'], 503: ['TICKET_SERVICE_UNAVAILABLE'] },
  });

  // -- the web UI and the docs --
  op({
    path: '/', method: 'GET', id: 'webIndex', tag: 'web', who: 'public_plain',
    summary: 'The web UI',
    ok: { 200: { description: 'index.html', type: 'text/html', schema: str() }, 304: { description: 'Not modified.' } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/assets/{name}', method: 'GET', id: 'webAsset', tag: 'web', who: 'public_plain',
    params: [pathParam('name', str({ pattern: '^[A-Za-z0-9_-]{1,64}\\.(js|css|svg|png|json)$' }), 'file name')],
    summary: 'A file of the web UI',
    ok: { 200: { description: 'The file.', type: '*/*', schema: str() }, 304: { description: 'Not modified.' } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/docs', method: 'GET', id: 'apiDocs', tag: 'web', who: 'public_plain',
    summary: 'These documents, rendered (Swagger UI)',
    description: 'The renderer comes from the npm registry (`swagger-ui-dist`, installed by `make build` when npm is present); without it the page says how to install it.',
    ok: { 200: { description: 'HTML.', type: 'text/html', schema: str() } },
  });
  op({
    path: '/docs/{name}', method: 'GET', id: 'apiDocsFile', tag: 'web', who: 'public_plain',
    params: [pathParam('name', str(), 'a file of the renderer, or `client-app.json`, `ticket-app.json`, `payment-app.json`')],
    summary: 'A file of the documentation page',
    ok: { 200: { description: 'The file.', type: '*/*', schema: str() } },
    errors: { 404: ['NOT_FOUND'] },
  });

  // -- internal --
  op({
    path: '/internal/notifications', method: 'POST', id: 'bookingNotification', tag: 'internal', who: 'internal',
    params: [{ name: 'X-Signature', in: 'header', required: true, schema: str({ pattern: '^t=[0-9]+,v1=[0-9a-f]{64}$' }) }],
    summary: 'A booking changed at ticket-app',
    description: 'Signed, retried until a 2xx, applied once per `id`. Older than 300 s or a bad signature: `401 INVALID_SIGNATURE`.',
    body: ref('BookingNotification'),
    ok: { 204: { description: 'Applied (or already applied).' } },
    errors: { 400: ['VALIDATION_FAILED'] },
  });
  commonOps(op, svc, 'operations');
  fixHealth(paths);
  return finish(svc, paths, schemas, shared);
}

// ======================================================================
// ticket-app
// ======================================================================
function ticketApp() {
  const svc = {
    title: 'ticket-app', port: 8081, portVar: 'TICKET_APP_PORT',
    summary: 'Events, seats and holds; the booking lifecycle; tickets and the gate.',
    description: [
      'The organizer\'s side. Admin calls carry `Authorization: Bearer <TICKET_ADMIN_TOKEN>`; client-app\'s calls its service token',
      '(`TICKET_SERVICE_TOKEN`; the admin token works there too); payment-app\'s webhooks an `X-Signature`.',
      'Holding is synchronous: one `POST /api/bookings` holds all requested seats or none, asks the organizer\'s system,',
      'creates the invoice at payment-app and answers. After every booking change client-app is notified (signed, retried).',
    ].join('\n'),
    tags: [
      { name: 'events', description: 'Events and seats' },
      { name: 'bookings', description: 'Holds and their lifecycle (client-app)' },
      { name: 'waitlist', description: 'The waitlist (client-app)' },
      { name: 'gate', description: 'Check-in' },
      { name: 'callbacks', description: 'payment-app\'s webhook; notifications sent to client-app' },
      { name: 'operations', description: 'Health, metrics, this document' },
    ],
    securitySchemes: {
      admin: { type: 'http', scheme: 'bearer', description: '`TICKET_ADMIN_TOKEN`' },
      service: { type: 'http', scheme: 'bearer', description: '`TICKET_SERVICE_TOKEN` (client-app); the admin token is accepted too' },
      signature: { type: 'apiKey', in: 'header', name: 'X-Signature', description: '`t=<unix seconds>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<t>.<raw body>")>`' },
    },
    alwaysErrors: { 500: ['INTERNAL'], 503: ['SERVICE_UNAVAILABLE'] },
    kinds: {
      public_plain: { errors: {} },
      public: { errors: {} },
      admin: { security: [{ admin: [] }], text: 'Admin token.', errors: { 401: ['UNAUTHENTICATED'], 403: ['FORBIDDEN'] } },
      service: { security: [{ service: [] }, { admin: [] }], text: 'client-app\'s service token, or the admin token.', errors: { 401: ['UNAUTHENTICATED'] } },
      signed: { security: [{ signature: [] }], text: 'Signed by payment-app.', errors: { 401: ['INVALID_SIGNATURE'] } },
    },
  };
  const { paths, op, shared } = makeDoc(svc);
  const id = (d) => pathParam('id', uuid(), d);
  const tbSeat = obj({ id: uuid(), label: nstr(), price: nint() }, { section: nstr(), attendee: nullable(obj({ name: str() }, { id_number: nstr() })) });
  const ticketBooking = obj(
    {
      booking_id: uuid(), status: bookingStatus, failure_reason: failureReason,
    },
    {
      user_id: str({ description: 'client-app\'s user (1–64 characters)' }), event_id: uuid(), event_name: nstr(), seats: arr(tbSeat), amount: nint(), currency: nstr(),
      invoice_number: nstr(), payment_url: nstr({ format: 'uri' }), expires_at: ntime(), origin: str({ enum: ['direct', 'waitlist'] }),
      holder: { type: ['string', 'object', 'null'], description: 'the holder\'s name when one was given' }, version: int(), ticket_ready: bool(), ticket_url: nstr(), created_at: time(), updated_at: time(),
      code: nstr({ description: 'the booking code' }),
      hold_expires_at: ntime({ description: 'while `HELD`: the end of the selection lock (= `expires_at`); else null' }),
    },
    { examples: [EX.ticketBooking], description: 'A booking as ticket-app keeps it.' },
  );
  const waitEntry = obj(
    {
      id: uuid(), event_id: uuid(), seat_id: uuid(), status: str({ enum: ['WAITING', 'OFFERED', 'FULFILLED', 'EXPIRED', 'CANCELLED'] }),
      position: nint(), booking_id: nullable(uuid()), created_at: time(),
    },
    { user_id: str(), event_name: nstr(), seat_label: nstr(), updated_at: time() },
    { examples: [EX.waitlist] },
  );
  const schemas = {
    Event: eventSchema,
    EventList: listOf(ref('Event'), EX.event),
    Seat: seatSchema,
    SeatList: obj({ items: arr(ref('Seat')) }, {}, { examples: [{ items: [EX.seat] }] }),
    EventStats: statsSchema,
    TicketBooking: ticketBooking,
    WaitlistEntry: waitEntry,
    WaitlistList: listOf(ref('WaitlistEntry'), EX.waitlist),
    Checkin: checkinSchema,
    CheckinList: checkinList,
    AttendeeList: attendeeManifest,
    Invoice: invoiceSchema,
    InvoiceEvent: invoiceEvent,
    Notification: deliverySchema({ type: 'object', required: ['id', 'type', 'data'] }),
    NotificationList: listOf(ref('Notification')),
  };
  op({
    path: '/api/events', method: 'GET', id: 'listEvents', tag: 'events', who: 'public', paging: true,
    params: [{ name: 'when', in: 'query', required: false, schema: str({ enum: ['upcoming', 'past', 'all'] }), description: 'all (default: every published event), upcoming (not cancelled, not started, with seats; soonest first) or past (started; latest first)' }],
    summary: 'List events',
    description: 'Drafts are listed with the admin token only.',
    ok: { 200: { description: 'A page of events.', schema: ref('EventList') } },
    errors: { 400: ['VALIDATION_FAILED'] },
  });
  op({
    path: '/api/events', method: 'POST', id: 'createEvent', tag: 'events', who: 'admin',
    summary: 'Create an event; its seats are created `OPEN`',
    description: 'Seats are named `<row>-<n>` from the layout\'s sections.',
    body: eventCreate, bodyExample: eventCreateExample,
    ok: { 201: { description: 'The event.', schema: ref('Event') } },
  });
  op({
    path: '/api/events/{id}', method: 'GET', id: 'getEvent', tag: 'events', who: 'public', params: [id('event id')],
    summary: 'An event',
    ok: { 200: { description: 'The event.', schema: ref('Event'), example: EX.event } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/events/{id}', method: 'PATCH', id: 'updateEvent', tag: 'events', who: 'admin', params: [id('event id')],
    summary: 'Change an event',
    body: eventPatch, bodyExample: { name: 'Jazz Night' },
    ok: { 200: { description: 'The event.', schema: ref('Event') } },
    errors: { 404: ['NOT_FOUND'], 409: ['EVENT_HAS_BOOKINGS'] },
  });
  op({
    path: '/api/events/{id}/publish', method: 'POST', id: 'publishEvent', tag: 'events', who: 'admin', params: [id('event id')],
    summary: 'Publish a draft',
    description: 'A `DRAFT` is seen with the admin token only; published, it goes on sale (or `SCHEDULED` before `sales_start_at`). A published event stays as it is.',
    ok: { 200: { description: 'The event.', schema: ref('Event') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['EVENT_CANCELLED'] },
  });
  op({
    path: '/api/events/{id}', method: 'DELETE', id: 'deleteEvent', tag: 'events', who: 'admin', params: [id('event id')],
    summary: 'Delete an event without bookings or held seats',
    ok: { 204: { description: 'Deleted.' } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['EVENT_HAS_BOOKINGS'] },
  });
  op({
    path: '/api/events/{id}/cancel', method: 'POST', id: 'cancelEvent', tag: 'events', who: 'admin', params: [id('event id')],
    summary: 'Cancel an event',
    description: 'The event stops selling, its waitlist closes, and every live booking is cancelled (pending ones voided, paid ones refunded, each holder notified). Cancelling again re-runs the bookings\' part.',
    ok: { 200: { description: 'The event, `CANCELLED`.', schema: ref('Event') } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/events/{id}/seats', method: 'GET', id: 'listSeats', tag: 'events', who: 'public', params: [id('event id')],
    summary: 'Every seat of an event',
    ok: { 200: { description: 'All seats.', schema: ref('SeatList') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/events/{id}/seats', method: 'POST', id: 'addSeat', tag: 'events', who: 'admin', params: [id('event id')],
    summary: 'Add a seat',
    body: input({ section: str(), row: str(), number: int(), price: money() }, { label: str({ minLength: 1, description: 'default `<row>-<number>`' }) }),
    bodyExample: { label: 'C-5', section: 'Balcony', row: 'C', number: 5, price: 150000 },
    ok: { 201: { description: 'The seat, `OPEN`.', schema: ref('Seat') } },
    errors: { 404: ['NOT_FOUND'], 409: ['SEAT_EXISTS'] },
  });
  op({
    path: '/api/events/{id}/stats', method: 'GET', id: 'eventStats', tag: 'events', who: 'admin', params: [id('event id')],
    summary: 'Seats, bookings by status, revenue, check-ins',
    ok: { 200: { description: 'The figures.', schema: ref('EventStats') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/seats/{id}', method: 'PATCH', id: 'updateSeat', tag: 'events', who: 'admin', params: [id('seat id')],
    summary: 'Change a seat\'s price or label',
    body: input({}, { price: money(), label: str({ minLength: 1 }) }, { minProperties: 1 }),
    bodyExample: { price: 175000 },
    ok: { 200: { description: 'The seat.', schema: ref('Seat') } },
    errors: { 404: ['NOT_FOUND', 'SEAT_NOT_FOUND'], 409: ['SEAT_HELD', 'SEAT_EXISTS'] },
  });
  op({
    path: '/api/seats/{id}', method: 'DELETE', id: 'deleteSeat', tag: 'events', who: 'admin', params: [id('seat id')],
    summary: 'Delete a seat that is not held or booked',
    ok: { 204: { description: 'Deleted.' } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND', 'SEAT_NOT_FOUND'], 409: ['SEAT_HELD'] },
  });
  op({
    path: '/api/bookings', method: 'POST', id: 'holdSeats', tag: 'bookings', who: 'service',
    summary: 'Hold seats and create the invoice (idempotent on booking_id)',
    description: 'All requested seats or none. `201`: held, invoice made. `409`: `FAILED` with `failure_reason` (the booking\'s fields at the top level and under `booking`). The same `booking_id` again answers the booking as it is.',
    body: input({ booking_id: uuid(), user_id: str({ minLength: 1, maxLength: 64 }), event_id: uuid(), seat_ids: arr(uuid(), { minItems: 1, maxItems: 10 }) }, { attendees: arr({ type: 'object' }), checkout: bool({ description: '`false`: `HELD` for selection (`SELECTION_TTL_SECONDS`), the organizer asked, no invoice' }) }),
    bodyExample: { booking_id: '8107d9df-2f3a-40f7-af07-4db913141abc', user_id: '3bd88eba-07c0-419e-897e-f262c489fdca', event_id: '5eed0000-0000-4000-8000-000000000001', seat_ids: ['7b10ed36-1d3d-c494-2902-b1de10d3b85d'] },
    ok: {
      200: { description: 'This booking_id was seen before: the booking as it is.', schema: ref('TicketBooking') },
      201: { description: 'Held: `PENDING_PAYMENT` with `invoice_number`, `payment_url`, `expires_at`.', schema: ref('TicketBooking'), example: EX.ticketBooking },
    },
    errors: { 404: ['NOT_FOUND', 'SEAT_NOT_FOUND'], 409: ['SEAT_UNAVAILABLE', 'HOLD_REJECTED', 'BOOKING_ID_REUSED', 'SALES_NOT_OPEN', 'SALES_CLOSED', 'EVENT_CANCELLED', 'LIMIT_REACHED'] },
    errorOpts: { 409: { extraProps: { booking: ref('TicketBooking'), booking_id: uuid(), status: bookingStatus, failure_reason: failureReason } } },
  });
  op({
    path: '/api/bookings/{id}', method: 'GET', id: 'getBooking', tag: 'bookings', who: 'service', params: [id('booking id')],
    summary: 'The booking\'s current status (the manual status check)',
    ok: { 200: { description: 'The booking.', schema: ref('TicketBooking') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/bookings/{id}/checkout', method: 'POST', id: 'checkoutBooking', tag: 'bookings', who: 'service', params: [id('booking id')],
    summary: 'Check out a HELD selection: the invoice and the payment window',
    description: 'CHECKOUT of the booking lifecycle (docs/lifecycle.md). `{"user_id"}` names client-app\'s caller: another user\'s booking is `404`. `201`: `PENDING_PAYMENT` with the invoice, `expires_at` = now + `HOLD_TTL_SECONDS` (again for a checkout that went through before: the booking as it is). `409 HOLD_EXPIRED` once the selection lock ran out (the seats are let go at once), `409 NOT_HELD` for a `FAILED` or `CANCELLED` booking; both carry `details.status` and the booking. `503` when payment-app cannot be reached (the booking is `FAILED`).',
    body: input({}, { user_id: str({ minLength: 1, maxLength: 64 }) }), bodyOptional: true, bodyExample: { user_id: '3bd88eba-07c0-419e-897e-f262c489fdca' },
    ok: { 201: { description: 'Checked out.', schema: ref('TicketBooking'), example: EX.ticketBooking } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['HOLD_EXPIRED', 'NOT_HELD'] },
    errorOpts: { 409: { extraProps: { booking: ref('TicketBooking') } } },
  });
  op({
    path: '/api/bookings/{id}/cancel', method: 'POST', id: 'cancelBooking', tag: 'bookings', who: 'service', params: [id('booking id')],
    summary: 'Cancel (paid bookings are refunded; the seats go to the waitlist first)',
    description: 'Without a body, the owner\'s rules apply (not once the event started); `{"by":"admin"}` when client-app\'s caller is an admin (not once checked in).',
    body: input({}, { by: str({ enum: ['admin'] }) }), bodyOptional: true, bodyExample: { by: 'admin' },
    ok: { 200: { description: 'The booking, `CANCELLED`.', schema: ref('TicketBooking') } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['NOT_CANCELLABLE'] },
    errorOpts: { 409: { extraProps: { booking: ref('TicketBooking') } } },
  });
  op({
    path: '/api/bookings/{id}/ticket.pdf', method: 'GET', id: 'getTicket', tag: 'bookings', who: 'service', params: [id('booking id')],
    summary: 'The ticket PDF',
    ok: { 200: { description: 'The ticket.', type: 'application/pdf', schema: str({ contentEncoding: 'binary' }) } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['TICKET_NOT_READY'] },
  });
  const userQ = { name: 'user_id', in: 'query', required: true, schema: str({ minLength: 1, maxLength: 64 }), description: 'client-app\'s user' };
  op({
    path: '/api/waitlist', method: 'POST', id: 'joinWaitlist', tag: 'waitlist', who: 'service',
    summary: 'Wait for a taken seat, for a user',
    body: input({ user_id: str({ minLength: 1, maxLength: 64 }), event_id: uuid(), seat_id: uuid() }),
    bodyExample: { user_id: '7ab1b4f1-5774-4811-b7d2-74e45519bee9', event_id: '5eed0000-0000-4000-8000-000000000001', seat_id: '7b10ed36-1d3d-c494-2902-b1de10d3b85d' },
    ok: { 201: { description: 'The entry.', schema: ref('WaitlistEntry') } },
    errors: { 404: ['NOT_FOUND', 'SEAT_NOT_FOUND'], 409: ['SEAT_AVAILABLE', 'ALREADY_WAITING', 'SEAT_HELD_BY_YOU'] },
  });
  op({
    path: '/api/waitlist', method: 'GET', id: 'listWaitlist', tag: 'waitlist', who: 'service', paging: true,
    params: [userQ, { name: 'status', in: 'query', required: false, schema: str() }],
    summary: 'A user\'s entries',
    ok: { 200: { description: 'A page of entries.', schema: ref('WaitlistList') } },
  });
  op({
    path: '/api/waitlist/{id}', method: 'DELETE', id: 'leaveWaitlist', tag: 'waitlist', who: 'service', params: [id('entry id'), userQ],
    summary: 'Leave the waitlist',
    ok: { 204: { description: 'Left.' } },
    errors: { 400: ['VALIDATION_FAILED'], 404: ['NOT_FOUND'], 409: ['ENTRY_FULFILLED'] },
    errorOpts: { 409: { extraProps: { entry: ref('WaitlistEntry') } } },
  });
  op({
    path: '/api/checkins', method: 'POST', id: 'checkIn', tag: 'gate', who: 'service',
    summary: 'Admit a ticket at the gate',
    description: '`ticket_code` is what the ticket\'s QR code holds; `event_id` the gate\'s event. Every answer names the event.',
    body: input({ ticket_code: str({ minLength: 1 }) }, { event_id: uuid({ description: 'the gate\'s event' }) }),
    bodyExample: { ticket_code: 'TK1.8107d9df2f3a40f7af074db913141abc.7b10ed361d3dc4942902b1de10d3b85d.0f3a', event_id: '5eed0000-0000-4000-8000-000000000001' },
    ok: { 200: { description: 'Admitted.', schema: ref('Checkin') } },
    errors: { 404: ['INVALID_TICKET', 'NOT_FOUND'], 409: ['ALREADY_CHECKED_IN', 'WRONG_EVENT'] },
    errorOpts: checkinErrorOpts,
  });
  op({
    path: '/api/events/{id}/checkins', method: 'GET', id: 'listCheckins', tag: 'gate', who: 'service', params: [id('event id')], paging: true,
    summary: 'The event\'s check-ins and counts',
    ok: { 200: { description: 'A page of check-ins.', schema: ref('CheckinList') } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/events/{id}/attendees', method: 'GET', id: 'listAttendees', tag: 'events', who: 'service', params: [id('event id')],
    summary: 'The event\'s attendee list (client-app\'s box office)',
    ok: { 200: { description: 'Every booked seat with its attendee, holder, booking code, status and check-in.', schema: ref('AttendeeList') } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/notifications', method: 'GET', id: 'listNotifications', tag: 'callbacks', who: 'admin', paging: true,
    params: [{ name: 'status', in: 'query', required: false, schema: str({ enum: ['pending', 'delivered'] }) }],
    summary: 'The notifications sent (or being sent) to client-app',
    ok: { 200: { description: 'A page of notifications, newest first.', schema: ref('NotificationList') } },
  });
  op({
    path: '/webhooks/payment', method: 'POST', id: 'paymentWebhook', tag: 'callbacks', who: 'signed',
    params: [{ name: 'X-Signature', in: 'header', required: true, schema: str() }],
    summary: 'An invoice became PAID, FAILED, EXPIRED or REFUNDED',
    description: 'Applied once per event `id`; a bad or older-than-300-s signature: `401`.',
    body: input({ id: str({ minLength: 1 }), type: str(), data: obj({ invoice: obj({}, { invoice_number: str({ maxLength: 60 }), booking_id: str(), status: str() }) }) }, { created_at: time() }, { description: 'An InvoiceEvent (payment-app\'s document); the members ticket-app reads are required here.' }),
    bodyExample: EX.invoiceEvent,
    ok: { 204: { description: 'Applied (or already applied).' } },
    errors: { 404: ['NOT_FOUND'] },
  });
  commonOps(op, svc, 'operations');
  fixHealth(paths);
  return finish(svc, paths, schemas, shared);
}

// ======================================================================
// payment-app
// ======================================================================
function paymentApp() {
  const svc = {
    title: 'payment-app', port: 8082, portVar: 'PAYMENT_APP_PORT',
    summary: 'Invoices, the payer\'s page, asynchronous settlement and signed webhooks.',
    description: [
      'A simulated payment provider. Services (ticket-app) create, void and refund invoices with `Authorization: Bearer <PAYMENT_SERVICE_TOKEN>`;',
      'the payer opens `payment_url` and pays. A `PROCESSING` invoice settles after `PAYMENT_DELAY_MS` as `PAID` or, with',
      'probability `PAYMENT_FAILURE_RATE`, `FAILED`. Each settlement, expiry and refund is POSTed to `WEBHOOK_URL`, signed',
      '(`X-Signature: t=<unix>,v1=<hex HMAC-SHA256(WEBHOOK_SECRET, "<t>.<raw body>")>`), at least once, with backoff.',
      'CORS: the origins in `CORS_ORIGINS` may call the payer\'s endpoints (GET invoice, pay) from a browser.',
    ].join('\n'),
    tags: [
      { name: 'invoices', description: 'Invoices' },
      { name: 'payer', description: 'What the payer calls' },
      { name: 'webhooks', description: 'Deliveries of the webhook' },
      { name: 'operations', description: 'Health, metrics, this document' },
    ],
    securitySchemes: { service: { type: 'http', scheme: 'bearer', description: '`PAYMENT_SERVICE_TOKEN`' } },
    alwaysErrors: { 500: ['INTERNAL'], 503: ['SERVICE_UNAVAILABLE'] },
    kinds: {
      public_plain: { errors: {} },
      payer: { errors: {}, text: 'The payer: anyone who has the invoice number.' },
      service: { security: [{ service: [] }], text: 'Services only.', errors: { 401: ['UNAUTHENTICATED'] } },
    },
  };
  const { paths, op, shared } = makeDoc(svc);
  const num = pathParam('number', str({ pattern: '^INV-[A-Z0-9]+$' }), 'invoice number');
  const invoiceConflict = (codes) => ({ 409: codes });
  const schemas = {
    Invoice: invoiceSchema,
    InvoiceList: listOf(ref('Invoice'), EX.invoice),
    InvoiceEvent: invoiceEvent,
    WebhookDelivery: deliverySchema(ref('InvoiceEvent'), EX.delivery),
    WebhookDeliveryList: listOf(ref('WebhookDelivery'), EX.delivery),
  };
  const withInvoice = { extraProps: { invoice: ref('Invoice') } };
  op({
    path: '/api/invoices', method: 'POST', id: 'createInvoice', tag: 'invoices', who: 'service',
    summary: 'Create an invoice (idempotent on booking_id)',
    body: input({ booking_id: uuid(), amount: int({ minimum: 1, maximum: 1000000000000 }), currency: currency(), expires_at: time() }, { description: str() }),
    bodyExample: { booking_id: '8107d9df-2f3a-40f7-af07-4db913141abc', amount: 750000, currency: 'IDR', expires_at: '2026-12-03T09:25:08.247Z', description: 'Nusantara Symphony Night: P-30' },
    ok: {
      200: { description: 'An invoice for this booking_id existed: the same invoice.', schema: ref('Invoice') },
      201: { description: 'The invoice, `PENDING`, with `payment_url`.', schema: ref('Invoice'), example: EX.invoice },
    },
    errors: invoiceConflict(['IDEMPOTENCY_MISMATCH']),
    errorOpts: { 409: { ...withInvoice, description: 'An invoice for this booking_id exists with another amount or currency.' } },
  });
  op({
    path: '/api/invoices', method: 'GET', id: 'listInvoices', tag: 'invoices', who: 'service', paging: true,
    params: [
      { name: 'status', in: 'query', required: false, schema: str({ enum: ['PENDING', 'PROCESSING', 'PAID', 'FAILED', 'EXPIRED', 'VOID', 'REFUNDED'] }) },
      { name: 'booking_id', in: 'query', required: false, schema: uuid() },
    ],
    summary: 'List invoices, newest first',
    ok: { 200: { description: 'A page of invoices.', schema: ref('InvoiceList') } },
  });
  op({
    path: '/api/invoices/{number}', method: 'GET', id: 'getInvoice', tag: 'payer', who: 'payer', params: [num],
    summary: 'An invoice',
    ok: { 200: { description: 'The invoice.', schema: ref('Invoice'), example: EX.invoice } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/invoices/{number}/pay', method: 'POST', id: 'payInvoice', tag: 'payer', who: 'payer', params: [num],
    summary: 'Pay: the invoice goes `PROCESSING` and settles later',
    description: 'Again while processing: `202`, the same. Once final: `409 INVOICE_FINAL`. After `expires_at`: `409 INVOICE_EXPIRED`.',
    body: input({ method: str({ enum: ['card', 'bank_transfer', 'ewallet'] }) }),
    bodyExample: { method: 'card' },
    ok: { 202: { description: '`PROCESSING`.', schema: ref('Invoice'), example: { ...EX.invoice, status: 'PROCESSING', method: 'card' } } },
    errors: { 404: ['NOT_FOUND'], 409: ['INVOICE_FINAL', 'INVOICE_EXPIRED'] },
    errorOpts: { 409: withInvoice },
  });
  op({
    path: '/api/invoices/{number}/void', method: 'POST', id: 'voidInvoice', tag: 'invoices', who: 'service', params: [num],
    summary: 'Void a `PENDING` invoice',
    ok: { 200: { description: 'The invoice, `VOID`.', schema: ref('Invoice') } },
    errors: { 404: ['NOT_FOUND'], 409: ['INVOICE_NOT_PENDING'] },
    errorOpts: { 409: withInvoice },
  });
  op({
    path: '/api/invoices/{number}/refund', method: 'POST', id: 'refundInvoice', tag: 'invoices', who: 'service', params: [num],
    summary: 'Refund a `PAID` invoice',
    ok: { 200: { description: 'The invoice, `REFUNDED`.', schema: ref('Invoice') } },
    errors: { 404: ['NOT_FOUND'], 409: ['INVOICE_NOT_PAID'] },
    errorOpts: { 409: withInvoice },
  });
  op({
    path: '/pay/{number}', method: 'GET', id: 'payPage', tag: 'payer', who: 'payer', params: [num],
    summary: 'The payment page (the invoice\'s `payment_url`)',
    description: 'HTML: amount, what it pays for, the methods, a pay button. An unknown invoice: an HTML page with 404.',
    ok: { 200: { description: 'HTML.', type: 'text/html', schema: str() } },
    errors: {},
  });
  paths['/pay/{number}'].get.responses['404'] = { description: 'No such invoice (HTML).', content: { 'text/html': { schema: str() } } };
  const delId = pathParam('id', str({ pattern: '^evt_[0-9a-f]+$' }), 'delivery (event) id');
  op({
    path: '/api/webhook-deliveries', method: 'GET', id: 'listDeliveries', tag: 'webhooks', who: 'service', paging: true,
    params: [{ name: 'status', in: 'query', required: false, schema: str({ enum: ['pending', 'delivered'] }) }],
    summary: 'Webhook deliveries, newest first',
    ok: { 200: { description: 'A page of deliveries.', schema: ref('WebhookDeliveryList') } },
  });
  op({
    path: '/api/webhook-deliveries/{id}', method: 'GET', id: 'getDelivery', tag: 'webhooks', who: 'service', params: [delId],
    summary: 'A webhook delivery',
    ok: { 200: { description: 'The delivery, with every attempt.', schema: { allOf: [ref('WebhookDelivery'), obj({}, { attempt_log: arr(obj({ attempted_at: time() }, { status: nint(), error: nstr(), duration_ms: nint() })) })] } } },
    errors: { 404: ['NOT_FOUND'] },
  });
  op({
    path: '/api/webhook-deliveries/{id}/replay', method: 'POST', id: 'replayDelivery', tag: 'webhooks', who: 'service', params: [delId],
    summary: 'Send a delivery again now',
    ok: { 202: { description: 'Queued for delivery.', schema: ref('WebhookDelivery') } },
    errors: { 404: ['NOT_FOUND'] },
  });
  commonOps(op, svc, 'operations');
  fixHealth(paths);
  return finish(svc, paths, schemas, shared);
}

const docs = { 'client-app.json': clientApp(), 'ticket-app.json': ticketApp(), 'payment-app.json': paymentApp() };
module.exports = docs;

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [name, doc] of Object.entries(docs)) {
    const file = path.join(__dirname, name);
    const text = JSON.stringify(doc, null, 2) + '\n';
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (old === text) continue;
    if (check) {
      console.error(`openapi: ${name} is not what build.js writes: run node openapi/build.js`);
      stale++;
    } else {
      fs.writeFileSync(file, text);
      console.log(`openapi: wrote ${name} (${Object.keys(doc.paths).length} paths)`);
    }
  }
  process.exit(stale ? 1 : 0);
}
