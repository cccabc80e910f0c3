// validate.js: checks the OpenAPI documents, the Postman collection against
// them, and (given newman JSON reports) every request and answer of a
// Postman run against them, with Ajv (JSON Schema 2020-12).
//
//   node openapi/validate.js [--no-collection] [report.json ...] [--exchanges file.jsonl ...]
//
// 1. Lint: each document is valid OpenAPI 3.1 (the specification's own JSON
//    schema, @seriousme/openapi-schema-validator), is what build.js writes,
//    every operation has a unique operationId, a summary, a tag and a
//    success answer, every {param} of a path is declared, every $ref
//    resolves, and every example validates against its schema.
//    Every route of <service>/src/routes.c is documented, and only those.
// 2. The collection (postman/ticketing.postman_collection.json): every
//    request matches a documented operation (but the few in UNMATCHED, sent
//    to paths that must not exist), and every documented operation is
//    exercised by a request or says why not (x-postman-exception).
// 3. Each report: every execution is matched to its operation; its status
//    must be documented, its body must validate against the answer's schema
//    (JSON) or have a documented media type, X-Request-Id must be present.
//    A request that succeeded (2xx) must itself be one the document allows:
//    path and query parameters (no undocumented ones) and the JSON body.
// 4. --exchanges: the same for the exchanges the C tests recorded
//    (TEST_HTTP_RECORD, common/testing), e.g. the end-to-end tests'.
// Exits 1 on any finding, listing them.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const DIR = __dirname;
const REPO = path.dirname(DIR);
const SERVICES = {
  'client-app': { file: 'client-app.json', vars: ['client_url'] },
  'ticket-app': { file: 'ticket-app.json', vars: ['ticket_url'] },
  'payment-app': { file: 'payment-app.json', vars: ['payment_url'] },
};
// Collection requests sent on purpose to paths no operation has.
const UNMATCHED = {
  'Web UI: traversal attempt': 'a path that must not resolve (404 from the router)',
};

const findings = [];
const finding = (where, what) => findings.push(`${where}: ${what}`);

// ---- documents ----
const docs = {};
for (const [svc, s] of Object.entries(SERVICES)) {
  docs[svc] = JSON.parse(fs.readFileSync(path.join(DIR, s.file), 'utf8'));
}

const ajv = new Ajv2020({ strict: false, validateSchema: false, allErrors: true });
addFormats(ajv);
for (const [svc, d] of Object.entries(docs)) ajv.addSchema(d, svc);

const ptr = (parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const compiled = new Map();
function validator(svc, parts) {
  const id = svc + '#/' + ptr(parts);
  if (!compiled.has(id)) compiled.set(id, ajv.compile({ $ref: id }));
  return compiled.get(id);
}
function check(svc, parts, value, where) {
  let v;
  try {
    v = validator(svc, parts);
  } catch (e) {
    finding(where, 'schema does not compile: ' + e.message);
    return false;
  }
  if (v(value)) return true;
  const errs = v.errors.slice(0, 4).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params && e.params.allowedValues ? ' ' + JSON.stringify(e.params.allowedValues) : ''}`);
  finding(where, errs.join('; '));
  return false;
}

function deref(doc, obj) {
  let seen = 0;
  while (obj && obj.$ref && seen++ < 10) {
    const parts = obj.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    obj = parts.reduce((o, k) => (o ? o[k] : undefined), doc);
  }
  return obj;
}
function refPath(doc, parts) {
  // the JSON pointer parts of what parts point at, following one $ref
  const obj = parts.reduce((o, k) => (o ? o[k] : undefined), doc);
  if (obj && obj.$ref) return obj.$ref.replace(/^#\//, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return parts;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
function operations(svc) {
  const out = [];
  for (const [p, item] of Object.entries(docs[svc].paths)) {
    for (const m of METHODS) if (item[m]) out.push({ svc, path: p, method: m.toUpperCase(), op: item[m], segs: p.split('/') });
  }
  return out;
}
const allOps = Object.fromEntries(Object.keys(docs).map((s) => [s, operations(s)]));

// Finds the operation of method+path (concrete, or with "{{var}}" segments
// that stand for any value); literal segments outrank parameters.
function match(svc, method, urlPath) {
  const segs = urlPath.split('/');
  let best = null, bestScore = -1;
  for (const o of allOps[svc]) {
    if (o.method !== method || o.segs.length !== segs.length) continue;
    let score = 0, ok = true;
    for (let i = 0; i < segs.length; i++) {
      const param = /^\{.+\}$/.test(o.segs[i]);
      const wild = /^\{\{.+\}\}$/.test(segs[i]);
      if (param) { if (segs[i] === '') { ok = false; break; } continue; }
      if (wild || o.segs[i] !== segs[i]) { ok = false; break; }
      score++;
    }
    if (ok && score > bestScore) { best = o; bestScore = score; }
  }
  return best;
}

// ---- 1. lint ----
async function lint() {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  for (const [svc, d] of Object.entries(docs)) {
    const v = new Validator();
    const res = await v.validate(JSON.parse(JSON.stringify(d)));
    if (!res.valid) {
      for (const e of (res.errors || []).slice(0, 10)) finding(`${svc} lint`, `${e.instancePath || ''} ${e.message || JSON.stringify(e)}`);
    }
    if (d.openapi !== '3.1.0') finding(`${svc} lint`, 'openapi must be 3.1.0');
  }
  // fresh: what build.js writes
  const built = require('./build.js');
  for (const [svc, s] of Object.entries(SERVICES)) {
    if (JSON.stringify(built[s.file]) !== JSON.stringify(docs[svc])) finding(`${svc} lint`, `${s.file} is stale: run node openapi/build.js`);
  }
  for (const [svc, d] of Object.entries(docs)) {
    const ids = new Set();
    for (const o of allOps[svc]) {
      const where = `${svc} ${o.method} ${o.path}`;
      if (!o.op.operationId) finding(where, 'no operationId');
      else if (ids.has(o.op.operationId)) finding(where, 'operationId used twice: ' + o.op.operationId);
      ids.add(o.op.operationId);
      if (!o.op.summary) finding(where, 'no summary');
      if (!o.op.tags || !o.op.tags.length) finding(where, 'no tag');
      const codes = Object.keys(o.op.responses || {});
      if (!codes.some((c) => /^[23]/.test(c))) finding(where, 'no success answer');
      const declared = new Set((o.op.parameters || []).map((p) => deref(d, p)).filter((p) => p.in === 'path').map((p) => p.name));
      for (const m of o.path.matchAll(/\{([^}]+)\}/g)) if (!declared.has(m[1])) finding(where, `path parameter ${m[1]} not declared`);
      for (const p of declared) if (!o.path.includes('{' + p + '}')) finding(where, `parameter ${p} is not in the path`);
      // examples of bodies and answers
      const base = ['paths', o.path, o.method.toLowerCase()];
      const rb = o.op.requestBody;
      if (rb) for (const [mt, media] of Object.entries(rb.content)) exampleCheck(svc, [...base, 'requestBody', 'content', mt], media, where + ' request ' + mt);
      for (const c of codes) {
        const rparts = refPath(d, [...base, 'responses', c]);
        const r = deref(d, o.op.responses[c]);
        if (!r) { finding(where, `answer ${c}: $ref does not resolve`); continue; }
        for (const [mt, media] of Object.entries(r.content || {})) exampleCheck(svc, [...rparts, 'content', mt], media, `${where} ${c} ${mt}`);
      }
    }
    for (const [name, s] of Object.entries(d.components.schemas)) {
      try {
        validator(svc, ['components', 'schemas', name]);
      } catch (e) {
        finding(`${svc} schema ${name}`, 'does not compile: ' + e.message);
        continue;
      }
      for (const [i, ex] of (s.examples || []).entries()) check(svc, ['components', 'schemas', name], ex, `${svc} schema ${name} example ${i}`);
    }
  }
}
function exampleCheck(svc, parts, media, where) {
  if (!media.schema) return;
  const json = /json/.test(parts[parts.length - 1]);
  if (media.example !== undefined && json) check(svc, [...parts, 'schema'], media.example, where + ' example');
  for (const [k, ex] of Object.entries(media.examples || {})) if (json) check(svc, [...parts, 'schema'], ex.value, `${where} example ${k}`);
}

// Every route of the services' route tables (<svc>/src/routes.c) is
// documented, and every documented operation is a route (or built in).
const BUILTIN = ['GET /healthz', 'GET /metrics'];
function routeTables() {
  for (const svc of Object.keys(docs)) {
    const file = path.join(REPO, svc, 'src', 'routes.c');
    const src = fs.readFileSync(file, 'utf8');
    const routes = new Set([...src.matchAll(/\{\s*"([A-Z]+)",\s*"([^"]+)"/g)].map((m) => m[1] + ' ' + m[2]));
    const documented = new Set(allOps[svc].map((o) => o.method + ' ' + o.path));
    for (const r of routes) if (!documented.has(r)) finding(`${svc} ${r}`, `a route of ${svc}/src/routes.c that the document lacks`);
    for (const d of documented) if (!routes.has(d) && !BUILTIN.includes(d)) finding(`${svc} ${d}`, `documented, but not a route of ${svc}/src/routes.c`);
  }
}

// ---- 2. the collection ----
function walkItems(items, out = []) {
  for (const it of items || []) {
    if (it.item) walkItems(it.item, out);
    else if (it.request) out.push(it);
  }
  return out;
}
function collection() {
  const col = JSON.parse(fs.readFileSync(path.join(REPO, 'postman', 'ticketing.postman_collection.json'), 'utf8'));
  const hit = new Set();
  for (const it of walkItems(col.item)) {
    const url = typeof it.request.url === 'string' ? it.request.url : it.request.url.raw;
    const m = /^\{\{(\w+)\}\}(\/[^?#]*)?/.exec(url);
    const where = `collection "${it.name}" ${it.request.method} ${url}`;
    if (!m) { finding(where, 'the URL does not start with a service variable'); continue; }
    const svc = Object.keys(SERVICES).find((s) => SERVICES[s].vars.includes(m[1]));
    if (!svc) { finding(where, 'unknown service variable ' + m[1]); continue; }
    const o = match(svc, it.request.method, m[2] || '/');
    if (!o) {
      if (!UNMATCHED[it.name]) finding(where, 'matches no documented operation');
      continue;
    }
    hit.add(`${svc} ${o.method} ${o.path}`);
  }
  let exceptions = 0;
  for (const svc of Object.keys(docs)) {
    for (const o of allOps[svc]) {
      const k = `${svc} ${o.method} ${o.path}`;
      if (hit.has(k)) continue;
      if (o.op['x-postman-exception']) { exceptions++; continue; }
      finding(k, 'no request of the collection exercises it (add one, or x-postman-exception with the reason)');
    }
  }
  const total = Object.values(allOps).reduce((n, a) => n + a.length, 0);
  console.log(`collection: ${hit.size} of ${total} operations exercised, ${exceptions} listed as exceptions`);
}

// ---- 3. a newman run ----
function header(list, name) {
  const h = (list || []).find((x) => x.key.toLowerCase() === name.toLowerCase());
  return h ? h.value : undefined;
}
function mediaMatch(content, ct) {
  const base = (ct || '').split(';')[0].trim().toLowerCase();
  for (const mt of Object.keys(content)) {
    const [t, s] = mt.split('/');
    const [bt, bs] = base.split('/');
    if (mt === base || (t === '*' && s === '*') || (t === bt && s === '*')) return mt;
    if (t === bt && s === bs) return mt;
    if (bs && s === bs.replace(/^.*\+/, '')) return mt;
  }
  return null;
}
// Turns a query/path value into what the schema expects (all arrive as text).
function coerce(schema, v) {
  const t = schema && (Array.isArray(schema.type) ? schema.type[0] : schema.type);
  if (t === 'integer' || t === 'number') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (t === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
  return v;
}

const portService = {};
function serviceOf(e, report) {
  const url = e.request.url;
  const host = (url.host || []).join('.');
  const port = url.port || '';
  const key = host + ':' + port;
  if (portService[key]) return portService[key];
  // from the environment of the run: *_url values
  for (const v of (report.environment && report.environment.values) || []) {
    const svc = Object.keys(SERVICES).find((s) => SERVICES[s].vars.includes(v.key));
    if (!svc) continue;
    try {
      const u = new URL(v.value);
      if (u.port === String(port)) return (portService[key] = svc);
    } catch (err) { /* not a URL */ }
  }
  return null;
}

let executions = 0, validatedBodies = 0, validatedRequests = 0;
const opsSeen = new Set();

// One exchange: x = {svc, method, urlPath (decoded), rawPath, query:
// [{key, value}], status, contentType, hasRequestId, body (Buffer),
// requestBody (text or undefined), requestHeader(name), name}.
function checkExchange(x) {
  executions++;
  const where = `${x.source} "${x.name}" ${x.method} ${x.rawPath} -> ${x.status}`;
  const o = match(x.svc, x.method, x.urlPath);
  if (!o) {
    if (!UNMATCHED[x.name] && !x.lenientUnmatched) finding(where, 'matches no documented operation');
    return;
  }
  const d = docs[x.svc];
  opsSeen.add(`${x.svc} ${o.method} ${o.path}`);
  const status = String(x.status);
  const base = ['paths', o.path, o.method.toLowerCase()];
  if (!o.op.responses[status]) { finding(where, `status ${status} is not documented (${Object.keys(o.op.responses).join(', ')})`); return; }
  const rparts = refPath(d, [...base, 'responses', status]);
  const resp = deref(d, o.op.responses[status]);
  if (x.hasRequestId === false) finding(where, 'no X-Request-Id');
  const body = x.body || Buffer.alloc(0);
  const ct = x.contentType;
  if (!resp.content) {
    if (body.length) finding(where, `a body (${body.length} bytes) where the document has none`);
  } else if (x.method !== 'HEAD' && (body.length || x.bodyUnknown)) {
    const mt = mediaMatch(resp.content, ct);
    if (!mt) finding(where, `Content-Type ${ct} is not one of ${Object.keys(resp.content).join(', ')}`);
    else if (/json/.test(mt) && body.length) {
      let value;
      try { value = JSON.parse(body.toString('utf8')); } catch (err) { finding(where, 'the body is not JSON'); }
      if (value !== undefined) {
        validatedBodies++;
        check(x.svc, [...rparts, 'content', mt, 'schema'], value, where + ' body');
      }
    }
  } else if (resp.content && !body.length && status !== '304' && !x.bodyUnknown) {
    finding(where, 'no body where the document has one');
  }
  if (!/^2/.test(status)) return;
  // the request of a success must be one the document allows
  validatedRequests++;
  const params = (o.op.parameters || []).map((p) => deref(d, p));
  const segs = x.urlPath.split('/');
  o.segs.forEach((sg, i) => {
    const m = /^\{(.+)\}$/.exec(sg);
    if (!m) return;
    const pi = params.findIndex((p) => p.in === 'path' && p.name === m[1]);
    if (pi < 0) return;
    check(x.svc, [...base, 'parameters', pi, 'schema'], coerce(params[pi].schema, segs[i]), `${where} path parameter ${m[1]}`);
  });
  for (const q of x.query) {
    const pi = params.findIndex((p) => p.in === 'query' && p.name === q.key);
    if (pi < 0) { finding(where, `query parameter ${q.key} is not documented`); continue; }
    check(x.svc, [...base, 'parameters', pi, 'schema'], coerce(params[pi].schema, q.value), `${where} query ${q.key}`);
  }
  params.forEach((p) => {
    if (p.in === 'query' && p.required && !x.query.some((q) => q.key === p.name)) finding(where, `required query parameter ${p.name} missing`);
    if (p.in === 'header' && p.required && x.requestHeader && !x.requestHeader(p.name)) finding(where, `required header ${p.name} missing`);
  });
  const rb = o.op.requestBody;
  const raw = x.requestBody;
  if (rb && rb.content['application/json'] && raw !== undefined && raw !== null) {
    let value;
    try { value = JSON.parse(raw); } catch (err) { finding(where, 'a success for a body that is not JSON'); }
    if (value !== undefined) check(x.svc, [...base, 'requestBody', 'content', 'application/json', 'schema'], value, where + ' request body');
  } else if (rb && rb.required && (raw === undefined || raw === null) && !x.bodyUnknownRequest) {
    finding(where, 'a success without the required body');
  } else if (!rb && raw) {
    finding(where, 'a body where the document has none');
  }
}

// ---- 3. a newman run ----
function run(file) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const e of report.run.executions || []) {
    if (!e.response) continue;
    const svc = serviceOf(e, report);
    const rawPath = '/' + (e.request.url.path || []).join('/');
    let urlPath;
    try { urlPath = decodeURIComponent(rawPath); } catch (err) { urlPath = rawPath; }
    const name = e.item && e.item.name;
    if (!svc) { finding(`run "${name}"`, 'cannot tell the service from the port'); continue; }
    const body = e.request.body;
    checkExchange({
      source: 'run', name, svc, method: e.request.method, rawPath, urlPath,
      query: (e.request.url.query || []).filter((q) => !q.disabled).map((q) => ({ key: q.key, value: decodeURIComponent(q.value || '') })),
      status: e.response.code, contentType: header(e.response.header, 'Content-Type'),
      hasRequestId: !!header(e.response.header, 'X-Request-Id'),
      body: Buffer.from((e.response.stream && e.response.stream.data) || []),
      requestBody: body && body.mode === 'raw' ? body.raw : undefined,
      bodyUnknownRequest: !!(body && body.mode && body.mode !== 'raw'),
      requestHeader: (n) => header(e.request.header, n),
    });
  }
}

// ---- 4. exchanges recorded by the C tests (TEST_HTTP_RECORD) ----
// Ports are the tests' own: each is given the service whose document
// matches the most of the requests sent to it.
function exchanges(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const byPort = new Map();
  for (const l of lines) {
    let u;
    try { u = new URL(l.url); } catch (err) { continue; }
    l.u = u;
    if (!byPort.has(u.host)) byPort.set(u.host, []);
    byPort.get(u.host).push(l);
  }
  for (const [host, ls] of byPort) {
    let best = null, bestN = 0;
    for (const svc of Object.keys(docs)) {
      const n = ls.filter((l) => match(svc, l.method, decodePath(l.u.pathname))).length;
      if (n > bestN) { best = svc; bestN = n; }
    }
    if (!best) continue;
    for (const l of ls) {
      checkExchange({
        source: 'e2e', name: host, svc: best, method: l.method, rawPath: l.u.pathname, urlPath: decodePath(l.u.pathname),
        query: [...l.u.searchParams].map(([key, value]) => ({ key, value })),
        status: l.status, contentType: l.content_type,
        body: l.response === null ? Buffer.alloc(0) : Buffer.from(l.response, 'utf8'),
        bodyUnknown: l.response === null,
        requestBody: l.request === null ? undefined : l.request,
        lenientUnmatched: true,
      });
    }
  }
}
function decodePath(p) {
  try { return decodeURIComponent(p); } catch (err) { return p; }
}

(async () => {
  const args = process.argv.slice(2);
  const ex = args.indexOf('--exchanges');
  const exFiles = ex >= 0 ? args.slice(ex + 1) : [];
  const reports = (ex >= 0 ? args.slice(0, ex) : args).filter((a) => !a.startsWith('--'));
  await lint();
  routeTables();
  console.log(`lint: ${Object.keys(docs).length} documents, ${Object.values(allOps).reduce((n, a) => n + a.length, 0)} operations`);
  if (!args.includes('--no-collection')) collection();
  for (const f of reports) run(f);
  for (const f of exFiles) exchanges(f);
  if (reports.length || exFiles.length) {
    console.log(`run: ${executions} requests in ${reports.length} report(s), ${validatedBodies} JSON answers and ${validatedRequests} successful requests validated, ${opsSeen.size} operations seen`);
  }
  if (findings.length) {
    console.log(`openapi: ${findings.length} finding(s):`);
    for (const f of findings.slice(0, 80)) console.log('  ' + f);
    if (findings.length > 80) console.log(`  ... and ${findings.length - 80} more`);
    process.exit(1);
  }
  console.log('openapi: no findings');
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
