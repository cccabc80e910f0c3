/* app.js: the web UI of client-app. One page, hash routes, only the public
 * JSON API of ../shared/API.md (plus client-app's admin additions). Text
 * from the server is only ever set with textContent or as attribute values,
 * never parsed as HTML; every API error is shown to the person. */
(function () {
  'use strict';

  var MAX_SEATS = 10;
  var SEAT_REFRESH_MS = 3000;
  var BOOKING_POLL_MS = 2000;
  var LIST_POLL_MS = 4000;
  var STATS_REFRESH_MS = 5000;

  /* ---------- DOM helpers: text nodes and attributes only ---------- */

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on' && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, kid) {
    if (kid === null || kid === undefined || kid === false) return;
    if (Array.isArray(kid)) { kid.forEach(function (k) { append(el, k); }); return; }
    el.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }

  function $(sel, root) { return (root || document).querySelector(sel); }

  /* Only http(s) links from the server become hrefs (no javascript: URLs). */
  function safeUrl(u) {
    try {
      var url = new URL(u, location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var x = Array.prototype.map.call(b, function (n) { return (n + 256).toString(16).slice(1); }).join('');
    return x.slice(0, 8) + '-' + x.slice(8, 12) + '-' + x.slice(12, 16) + '-' + x.slice(16, 20) + '-' + x.slice(20);
  }

  /* ---------- formatting ---------- */

  var ZERO_DECIMALS = ['BIF', 'CLP', 'DJF', 'GNF', 'IDR', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF',
    'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF'];
  var THREE_DECIMALS = ['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND'];

  /* Amounts are integers in the currency's smallest unit (as payment-app
   * shows them: "IDR 1,500,000"). */
  function money(amount, currency) {
    if (amount === null || amount === undefined) return '';
    currency = currency || 'IDR';
    var exp = ZERO_DECIMALS.indexOf(currency) >= 0 ? 0 : THREE_DECIMALS.indexOf(currency) >= 0 ? 3 : 2;
    var neg = amount < 0;
    var a = Math.abs(Number(amount));
    var div = Math.pow(10, exp);
    var whole = Math.floor(a / div);
    var frac = a - whole * div;
    var s = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    if (exp > 0) s += '.' + String(frac).padStart(exp, '0');
    return currency + ' ' + (neg ? '-' : '') + s;
  }

  function when(iso) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    return d.toLocaleString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric',
      hour: '2-digit', minute: '2-digit' });
  }

  function timeEl(iso) {
    return h('time', { datetime: iso || '' }, when(iso));
  }

  /* ---------- events' life: the venue's local time, the sale status ---------- */

  /* iso shown in the venue's zone tz, with the zone: "Thu, 24 Dec 2026, 19:30 GMT+7 (Asia/Jakarta)". */
  function venueWhen(iso, tz) {
    if (!iso) return '';
    var d = new Date(iso);
    if (isNaN(d)) return iso;
    try {
      return d.toLocaleString(undefined, { timeZone: tz || 'UTC', weekday: 'short', year: 'numeric', month: 'short',
        day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }) + ' (' + (tz || 'UTC') + ')';
    } catch (e) {
      return when(iso); /* a zone this browser does not know */
    }
  }

  function eventTimeEl(ev) {
    return h('time', { datetime: ev.starts_at_local || ev.starts_at || '', class: 'venue-time' },
      venueWhen(ev.starts_at, ev.timezone));
  }

  /* Events without a status (an older server) count as on sale. */
  function onSale(ev) { return !ev || !ev.status || ev.status === 'ON_SALE'; }

  /* An event sold through a waiting room (waitroom.js) whose line is open
   * to join: on sale, or soon (those who come early are drawn at random). */
  function queueOpen(ev) {
    return !!(ev && ev.queue && ev.queue.enabled && hooks.queuePass &&
      (onSale(ev) || ev.status === 'SCHEDULED'));
  }

  /* Why an event is not on sale, as a line (null when it is). */
  function saleNote(ev) {
    var text = {
      SCHEDULED: 'Sales open at ' + venueWhen(ev.sales_start_at, ev.timezone),
      SALES_CLOSED: 'Sales have closed.',
      CANCELLED: 'This event is cancelled.',
      DRAFT: 'Draft: not published yet (only admins see it).'
    }[ev.status];
    return text ? h('p', { class: 'sale-note s-' + ev.status, 'data-sale-status': ev.status }, text) : null;
  }

  var STATUS_TEXT = {
    HELD: 'Held for you',
    PENDING_PAYMENT: 'Waiting for payment',
    CONFIRMED: 'Confirmed',
    FAILED: 'Failed',
    EXPIRED: 'Expired',
    CANCELLED: 'Cancelled',
    REQUESTED: 'Requested'
  };
  var STATUS_HELP = {
    HELD: 'Your seats are locked for you while you decide. Check out before the time runs out to get the payment page; after that they are released.',
    PENDING_PAYMENT: 'Your seats are held until the payment deadline. This page updates by itself once the payment has gone through.',
    CONFIRMED: 'Paid. Your ticket is ready.',
    EXPIRED: 'The seats were not checked out or paid in time and have been released.',
    CANCELLED: 'This booking was cancelled. A paid booking is refunded.'
  };
  var REASON_TEXT = {
    SEAT_UNAVAILABLE: 'A seat was already taken by someone else.',
    HOLD_REJECTED: "The organizer's system refused to hold the seats. Please try again.",
    PAYMENT_FAILED: 'The payment did not go through.',
    TICKET_SERVICE_UNAVAILABLE: 'The ticket service could not be reached. Please try again.'
  };
  var SEAT_TEXT = { OPEN: 'open', ON_GOING: 'on hold', BOOKED: 'booked' };
  var WAIT_TEXT = {
    WAITING: 'Waiting',
    OFFERED: 'Offered: pay for the booking to keep the seat',
    FULFILLED: 'Fulfilled',
    EXPIRED: 'Offer expired',
    CANCELLED: 'Left'
  };

  function badge(status) {
    return h('span', { class: 'badge s-' + status, 'data-status': status }, STATUS_TEXT[status] || status);
  }

  function reasonText(code) {
    return REASON_TEXT[code] || code;
  }

  /* ---------- session ---------- */

  var session = { token: null, user: null };
  /* what the plugins add (see start) */
  var hooks = { renderAttendees: null, collectAttendees: null, navChanged: [] };

  function loadSession() {
    try {
      var s = JSON.parse(sessionStorage.getItem('session') || 'null');
      if (s && typeof s.token === 'string' && s.user) session = s;
    } catch (e) {
      session = { token: null, user: null };
    }
  }

  function saveSession(token, user) {
    session = { token: token, user: user };
    sessionStorage.setItem('session', JSON.stringify(session));
    updateNav();
  }

  function clearSession() {
    session = { token: null, user: null };
    sessionStorage.removeItem('session');
    updateNav();
  }

  function isAdmin() { return !!(session.user && session.user.role === 'admin'); }

  /* ---------- API ---------- */

  function ApiError(status, code, message, body) {
    this.status = status;
    this.code = code;
    this.message = message;
    this.body = body;
  }
  ApiError.prototype = Object.create(Error.prototype);

  /* The words to show for an error: the server's message, plus per-field
   * details when it sent them. */
  function errorText(e) {
    if (!e) return 'Something went wrong.';
    var msg = e.message || String(e);
    var err = e.body && e.body.error;
    if (err && err.details && typeof err.details === 'object') {
      var parts = Object.keys(err.details).map(function (k) {
        var v = err.details[k];
        return k + ': ' + (typeof v === 'string' ? v : JSON.stringify(v));
      });
      if (parts.length) msg += ' (' + parts.join('; ') + ')';
    }
    return msg;
  }

  /* fetch with the bearer; resolves with the parsed JSON (or null, or a
   * Blob with opts.blob), rejects with an ApiError carrying the server's
   * error.code and error.message. */
  function api(method, path, body, opts) {
    opts = opts || {};
    var headers = { Accept: opts.blob ? 'application/pdf, application/json' : 'application/json' };
    if (session.token) headers.Authorization = 'Bearer ' + session.token;
    var payload;
    if (opts.raw) {
      payload = body;
      headers['Content-Type'] = opts.contentType || 'application/octet-stream';
    } else if (body !== undefined && body !== null) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    if (opts.headers) Object.keys(opts.headers).forEach(function (k) { headers[k] = opts.headers[k]; });
    var sentToken = session.token;
    return fetch(path, { method: method, headers: headers, body: payload, cache: 'no-store' })
      .catch(function () {
        throw new ApiError(0, 'NETWORK', 'Cannot reach the server. Check your connection and try again.', null);
      })
      .then(function (res) {
        if (res.ok && opts.blob) return res.blob();
        return res.text().then(function (text) {
          var data = null;
          if (text) {
            try { data = JSON.parse(text); } catch (e) { data = null; }
          }
          if (res.ok) return data;
          var err = data && data.error;
          var msg = err && err.message ? err.message : 'The server answered ' + res.status + ' ' + res.statusText + '.';
          if (res.status === 429) {
            var ra = res.headers.get('Retry-After');
            if (ra) msg += ' (retry in ' + ra + ' s)';
          }
          var e = new ApiError(res.status, err && err.code ? err.code : 'HTTP_' + res.status, msg, data);
          if (res.status === 401 && sentToken && sentToken === session.token) {
            clearSession();
            e.message = 'Your session has ended; please log in again. (' + msg + ')';
          }
          throw e;
        });
      });
  }

  /* ---------- page frame ---------- */

  var view = null;
  var generation = 0;
  var cleanups = [];

  function banner(text) {
    var b = $('#banner');
    if (!text) { b.hidden = true; return; }
    $('#banner-text').textContent = text;
    b.hidden = false;
  }

  function notice(text) {
    sessionStorage.setItem('notice', text);
  }

  /* "m:ss" left until iso, "0:00" once past. */
  function leftText(iso) {
    var ms = Math.max(0, Date.parse(iso) - Date.now());
    var s = Math.ceil(ms / 1000);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  /* A countdown to iso, updated every second while the view is open (one
   * timer for every countdown on the page); onZero runs once at 0:00. */
  function countdown(id, iso, onZero) {
    var el = h('strong', { class: 'countdown', id: id, 'data-until': iso }, leftText(iso));
    var fired = false;
    var t = null;
    var tick = function () {
      if (!el.isConnected) { clearInterval(t); return; } /* rendered over */
      el.textContent = leftText(iso);
      var done = Date.parse(iso) <= Date.now();
      el.classList.toggle('urgent', !done && Date.parse(iso) - Date.now() < 30000);
      if (done && !fired && onZero) { fired = true; onZero(); }
    };
    t = setInterval(tick, 1000);
    cleanups.push(function () { clearInterval(t); });
    return el;
  }

  /* Runs fn every ms while the view is open; a hidden tab skips its turns
   * and catches up at once when it is shown again. */
  function every(ms, fn) {
    var id = setInterval(function () { if (!document.hidden) fn(); }, ms);
    var onShow = function () { if (!document.hidden) fn(); };
    document.addEventListener('visibilitychange', onShow);
    cleanups.push(function () {
      clearInterval(id);
      document.removeEventListener('visibilitychange', onShow);
    });
  }

  function isStaff() { return !!(session.user && session.user.role === 'staff'); }

  function updateNav() {
    var auth = session.token ? (isAdmin() ? 'admin' : isStaff() ? 'staff' : 'user') : 'anon';
    document.querySelectorAll('[data-auth]').forEach(function (el) {
      var need = el.getAttribute('data-auth');
      /* staff work the gate: the user pages are not theirs */
      el.hidden = need === 'anon' ? auth !== 'anon' : need === 'admin' ? auth !== 'admin'
        : need === 'gate' ? auth !== 'staff' && auth !== 'admin'
          : auth === 'anon' || (auth === 'staff' && !el.hasAttribute('data-staff'));
    });
    hooks.navChanged.forEach(function (f) { f(); });
    $('#who').textContent = session.user ? session.user.username : '';
  }

  function markNav(name) {
    document.querySelectorAll('[data-nav]').forEach(function (el) {
      if (el.getAttribute('data-nav') === name) el.setAttribute('aria-current', 'page');
      else el.removeAttribute('aria-current');
    });
  }

  /* An inline error/status line that a view updates. */
  function statusLine(cls) {
    return h('p', { class: 'msg ' + (cls || ''), role: 'status', 'aria-live': 'polite', hidden: true });
  }
  function say(el, text, kind) {
    if (!text) { el.hidden = true; el.textContent = ''; return; }
    el.textContent = text;
    el.className = 'msg ' + (kind || 'error');
    if (kind === 'error' || !kind) el.setAttribute('role', 'alert');
    el.hidden = false;
  }

  function requireLogin(ctx) {
    if (session.token) return true;
    sessionStorage.setItem('next', location.hash);
    ctx.render(h('section', { class: 'card' },
      h('h1', null, 'Please log in'),
      h('p', null, 'This page needs you to be logged in.'),
      h('p', null, h('a', { class: 'button', href: '#/login' }, 'Log in'), ' ',
        h('a', { href: '#/register' }, 'or create an account'))));
    return false;
  }

  function requireAdmin(ctx) {
    if (!requireLogin(ctx)) return false;
    if (isAdmin()) return true;
    ctx.render(h('section', { class: 'card' }, h('h1', null, 'Admins only'),
      h('p', null, 'This page is for administrators.')));
    return false;
  }

  /* ---------- caches for names shown next to ids ---------- */

  var eventCache = {};
  function getEvent(id) {
    if (!eventCache[id]) {
      eventCache[id] = api('GET', '/api/events/' + encodeURIComponent(id)).catch(function (e) {
        delete eventCache[id];
        throw e;
      });
    }
    return eventCache[id];
  }

  /* ---------- views: auth ---------- */

  function field(label, input, hint) {
    return h('label', { class: 'field' }, h('span', null, label), input, hint ? h('small', null, hint) : null);
  }

  function goNext() {
    var next = sessionStorage.getItem('next');
    sessionStorage.removeItem('next');
    location.hash = next && next.indexOf('#/log') !== 0 && next.indexOf('#/register') !== 0 ? next : '#/events';
  }

  function viewLogin(ctx) {
    markNav('login');
    var login = h('input', { name: 'login', autocomplete: 'username', required: true, maxlength: 254 });
    var pw = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 128 });
    var msg = statusLine();
    var btn = h('button', { type: 'submit' }, 'Log in');
    var form = h('form', { class: 'card narrow', id: 'login-form' },
      h('h1', null, 'Log in'),
      field('Username or email', login),
      field('Password', pw),
      msg, btn,
      h('p', { class: 'muted' }, 'No account yet? ', h('a', { href: '#/register' }, 'Register')));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      btn.disabled = true;
      say(msg, 'Logging in…', 'info');
      api('POST', '/api/sessions', { login: login.value.trim(), password: pw.value }).then(function (s) {
        saveSession(s.token, s.user);
        goNext();
      }).catch(function (e) {
        say(msg, errorText(e));
        btn.disabled = false;
      });
    });
    ctx.render(form);
    login.focus();
  }

  function viewRegister(ctx) {
    markNav('register');
    var user = h('input', { name: 'username', autocomplete: 'username', required: true, minlength: 3, maxlength: 32 });
    var email = h('input', { name: 'email', type: 'email', autocomplete: 'email', required: true, maxlength: 254 });
    var full = h('input', { name: 'full_name', autocomplete: 'name', maxlength: 100 });
    var pw = h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 8, maxlength: 128 });
    var msg = statusLine();
    var btn = h('button', { type: 'submit' }, 'Create account');
    var form = h('form', { class: 'card narrow', id: 'register-form' },
      h('h1', null, 'Create an account'),
      field('Username', user, '3 to 32 letters, digits, _ . -'),
      field('Email', email),
      field('Full name (optional)', full),
      field('Password', pw, 'At least 8 characters'),
      msg, btn,
      h('p', { class: 'muted' }, 'Already registered? ', h('a', { href: '#/login' }, 'Log in')));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      btn.disabled = true;
      say(msg, 'Creating your account…', 'info');
      var body = { username: user.value.trim(), email: email.value.trim(), password: pw.value };
      if (full.value.trim()) body.full_name = full.value.trim();
      api('POST', '/api/users', body).then(function () {
        return api('POST', '/api/sessions', { login: body.username, password: body.password });
      }).then(function (s) {
        saveSession(s.token, s.user);
        goNext();
      }).catch(function (e) {
        say(msg, errorText(e));
        btn.disabled = false;
      });
    });
    ctx.render(form);
    user.focus();
  }

  /* ---------- views: events ---------- */

  /* the bar and line of an event's seats (seatmap.js) */
  function availability(counts) { return window.SeatMap.availability(counts); }

  /* The event's poster, or null when it has none (no request for it). */
  function posterImg(ev, cls) {
    var src = ev.poster_url && safeUrl(ev.poster_url);
    if (!src) return null;
    var img = h('img', { class: cls || 'poster', alt: 'Poster: ' + ev.name, loading: 'lazy', src: src });
    img.addEventListener('error', function () { img.remove(); });
    return img;
  }

  function viewEvents(ctx) {
    markNav('events');
    var msg = statusLine();
    var list = h('div', { class: 'grid', id: 'event-list' });
    ctx.render(h('section', null, h('h1', null, 'Events'), msg, list));
    api('GET', '/api/events?limit=200').then(function (data) {
      if (!ctx.alive()) return;
      var items = (data && data.items) || [];
      if (!items.length) say(msg, 'No events yet.', 'info');
      items.forEach(function (ev) {
        eventCache[ev.id] = Promise.resolve(ev);
        var link = '#/events/' + encodeURIComponent(ev.id);
        list.appendChild(h('article', { class: 'card event', 'data-event-id': ev.id },
          posterImg(ev),
          h('h2', null, h('a', { href: link }, ev.name)),
          h('p', { class: 'meta' }, ev.venue),
          h('p', { class: 'meta' }, eventTimeEl(ev)),
          availability(ev.seat_counts),
          queueOpen(ev) ? h('a', { class: 'button', href: link + '/queue' }, 'Join the line')
            : saleNote(ev) || h('a', { class: 'button', href: link }, 'Choose seats')));
      });
    }).catch(function (e) { say(msg, 'Could not load the events: ' + errorText(e)); });
  }

  function naturalCompare(a, b) {
    return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
  }

  /* The seat map of one event, refreshed every few seconds while open. */
  function viewEvent(ctx, eventId) {
    markNav('events');
    var selected = {};   /* seat id -> seat */
    var seatsById = {};
    var seatEls = {};
    var waitingSeats = {}; /* seat id -> waitlist entry (mine) */
    var event = null;
    var layoutKey = '';

    var head = h('div', { class: 'event-head' });
    var mapMsg = statusLine();
    var map = h('div', { class: 'seatmap', id: 'seatmap' });
    var updated = h('p', { class: 'muted small', id: 'seat-updated' });
    var selList = h('span', { id: 'selected-seats' }, 'none');
    var selTotal = h('strong', { id: 'selected-total' });
    var bookMsg = statusLine();
    var bookBtn = h('button', { type: 'button', id: 'book', disabled: true }, 'Book');
    var queueNote = h('p', { class: 'msg info', id: 'queue-pass-note', hidden: true });
    var queueNoteFor = '';
    var clearBtn = h('button', { type: 'button', class: 'secondary', id: 'clear-selection' }, 'Clear');
    var takenPanel = h('div', { class: 'taken card', id: 'taken-panel', hidden: true });
    var legend = h('ul', { class: 'legend', 'aria-label': 'Legend' },
      h('li', null, h('span', { class: 'seat OPEN sample' }), 'Open'),
      h('li', null, h('span', { class: 'seat OPEN sel sample' }), 'Selected'),
      h('li', null, h('span', { class: 'seat ON_GOING sample' }), 'On hold (being chosen or paid)'),
      h('li', null, h('span', { class: 'seat BOOKED sample' }), 'Booked'),
      h('li', null, h('span', { class: 'seat BOOKED waiting sample' }), 'You are on its waitlist'));
    var attendeeBox = h('div', { class: 'attendees', id: 'attendees' });
    var panel = h('div', { class: 'selection', id: 'selection' },
      h('div', null, h('span', null, 'Selected: '), selList, ' ', selTotal), attendeeBox,
      h('div', { class: 'actions' }, clearBtn, bookBtn), queueNote, bookMsg);

    ctx.render(h('section', null,
      h('p', null, h('a', { href: '#/events' }, '← All events')),
      head, mapMsg, legend, takenPanel, map, updated, panel));

    function renderHead() {
      head.replaceChildren(
        posterImg(event, 'poster wide') || '',
        h('h1', { id: 'event-name' }, event.name),
        h('p', { class: 'meta' }, event.venue, ' · ', eventTimeEl(event)),
        event.description ? h('p', { class: 'desc' }, event.description) : null,
        availability(event.seat_counts), saleNote(event) || '');
    }

    function renderSelection() {
      var ids = Object.keys(selected);
      var seats = ids.map(function (id) { return selected[id]; }).sort(function (a, b) { return naturalCompare(a.label, b.label); });
      selList.textContent = seats.length ? seats.map(function (s) { return s.label; }).join(', ') : 'none';
      var total = seats.reduce(function (t, s) { return t + Number(s.price || 0); }, 0);
      selTotal.textContent = seats.length ? '(' + seats.length + '/' + MAX_SEATS + ', ' + money(total, event && event.currency) + ')' : '';
      bookBtn.disabled = seats.length === 0 || !onSale(event);
      bookBtn.textContent = !onSale(event) ? 'Not on sale' : !session.token ? 'Log in to book' : seats.length > 1 ? 'Book ' + seats.length + ' seats' : 'Book';
      /* a sale behind a waiting room: booking needs this tab's pass */
      var pass = queueOpen(event) ? hooks.queuePass(eventId) : null;
      if (queueOpen(event) && !pass) {
        bookBtn.disabled = false;
        bookBtn.textContent = 'Join the line to book';
      }
      queueNote.hidden = !pass;
      if (pass && queueNoteFor !== pass.expires_at) {
        queueNoteFor = pass.expires_at;
        queueNote.replaceChildren('Your turn: book with your pass within ',
          countdown('queue-pass-left', pass.expires_at, function () { renderSelection(); }), '.');
      }
      if (hooks.renderAttendees) hooks.renderAttendees(attendeeBox, seats, event);
      Object.keys(seatEls).forEach(function (id) {
        seatEls[id].classList.toggle('sel', !!selected[id]);
        seatEls[id].setAttribute('aria-pressed', selected[id] ? 'true' : 'false');
      });
    }

    function seatLabel(s) {
      var t = 'Seat ' + s.label + ', ' + (SEAT_TEXT[s.status] || s.status) + ', ' + money(s.price, event && event.currency);
      if (waitingSeats[s.id]) t += ', you are on its waitlist';
      return t;
    }

    function showTaken(s) {
      takenPanel.hidden = false;
      var wmsg = statusLine();
      var entry = waitingSeats[s.id];
      var join = h('button', { type: 'button', id: 'join-waitlist' }, 'Join waitlist');
      var content = [
        h('h2', null, 'Seat ' + s.label + ' is ' + (SEAT_TEXT[s.status] || s.status)),
        h('p', null, s.status === 'ON_GOING'
          ? 'Someone is paying for this seat right now. If their payment fails or runs out, the seat goes to the first person on its waitlist.'
          : 'This seat is sold. If it is cancelled, it goes to the first person on its waitlist.')];
      if (entry) {
        content.push(h('p', { class: 'msg ok', id: 'waitlist-position' },
          'You are on the waitlist for this seat' + (entry.position ? ' (position ' + entry.position + ').' : '.')),
        h('p', null, h('a', { href: '#/waitlist' }, 'See my waitlist')));
      } else if (!session.token) {
        content.push(h('p', null, h('a', { href: '#/login', onclick: function () { sessionStorage.setItem('next', location.hash); } }, 'Log in'), ' to join the waitlist.'));
      } else {
        content.push(join);
      }
      content.push(wmsg, h('button', { type: 'button', class: 'link', onclick: function () { takenPanel.hidden = true; } }, 'Close'));
      takenPanel.replaceChildren.apply(takenPanel, content);
      join.addEventListener('click', function () {
        join.disabled = true;
        say(wmsg, 'Joining the waitlist…', 'info');
        api('POST', '/api/waitlist', { event_id: eventId, seat_id: s.id }).then(function (e) {
          waitingSeats[s.id] = e;
          join.remove();
          say(wmsg, 'You are on the waitlist for ' + s.label + (e && e.position ? ', position ' + e.position + '.' : '.'), 'ok');
          wmsg.id = 'waitlist-position';
          takenPanel.insertBefore(h('p', null, h('a', { href: '#/waitlist' }, 'See my waitlist')), wmsg.nextSibling);
          applyStatuses();
        }).catch(function (e) {
          say(wmsg, errorText(e));
          join.disabled = false;
          if (e.code === 'SEAT_AVAILABLE') loadSeats();
        });
      });
      takenPanel.scrollIntoView({ block: 'nearest' });
    }

    function onSeat(s) {
      var cur = seatsById[s.id] || s;
      if (cur.status !== 'OPEN') {
        delete selected[cur.id];
        renderSelection();
        showTaken(cur);
        return;
      }
      takenPanel.hidden = true;
      if (selected[cur.id]) {
        delete selected[cur.id];
      } else {
        if (Object.keys(selected).length >= MAX_SEATS) {
          say(bookMsg, 'You can book at most ' + MAX_SEATS + ' seats at once.');
          return;
        }
        selected[cur.id] = cur;
      }
      say(bookMsg, '');
      renderSelection();
    }

    function buildMap(seats) {
      seatEls = window.SeatMap.build(map, seats, {
        price: function (amount) { return money(amount, event.currency); },
        onSeat: onSeat
      });
    }

    function applyStatuses() {
      Object.keys(seatEls).forEach(function (id) {
        var s = seatsById[id];
        var el = seatEls[id];
        el.classList.remove('OPEN', 'ON_GOING', 'BOOKED');
        el.classList.add(s.status);
        el.classList.toggle('waiting', !!waitingSeats[id]);
        el.setAttribute('data-status', s.status);
        el.setAttribute('aria-label', seatLabel(s));
        el.title = seatLabel(s);
      });
      renderSelection();
    }

    /* quiet: a refusal is already on screen; taken seats just leave the
     * selection without a second message over it */
    function loadSeats(quiet) {
      return api('GET', '/api/events/' + encodeURIComponent(eventId) + '/seats').then(function (data) {
        if (!ctx.alive()) return;
        var seats = (data && data.items) || [];
        seatsById = {};
        seats.forEach(function (s) { seatsById[s.id] = s; });
        var key = seats.map(function (s) { return s.id + s.label + s.price; }).join(',');
        if (key !== layoutKey) {
          layoutKey = key;
          buildMap(seats);
        }
        if (!seats.length) say(mapMsg, 'This event has no seats yet.', 'info');
        /* seats taken by someone else since they were selected */
        var lost = [];
        Object.keys(selected).forEach(function (id) {
          var s = seatsById[id];
          if (!s || s.status !== 'OPEN') { lost.push(selected[id].label); delete selected[id]; }
        });
        if (lost.length && !quiet) say(bookMsg, 'No longer available, removed from your selection: ' + lost.join(', ') + '.');
        applyStatuses();
        updated.textContent = 'Seats updated ' + new Date().toLocaleTimeString() + ' (refreshed every few seconds).';
        if (mapMsg.classList.contains('error')) say(mapMsg, '');
      }).catch(function (e) {
        if (ctx.alive()) say(mapMsg, 'Could not refresh the seats: ' + errorText(e) + ' Retrying…');
      });
    }

    function loadEvent() {
      return api('GET', '/api/events/' + encodeURIComponent(eventId)).then(function (ev) {
        if (!ctx.alive()) return;
        var first = !event;
        event = ev;
        eventCache[ev.id] = Promise.resolve(ev);
        if (first) renderHead();
        else {
          var old = $('.avail', head);
          if (old) old.replaceWith(availability(ev.seat_counts));
          var note = $('.sale-note', head), fresh = saleNote(ev);
          if (note) note.replaceWith(fresh || '');
          else if (fresh) head.appendChild(fresh);
          renderSelection();
        }
      });
    }

    function loadWaiting() {
      if (!session.token) return Promise.resolve();
      return api('GET', '/api/waitlist?limit=500').then(function (data) {
        waitingSeats = {};
        ((data && data.items) || []).forEach(function (w) {
          if (w.event_id === eventId && (w.status === 'WAITING' || w.status === 'OFFERED')) waitingSeats[w.seat_id] = w;
        });
      }).catch(function (e) {
        if (ctx.alive()) say(mapMsg, 'Could not read your waitlist: ' + errorText(e), 'warn');
      });
    }

    clearBtn.addEventListener('click', function () {
      selected = {};
      say(bookMsg, '');
      renderSelection();
    });

    bookBtn.addEventListener('click', function () {
      if (!session.token) {
        sessionStorage.setItem('next', location.hash);
        location.hash = '#/login';
        return;
      }
      if (queueOpen(event) && !hooks.queuePass(eventId)) {
        location.hash = '#/events/' + encodeURIComponent(eventId) + '/queue';
        return;
      }
      var ids = Object.keys(selected);
      if (!ids.length) return;
      /* two phases: the seats are locked for the buyer first (HELD), the
       * payment starts at checkout on the booking's page */
      var req = { event_id: eventId, seat_ids: ids, checkout: false };
      if (hooks.collectAttendees) {
        var people = hooks.collectAttendees(attendeeBox, event);
        if (people && people.error) { say(bookMsg, people.error); return; }
        if (people && people.length) req.attendees = people;
      }
      bookBtn.disabled = true;
      say(bookMsg, 'Holding ' + ids.length + (ids.length > 1 ? ' seats…' : ' seat…'), 'info');
      var headers = { 'Idempotency-Key': uuid() };
      var pass = queueOpen(event) && hooks.queuePass(eventId);
      if (pass) headers['X-Queue-Pass'] = pass.pass;
      api('POST', '/api/bookings', req, { headers: headers })
        .then(function (b) {
          notice('Your seats are held for you. Check out before the countdown ends.');
          location.hash = '#/bookings/' + encodeURIComponent(b.id);
        }).catch(function (e) {
          if (!ctx.alive()) return;
          var text = errorText(e);
          if (e.code === 'QUEUE_PASS_REQUIRED') {
            if (hooks.queueForget) hooks.queueForget(eventId);
            say(bookMsg, text + ' ');
            bookMsg.appendChild(h('a', { href: '#/events/' + encodeURIComponent(eventId) + '/queue' }, 'Join the line'));
            renderSelection();
            return;
          }
          var b = e.body && e.body.booking;
          if (b && b.failure_reason) text += ' ' + reasonText(b.failure_reason);
          say(bookMsg, text);
          if (b && b.id) {
            bookMsg.appendChild(document.createTextNode(' '));
            bookMsg.appendChild(h('a', { href: '#/bookings/' + encodeURIComponent(b.id) }, 'See this attempt'));
          }
          bookBtn.disabled = false;
          loadSeats(true);
        });
    });

    loadEvent().then(function () {
      return loadWaiting();
    }).then(function () {
      return loadSeats();
    }).then(function () {
      every(SEAT_REFRESH_MS, function () { loadSeats(); });
      every(SEAT_REFRESH_MS * 3, function () { loadEvent().catch(function () {}); });
    }).catch(function (e) {
      say(mapMsg, 'Could not load this event: ' + errorText(e));
    });
  }

  /* ---------- views: bookings ---------- */

  function seatLabels(b) {
    return (b.seats || []).map(function (s) { return s.label; }).sort(naturalCompare).join(', ');
  }

  function viewBookings(ctx) {
    markNav('bookings');
    if (!requireLogin(ctx)) return;
    var msg = statusLine();
    var list = h('div', { class: 'list', id: 'booking-list' });
    ctx.render(h('section', null, h('h1', null, 'My bookings'), msg, list));

    function render(items) {
      list.replaceChildren();
      if (!items.length) {
        list.appendChild(h('p', { class: 'muted' }, 'No bookings yet. ', h('a', { href: '#/events' }, 'Find an event')));
        return;
      }
      items.forEach(function (b) {
        var link = '#/bookings/' + encodeURIComponent(b.id);
        list.appendChild(h('article', { class: 'card booking', 'data-booking-id': b.id },
          h('div', { class: 'row-between' },
            h('h2', null, h('a', { href: link }, b.event_name || 'Booking')),
            badge(b.status)),
          h('p', null, 'Seats: ', seatLabels(b), b.amount !== null && b.amount !== undefined ? ' · ' + money(b.amount, b.currency) : ''),
          b.failure_reason ? h('p', { class: 'reason' }, reasonText(b.failure_reason) + ' (' + b.failure_reason + ')') : null,
          b.origin === 'waitlist' ? h('p', { class: 'muted small' }, 'Offered from the waitlist') : null,
          h('p', { class: 'muted small' }, b.code ? 'Code ' + b.code + ' · ' : '', 'Booked ', timeEl(b.created_at), ' · ', h('a', { href: link }, 'Details'))));
      });
    }

    function load() {
      return api('GET', '/api/bookings?limit=100').then(function (data) {
        if (!ctx.alive()) return;
        render((data && data.items) || []);
        say(msg, '');
      }).catch(function (e) {
        if (ctx.alive()) say(msg, 'Could not load your bookings: ' + errorText(e));
      });
    }
    load().then(function () { every(LIST_POLL_MS, load); });
  }

  function downloadTicket(b, msgEl, btn) {
    btn.disabled = true;
    say(msgEl, 'Downloading the ticket…', 'info');
    api('GET', '/api/bookings/' + encodeURIComponent(b.id) + '/ticket.pdf', null, { blob: true }).then(function (blob) {
      var url = URL.createObjectURL(blob);
      var a = h('a', { href: url, download: 'ticket-' + b.id + '.pdf', hidden: true });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      say(msgEl, 'Ticket downloaded.', 'ok');
    }).catch(function (e) {
      say(msgEl, 'Could not download the ticket: ' + errorText(e));
    }).then(function () { btn.disabled = false; });
  }

  function viewBooking(ctx, id) {
    markNav('bookings');
    if (!requireLogin(ctx)) return;
    var path = '/api/bookings/' + encodeURIComponent(id);
    var msg = statusLine();
    var body = h('div', { id: 'booking', class: 'card' });
    var note = sessionStorage.getItem('notice');
    sessionStorage.removeItem('notice');
    var noteEl = statusLine();
    if (note) say(noteEl, note, 'ok');
    ctx.render(h('section', null,
      h('p', null, h('a', { href: '#/bookings' }, '← My bookings')),
      noteEl, msg, body));
    var current = null;
    var confirmingCancel = false;

    function render(b) {
      current = b;
      if (note && b.status !== 'HELD') say(noteEl, ''); /* "held for you, check out" no longer true */
      var actionMsg = statusLine();
      var parts = [
        h('div', { class: 'row-between' },
          h('h1', null, b.event_name || 'Booking'),
          h('span', { id: 'booking-status' }, badge(b.status)))];
      if (b.status === 'PENDING_PAYMENT' && !b.payment) {
        parts.push(h('p', { class: 'help' }, 'Waiting for the ticket service to hold your seats…'));
      } else if (STATUS_HELP[b.status]) {
        parts.push(h('p', { class: 'help' }, STATUS_HELP[b.status]));
      }
      if (b.failure_reason) {
        parts.push(h('p', { class: 'reason', id: 'failure-reason' }, reasonText(b.failure_reason) + ' (' + b.failure_reason + ')'));
      }
      if (b.origin === 'waitlist') parts.push(h('p', { class: 'muted' }, 'This seat was offered to you from the waitlist.'));
      var dl = h('dl', { class: 'facts' },
        h('dt', null, 'Seats'), h('dd', { id: 'booking-seats' }, seatLabels(b)),
        h('dt', null, 'Amount'), h('dd', null, money(b.amount, b.currency)),
        h('dt', null, 'Booked'), h('dd', null, timeEl(b.created_at)),
        b.code ? h('dt', null, 'Booking code') : null, b.code ? h('dd', { class: 'mono', id: 'booking-code' }, b.code) : null,
        h('dt', null, 'Booking id'), h('dd', { class: 'mono' }, b.id));
      if (b.payment && b.payment.invoice_number) {
        dl.appendChild(h('dt', null, 'Invoice'));
        dl.appendChild(h('dd', { class: 'mono' }, b.payment.invoice_number));
      }
      parts.push(dl);
      if (b.status === 'HELD' && b.hold_expires_at) {
        var checkoutMsg = statusLine();
        var checkoutBtn = h('button', { type: 'button', id: 'checkout' }, 'Checkout');
        checkoutBtn.addEventListener('click', function () {
          checkoutBtn.disabled = true;
          say(checkoutMsg, 'Checking out…', 'info');
          api('POST', path + '/checkout').then(function (nb) {
            render(nb);
          }).catch(function (e) {
            if (!ctx.alive()) return;
            if (e.body && e.body.booking) render(e.body.booking);
            say(msg, (e.body && e.body.error && e.body.error.code === 'HOLD_EXPIRED')
              ? 'Too late: the seats were released. Pick them again on the seat map.'
              : 'Could not check out: ' + errorText(e));
          });
        });
        parts.push(h('div', { class: 'hold card inset', id: 'selection-hold' },
          h('p', null, 'Seats locked for you: ',
            countdown('selection-countdown', b.hold_expires_at, function () { load(); }), ' left to check out.'),
          checkoutBtn, checkoutMsg));
      }
      if (b.status === 'PENDING_PAYMENT' && b.payment) {
        var url = safeUrl(b.payment.payment_url);
        parts.push(h('div', { class: 'pay card inset' },
          h('p', null, 'Pay ', h('strong', null, money(b.amount, b.currency)), ' before ', timeEl(b.payment.expires_at), '.'),
          b.payment.expires_at ? h('p', { class: 'payment-window' }, 'Payment window: ',
            countdown('payment-countdown', b.payment.expires_at), ' left.') : null,
          url ? h('a', { class: 'button', id: 'pay-link', href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Go to the payment page')
            : h('p', { class: 'msg error' }, 'The payment link is missing or invalid.'),
          h('p', { class: 'muted small' }, 'The payment page opens in a new tab. Come back here: the booking turns Confirmed by itself.')));
      }
      var actions = h('div', { class: 'actions' });
      if (b.status === 'CONFIRMED') {
        var dlBtn = h('button', { type: 'button', id: 'download-ticket' }, 'Download ticket (PDF)');
        dlBtn.addEventListener('click', function () { downloadTicket(b, actionMsg, dlBtn); });
        actions.appendChild(dlBtn);
      }
      var refresh = h('button', { type: 'button', class: 'secondary', id: 'refresh-booking' }, 'Check status now');
      refresh.addEventListener('click', function () {
        refresh.disabled = true;
        api('POST', path + '/refresh').then(function (nb) {
          render(nb);
        }).catch(function (e) {
          say(actionMsg, 'Could not check the status: ' + errorText(e));
          refresh.disabled = false;
        });
      });
      actions.appendChild(refresh);
      if (b.status === 'HELD' || b.status === 'PENDING_PAYMENT' || b.status === 'CONFIRMED') {
        if (!confirmingCancel) {
          var cancel = h('button', { type: 'button', class: 'danger', id: 'cancel-booking' }, 'Cancel booking');
          cancel.addEventListener('click', function () { confirmingCancel = true; render(current); });
          actions.appendChild(cancel);
        } else {
          var yes = h('button', { type: 'button', class: 'danger', id: 'confirm-cancel' },
            b.status === 'CONFIRMED' ? 'Yes, cancel and refund' : 'Yes, cancel it');
          var no = h('button', { type: 'button', class: 'secondary', id: 'keep-booking' }, 'Keep it');
          no.addEventListener('click', function () { confirmingCancel = false; render(current); });
          yes.addEventListener('click', function () {
            yes.disabled = true;
            api('POST', path + '/cancel').then(function (nb) {
              confirmingCancel = false;
              render(nb);
            }).catch(function (e) {
              confirmingCancel = false;
              if (e.body && e.body.booking) render(e.body.booking);
              say(msg, 'Could not cancel: ' + errorText(e));
            });
          });
          actions.appendChild(yes);
          actions.appendChild(no);
        }
      }
      parts.push(actions, actionMsg);
      if (b.history && b.history.length) {
        var tbody = h('tbody');
        b.history.forEach(function (e) {
          tbody.appendChild(h('tr', null, h('td', null, timeEl(e.at)), h('td', null, STATUS_TEXT[e.status] || e.status),
            h('td', null, e.reason || ''), h('td', { class: 'muted small' }, e.source || '')));
        });
        parts.push(h('details', { class: 'history' }, h('summary', null, 'History'),
          h('div', { class: 'scroll' }, h('table', null,
            h('thead', null, h('tr', null, h('th', null, 'When'), h('th', null, 'Status'), h('th', null, 'Reason'), h('th', null, 'Source'))),
            tbody))));
      }
      body.replaceChildren.apply(body, parts);
    }

    function load() {
      return api('GET', path).then(function (b) {
        if (!ctx.alive()) return;
        /* keep the page still while nothing changed */
        if (!current || current.status !== b.status || current.updated_at !== b.updated_at ||
            (current.payment === null) !== (b.payment === null)) render(b);
        if (msg.classList.contains('error')) say(msg, '');
      }).catch(function (e) {
        if (ctx.alive()) say(msg, 'Could not load the booking: ' + errorText(e));
      });
    }
    load().then(function () {
      every(BOOKING_POLL_MS, function () {
        if (current && current.status !== 'PENDING_PAYMENT' && current.status !== 'HELD') return;
        load();
      });
    });
  }

  /* ---------- views: waitlist ---------- */

  function viewWaitlist(ctx) {
    markNav('waitlist');
    if (!requireLogin(ctx)) return;
    var msg = statusLine();
    var list = h('div', { class: 'list', id: 'waitlist' });
    ctx.render(h('section', null, h('h1', null, 'My waitlist'),
      h('p', { class: 'muted' }, 'When a seat you wait for is released, the first person in line gets a booking to pay for; it appears under My bookings.'),
      msg, list));
    var seatCache = {};
    function seatName(eventId, seatId) {
      if (!seatCache[eventId]) {
        seatCache[eventId] = api('GET', '/api/events/' + encodeURIComponent(eventId) + '/seats').then(function (d) {
          var m = {};
          ((d && d.items) || []).forEach(function (s) { m[s.id] = s.label; });
          return m;
        }).catch(function () { delete seatCache[eventId]; return {}; });
      }
      return seatCache[eventId].then(function (m) { return m[seatId] || seatId; });
    }

    function render(items) {
      list.replaceChildren();
      if (!items.length) {
        list.appendChild(h('p', { class: 'muted' }, 'You are not waiting for any seat. On a seat map, choose a taken seat to join its waitlist.'));
        return;
      }
      items.forEach(function (w) {
        var evName = h('a', { href: '#/events/' + encodeURIComponent(w.event_id) }, 'Event');
        var seat = h('strong', { class: 'seat-label' }, '…');
        getEvent(w.event_id).then(function (ev) { evName.textContent = ev.name; }).catch(function () {});
        seatName(w.event_id, w.seat_id).then(function (l) { seat.textContent = l; });
        var leaveMsg = statusLine();
        var card = h('article', { class: 'card wait', 'data-entry-id': w.id, 'data-status': w.status },
          h('div', { class: 'row-between' }, h('h2', null, evName), h('span', { class: 'badge w-' + w.status }, WAIT_TEXT[w.status] || w.status)),
          h('p', null, 'Seat ', seat,
            w.status === 'WAITING' && w.position ? h('span', { class: 'position' }, ' · position ' + w.position + ' in line') : null),
          w.booking_id ? h('p', null, h('a', { href: '#/bookings/' + encodeURIComponent(w.booking_id) }, 'See the booking offered to you')) : null,
          h('p', { class: 'muted small' }, 'Joined ', timeEl(w.created_at)));
        if (w.status === 'WAITING' || w.status === 'OFFERED') {
          var leave = h('button', { type: 'button', class: 'secondary leave' }, 'Leave waitlist');
          leave.addEventListener('click', function () {
            leave.disabled = true;
            api('DELETE', '/api/waitlist/' + encodeURIComponent(w.id)).then(function () {
              return load();
            }).catch(function (e) {
              say(leaveMsg, 'Could not leave the waitlist: ' + errorText(e));
              leave.disabled = false;
            });
          });
          card.appendChild(h('div', { class: 'actions' }, leave));
        }
        card.appendChild(leaveMsg);
        list.appendChild(card);
      });
    }

    var lastKey = null;
    function load() {
      return api('GET', '/api/waitlist?limit=500').then(function (data) {
        if (!ctx.alive()) return;
        var items = (data && data.items) || [];
        var key = JSON.stringify(items);
        if (key !== lastKey) { lastKey = key; render(items); }
        if (msg.classList.contains('error')) say(msg, '');
      }).catch(function (e) {
        if (ctx.alive()) say(msg, 'Could not load your waitlist: ' + errorText(e));
      });
    }
    load().then(function () { every(LIST_POLL_MS, load); });
  }

  /* ---------- views: admin ---------- */

  function adminTabs(active) {
    return h('nav', { class: 'tabs', 'aria-label': 'Admin' },
      [['events', '#/admin', 'Events'], ['new', '#/admin/events/new', 'New event'], ['users', '#/admin/users', 'Users'],
        ['boxoffice', '#/admin/boxoffice', 'Box office']]
        .map(function (t) {
          return h('a', { href: t[1], 'aria-current': t[0] === active ? 'page' : null }, t[2]);
        }));
  }

  var EVENT_STATUS_TEXT = { DRAFT: 'Draft', SCHEDULED: 'Sales not open yet', ON_SALE: 'On sale',
    SALES_CLOSED: 'Sales closed', CANCELLED: 'Cancelled' };

  /* The admin's Publish (a draft) and Cancel event (every booking cancelled, paid ones refunded) buttons. */
  function eventLifeButtons(ev, msg) {
    var enc = encodeURIComponent(ev.id);
    var out = [];
    function act(label, cls, path, confirmText, done) {
      var b = h('button', { type: 'button', class: 'small ' + cls }, label);
      b.addEventListener('click', function () {
        if (confirmText && !window.confirm(confirmText)) return;
        b.disabled = true;
        api('POST', '/api/admin/events/' + enc + '/' + path).then(function () {
          notice(done);
          location.reload();
        }).catch(function (e) {
          say(msg, label + ' failed: ' + errorText(e));
          b.disabled = false;
        });
      });
      return b;
    }
    if (ev.status === 'DRAFT')
      out.push(act('Publish', 'publish-event', 'publish', null, 'Event "' + ev.name + '" published.'));
    if (ev.status && ev.status !== 'CANCELLED' && ev.status !== 'DRAFT')
      out.push(act('Cancel event', 'secondary cancel-event', 'cancel',
        'Cancel "' + ev.name + '"? Every booking is cancelled and paid ones are refunded.',
        'Event "' + ev.name + '" cancelled.'));
    return out;
  }

  function viewAdmin(ctx) {
    markNav('admin');
    if (!requireAdmin(ctx)) return;
    var msg = statusLine();
    var note = sessionStorage.getItem('notice');
    sessionStorage.removeItem('notice');
    var noteEl = statusLine();
    if (note) say(noteEl, note, 'ok');
    var tbody = h('tbody');
    ctx.render(h('section', null, h('h1', null, 'Admin'), adminTabs('events'), noteEl, msg,
      h('div', { class: 'scroll' }, h('table', { class: 'table', id: 'admin-events' },
        h('thead', null, h('tr', null, h('th', null, 'Event'), h('th', null, 'Starts'), h('th', null, 'Seats'), h('th', null, ''))),
        tbody))));
    api('GET', '/api/events?limit=500&when=all').then(function (data) {
      var items = (data && data.items) || [];
      if (!items.length) say(msg, 'No events yet: create one.', 'info');
      items.forEach(function (ev) {
        var id = encodeURIComponent(ev.id);
        var c = ev.seat_counts || {};
        tbody.appendChild(h('tr', { 'data-event-id': ev.id },
          h('td', null, h('strong', null, ev.name), h('br'), h('span', { class: 'muted small' }, ev.venue),
            ev.status ? h('span', { class: 'ev-status s-' + ev.status, 'data-status': ev.status }, ' · ' + (EVENT_STATUS_TEXT[ev.status] || ev.status)) : ''),
          h('td', null, eventTimeEl(ev)),
          h('td', null, (c.booked || 0) + ' booked, ' + (c.on_going || 0) + ' held, ' + (c.open || 0) + ' open of ' + (c.total || 0)),
          h('td', { class: 'links' },
            h('a', { href: '#/admin/events/' + id + '/stats' }, 'Statistics'), ' ',
            h('a', { href: '#/admin/events/' + id + '/edit' }, 'Edit'), ' ',
            h('a', { href: '#/events/' + id }, 'Seat map'), ' ',
            eventLifeButtons(ev, msg))));
      });
    }).catch(function (e) { say(msg, 'Could not load the events: ' + errorText(e)); });
  }

  /* "A-C" -> A,B,C; "1-12" -> 1..12; "A, B, VIP" as written. */
  function parseRows(text) {
    var out = [];
    String(text).split(',').forEach(function (part) {
      part = part.trim();
      if (!part) return;
      var m = /^([A-Za-z])\s*-\s*([A-Za-z])$/.exec(part);
      var n = /^(\d+)\s*-\s*(\d+)$/.exec(part);
      if (m) {
        var a = m[1].charCodeAt(0), b = m[2].charCodeAt(0);
        for (var c = Math.min(a, b); c <= Math.max(a, b) && out.length < 500; c++) out.push(String.fromCharCode(c));
      } else if (n) {
        var x = Number(n[1]), y = Number(n[2]);
        for (var i = Math.min(x, y); i <= Math.max(x, y) && out.length < 500; i++) out.push(String(i));
      } else {
        out.push(part);
      }
    });
    return out;
  }

  function toLocalInput(iso) {
    var d = iso ? new Date(iso) : new Date(Date.now() + 30 * 86400000);
    if (isNaN(d)) return '';
    var p = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
  }

  function fromLocalInput(v) {
    var d = new Date(v);
    return isNaN(d) ? null : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  function uploadPoster(eventId, file) {
    return file.arrayBuffer().then(function (buf) {
      return api('PUT', '/api/admin/events/' + encodeURIComponent(eventId) + '/poster', buf,
        { raw: true, contentType: file.type || 'application/octet-stream' });
    });
  }

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch (e) { return 'UTC'; }
  }

  function eventFields(ev) {
    ev = ev || {};
    return {
      name: h('input', { name: 'name', required: true, maxlength: 200, value: ev.name || '' }),
      venue: h('input', { name: 'venue', required: true, maxlength: 200, value: ev.venue || '' }),
      starts: h('input', { name: 'starts_at', type: 'datetime-local', required: true, value: toLocalInput(ev.starts_at) }),
      currency: h('input', { name: 'currency', maxlength: 3, pattern: '[A-Z]{3}', value: ev.currency || 'IDR', class: 'short' }),
      timezone: h('input', { name: 'timezone', maxlength: 64, value: ev.timezone || browserZone() }),
      description: h('textarea', { name: 'description', rows: 3, maxlength: 2000 }, ev.description || '')
    };
  }

  function viewAdminNew(ctx) {
    markNav('admin');
    if (!requireAdmin(ctx)) return;
    var f = eventFields(null);
    var sections = h('div', { id: 'sections' });
    var total = h('p', { class: 'muted', id: 'layout-total' });
    var poster = h('input', { type: 'file', name: 'poster', accept: 'image/png,image/jpeg' });
    var msg = statusLine();
    var btn = h('button', { type: 'submit', id: 'create-event' }, 'Create event');
    var addBtn = h('button', { type: 'button', class: 'secondary', id: 'add-section' }, 'Add a section');

    function sectionRow(name, rows, perRow, price) {
      var s = {
        name: h('input', { class: 'sec-name', required: true, maxlength: 100, value: name, 'aria-label': 'Section name' }),
        rows: h('input', { class: 'sec-rows', required: true, value: rows, 'aria-label': 'Rows' }),
        per: h('input', { class: 'sec-seats', type: 'number', min: 1, max: 1000, required: true, value: perRow, 'aria-label': 'Seats per row' }),
        price: h('input', { class: 'sec-price', type: 'number', min: 0, step: 1, required: true, value: price, 'aria-label': 'Price' })
      };
      var remove = h('button', { type: 'button', class: 'link' }, 'Remove');
      var el = h('fieldset', { class: 'section-edit' },
        h('legend', null, 'Section'),
        field('Name', s.name),
        field('Rows', s.rows, 'e.g. A-C or 1-10 or A, B, VIP'),
        field('Seats per row', s.per),
        field('Price per seat', s.price, 'in the currency\'s smallest unit'),
        remove);
      el._section = s;
      remove.addEventListener('click', function () { el.remove(); recount(); });
      el.addEventListener('input', recount);
      return el;
    }

    function layout() {
      return Array.prototype.map.call(sections.children, function (el) {
        var s = el._section;
        return { name: s.name.value.trim(), rows: parseRows(s.rows.value), seats_per_row: Number(s.per.value), price: Number(s.price.value) };
      });
    }

    function recount() {
      var n = layout().reduce(function (t, s) { return t + s.rows.length * (s.seats_per_row || 0); }, 0);
      total.textContent = n + ' seats in ' + sections.children.length + ' section(s)';
    }

    addBtn.addEventListener('click', function () {
      sections.appendChild(sectionRow('', '', 10, 100000));
      recount();
    });
    sections.appendChild(sectionRow('Floor', 'A-C', 10, 150000));
    recount();

    var publish = h('input', { type: 'checkbox', name: 'publish', checked: true });
    var queueBox = hooks.queueFields ? hooks.queueFields(null) : null;
    var form = h('form', { class: 'card', id: 'event-form' },
      h('h2', null, 'New event'),
      field('Name', f.name), field('Venue', f.venue), field('Starts at (your local time)', f.starts),
      field('Venue time zone', f.timezone, 'IANA name, e.g. Asia/Jakarta: times are shown in it'),
      h('label', { class: 'check' }, publish, ' Publish now (else a draft only admins see)'),
      field('Currency', f.currency), field('Description', f.description),
      h('h3', null, 'Seat layout'), sections, addBtn, total, queueBox,
      field('Poster (PNG or JPEG, at most 512 KiB)', poster),
      msg, btn);
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var starts = fromLocalInput(f.starts.value);
      if (!starts) { say(msg, 'Please give a valid start time.'); return; }
      var body = { name: f.name.value.trim(), venue: f.venue.value.trim(), starts_at: starts,
        description: f.description.value, currency: f.currency.value.trim() || 'IDR',
        timezone: f.timezone.value.trim() || 'UTC', publish: !!publish.checked,
        layout: { sections: layout() } };
      var queue = queueBox && hooks.queueValue(queueBox);
      if (queue) body.queue = queue;
      btn.disabled = true;
      say(msg, 'Creating the event…', 'info');
      api('POST', '/api/admin/events', body).then(function (created) {
        var file = poster.files && poster.files[0];
        if (!file) return created;
        say(msg, 'Event created; uploading the poster…', 'info');
        return uploadPoster(created.id, file).then(function () { return created; }, function (e) {
          notice('Event "' + created.name + '" created, but the poster was refused: ' + errorText(e));
          location.hash = '#/admin/events/' + encodeURIComponent(created.id) + '/edit';
          return null;
        });
      }).then(function (created) {
        if (!created) return;
        notice('Event "' + created.name + '" created with ' + ((created.seat_counts && created.seat_counts.total) || 0) + ' seats.');
        location.hash = '#/admin';
      }).catch(function (e) {
        say(msg, 'Could not create the event: ' + errorText(e));
        btn.disabled = false;
      });
    });
    ctx.render(h('section', null, h('h1', null, 'Admin'), adminTabs('new'), form));
  }

  function viewAdminEdit(ctx, id) {
    markNav('admin');
    if (!requireAdmin(ctx)) return;
    var msg = statusLine();
    var note = sessionStorage.getItem('notice');
    sessionStorage.removeItem('notice');
    var noteEl = statusLine();
    if (note) say(noteEl, note, note.indexOf('refused') >= 0 ? 'error' : 'ok');
    var wrap = h('div');
    ctx.render(h('section', null, h('h1', null, 'Admin'), adminTabs(null), noteEl, msg, wrap));
    var enc = encodeURIComponent(id);
    api('GET', '/api/events/' + enc).then(function (ev) {
      var f = eventFields(ev);
      var saveMsg = statusLine();
      var save = h('button', { type: 'submit', id: 'save-event' }, 'Save changes');
      var queueBox = hooks.queueFields ? hooks.queueFields(ev) : null;
      var form = h('form', { class: 'card', id: 'edit-form' },
        h('h2', null, 'Edit event'),
        field('Name', f.name), field('Venue', f.venue), field('Starts at (your local time)', f.starts),
        field('Venue time zone', f.timezone, 'IANA name, e.g. Asia/Jakarta'),
        field('Currency', f.currency), field('Description', f.description), queueBox,
        h('p', { class: 'muted small' }, 'The seat layout cannot be changed here. Moving the start time tells every holder and re-issues their tickets; the currency cannot change once seats are booked.'),
        saveMsg, save);
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        var patch = {};
        if (f.name.value.trim() !== ev.name) patch.name = f.name.value.trim();
        if (f.venue.value.trim() !== ev.venue) patch.venue = f.venue.value.trim();
        if (f.description.value !== (ev.description || '')) patch.description = f.description.value;
        if (f.currency.value.trim() !== ev.currency) patch.currency = f.currency.value.trim();
        if (f.timezone.value.trim() && f.timezone.value.trim() !== ev.timezone) patch.timezone = f.timezone.value.trim();
        var starts = fromLocalInput(f.starts.value);
        if (starts && toLocalInput(starts) !== toLocalInput(ev.starts_at)) patch.starts_at = starts;
        var queue = queueBox && hooks.queueValue(queueBox);
        if (queue) patch.queue = queue;
        if (!Object.keys(patch).length) { say(saveMsg, 'Nothing changed.', 'info'); return; }
        save.disabled = true;
        api('PATCH', '/api/admin/events/' + enc, patch).then(function (nev) {
          ev = nev;
          if (queueBox) queueBox._queue.initial = nev.queue || null;
          delete eventCache[id];
          say(saveMsg, 'Saved.', 'ok');
        }).catch(function (er) {
          say(saveMsg, 'Could not save: ' + errorText(er));
        }).then(function () { save.disabled = false; });
      });

      var posterMsg = statusLine();
      var preview = h('div', { class: 'poster-preview' });
      var hasPoster = !!ev.poster_url;
      function showPoster() {
        if (!hasPoster) { preview.replaceChildren(h('p', { class: 'muted' }, 'No poster yet.')); return; }
        var img = h('img', { class: 'poster', alt: 'Current poster', src: '/api/events/' + enc + '/poster?v=' + Date.now() });
        img.addEventListener('error', function () { preview.replaceChildren(h('p', { class: 'muted' }, 'No poster yet.')); });
        preview.replaceChildren(img);
      }
      showPoster();
      var file = h('input', { type: 'file', accept: 'image/png,image/jpeg', id: 'poster-file' });
      var up = h('button', { type: 'button', id: 'upload-poster' }, 'Upload poster');
      var rm = h('button', { type: 'button', class: 'secondary', id: 'remove-poster' }, 'Remove poster');
      up.addEventListener('click', function () {
        var fl = file.files && file.files[0];
        if (!fl) { say(posterMsg, 'Choose a PNG or JPEG file first.'); return; }
        up.disabled = true;
        say(posterMsg, 'Uploading…', 'info');
        uploadPoster(id, fl).then(function (p) {
          say(posterMsg, 'Poster saved (' + p.content_type + ', ' + p.width + '×' + p.height + ', ' + Math.ceil(p.size / 1024) + ' KiB).', 'ok');
          hasPoster = true;
          showPoster();
        }).catch(function (er) {
          say(posterMsg, 'Poster refused: ' + errorText(er));
        }).then(function () { up.disabled = false; });
      });
      rm.addEventListener('click', function () {
        api('DELETE', '/api/admin/events/' + enc + '/poster').then(function () {
          say(posterMsg, 'Poster removed.', 'ok');
          hasPoster = false;
          showPoster();
        }).catch(function (er) { say(posterMsg, 'Could not remove the poster: ' + errorText(er)); });
      });
      var posterCard = h('div', { class: 'card' }, h('h2', null, 'Poster'), preview,
        field('PNG or JPEG, at most 512 KiB', file), h('div', { class: 'actions' }, up, rm), posterMsg);

      var delMsg = statusLine();
      var del = h('button', { type: 'button', class: 'danger', id: 'delete-event' }, 'Delete event');
      var delCard = h('div', { class: 'card' }, h('h2', null, 'Delete'),
        h('p', { class: 'muted' }, 'Only an event without bookings can be deleted.'), del, delMsg);
      var armed = false;
      del.addEventListener('click', function () {
        if (!armed) {
          armed = true;
          del.textContent = 'Really delete "' + ev.name + '"?';
          return;
        }
        del.disabled = true;
        api('DELETE', '/api/admin/events/' + enc).then(function () {
          delete eventCache[id];
          notice('Event "' + ev.name + '" deleted.');
          location.hash = '#/admin';
        }).catch(function (er) {
          say(delMsg, 'Could not delete: ' + errorText(er));
          del.disabled = false;
          armed = false;
          del.textContent = 'Delete event';
        });
      });
      wrap.replaceChildren(
        h('p', null, h('a', { href: '#/admin/events/' + enc + '/stats' }, 'Statistics'), ' · ',
          h('a', { href: '#/events/' + enc }, 'Seat map')),
        form, posterCard, delCard);
    }).catch(function (e) { say(msg, 'Could not load the event: ' + errorText(e)); });
  }

  function viewAdminStats(ctx, id) {
    markNav('admin');
    if (!requireAdmin(ctx)) return;
    var enc = encodeURIComponent(id);
    var msg = statusLine();
    var title = h('h2', { id: 'stats-title' }, 'Statistics');
    var out = h('div', { id: 'stats' });
    var queueOut = h('div', { id: 'queue-figures' });
    ctx.render(h('section', null, h('h1', null, 'Admin'), adminTabs(null), title,
      h('p', null, h('a', { href: '#/admin/events/' + enc + '/edit' }, 'Edit'), ' · ',
        h('a', { href: '#/events/' + enc }, 'Seat map')), msg, out, queueOut));
    getEvent(id).then(function (ev) {
      title.replaceChildren(ev.name, h('br'), h('span', { class: 'muted small' }, ev.venue + ' · '), h('span', { class: 'muted small' }, timeEl(ev.starts_at)));
    }).catch(function () {});

    function tile(label, value, key) {
      return h('div', { class: 'tile', 'data-stat': key }, h('span', { class: 'tile-value' }, String(value)), h('span', { class: 'tile-label' }, label));
    }

    function render(s) {
      var seats = s.seats || {};
      var total = seats.total || ((seats.open || 0) + (seats.on_going || 0) + (seats.booked || 0));
      var by = s.bookings || {};
      var tbody = h('tbody');
      ['PENDING_PAYMENT', 'CONFIRMED', 'FAILED', 'EXPIRED', 'CANCELLED'].forEach(function (k) {
        tbody.appendChild(h('tr', { 'data-booking-status': k }, h('td', null, badge(k)), h('td', { class: 'num' }, String(by[k] || 0))));
      });
      out.replaceChildren(
        h('div', { class: 'tiles' },
          tile('Revenue (confirmed)', money(s.revenue || 0, s.currency), 'revenue'),
          tile('Seats booked', (seats.booked || 0) + ' / ' + total, 'booked'),
          tile('On hold', seats.on_going || 0, 'on_going'),
          tile('Open', seats.open || 0, 'open'),
          tile('Checked in', (s.checked_in || 0) + ' / ' + (seats.booked || 0), 'checked_in')),
        h('div', { class: 'card' }, h('h3', null, 'Seats by status'),
          availability({ total: total, open: seats.open || 0, on_going: seats.on_going || 0, booked: seats.booked || 0 })),
        h('div', { class: 'card' }, h('h3', null, 'Bookings by status'),
          h('table', { class: 'table', id: 'bookings-by-status' }, tbody)),
        h('p', { class: 'muted small' }, 'Updated ' + new Date().toLocaleTimeString() + ' (refreshed every few seconds).'));
    }

    function load() {
      return api('GET', '/api/admin/events/' + enc + '/stats').then(function (s) {
        if (!ctx.alive()) return;
        render(s);
        if (msg.classList.contains('error')) say(msg, '');
      }).catch(function (e) {
        if (ctx.alive()) say(msg, 'Could not load the statistics: ' + errorText(e));
      });
    }
    function loadQueue() {
      if (hooks.queueStats && ctx.alive()) hooks.queueStats(id, queueOut);
    }
    load().then(function () {
      loadQueue();
      every(STATS_REFRESH_MS, function () { load(); loadQueue(); });
    });
  }

  function viewAdminUsers(ctx) {
    markNav('admin');
    if (!requireAdmin(ctx)) return;
    var offset = 0, limit = 50;
    var msg = statusLine();
    var tbody = h('tbody');
    var pager = h('div', { class: 'actions' });
    ctx.render(h('section', null, h('h1', null, 'Admin'), adminTabs('users'), msg,
      h('div', { class: 'scroll' }, h('table', { class: 'table', id: 'users' },
        h('thead', null, h('tr', null, h('th', null, 'Username'), h('th', null, 'Email'), h('th', null, 'Name'), h('th', null, 'Role'), h('th', null, 'Since'))),
        tbody)), pager));
    function load() {
      api('GET', '/api/users?limit=' + limit + '&offset=' + offset).then(function (data) {
        var items = (data && data.items) || [];
        tbody.replaceChildren();
        items.forEach(function (u) {
          tbody.appendChild(h('tr', null, h('td', null, u.username), h('td', null, u.email), h('td', null, u.full_name || ''),
            h('td', null, h('span', { class: 'badge r-' + u.role }, u.role)), h('td', null, timeEl(u.created_at))));
        });
        var total = data && data.total ? data.total : items.length;
        var prev = h('button', { type: 'button', class: 'secondary', disabled: offset === 0 }, 'Previous');
        var next = h('button', { type: 'button', class: 'secondary', disabled: offset + limit >= total }, 'Next');
        prev.addEventListener('click', function () { offset = Math.max(0, offset - limit); load(); });
        next.addEventListener('click', function () { offset += limit; load(); });
        pager.replaceChildren(prev, h('span', { class: 'muted' }, (total ? offset + 1 : 0) + '–' + Math.min(offset + limit, total) + ' of ' + total), next);
      }).catch(function (e) { say(msg, 'Could not load the users: ' + errorText(e)); });
    }
    load();
  }

  /* ---------- router ---------- */

  var routes = [
    [/^#\/events\/?$/, viewEvents],
    [/^#\/events\/([^/]+)$/, viewEvent],
    [/^#\/login$/, viewLogin],
    [/^#\/register$/, viewRegister],
    [/^#\/bookings\/?$/, viewBookings],
    [/^#\/bookings\/([^/]+)$/, viewBooking],
    [/^#\/waitlist$/, viewWaitlist],
    [/^#\/admin\/?$/, viewAdmin],
    [/^#\/admin\/events\/new$/, viewAdminNew],
    [/^#\/admin\/events\/([^/]+)\/edit$/, viewAdminEdit],
    [/^#\/admin\/events\/([^/]+)\/stats$/, viewAdminStats],
    [/^#\/admin\/users$/, viewAdminUsers]
  ];

  function route() {
    cleanups.forEach(function (f) { f(); });
    cleanups = [];
    var gen = ++generation;
    var hash = location.hash || '#/events';
    var ctx = {
      alive: function () { return gen === generation; },
      render: function (node) {
        if (gen !== generation) return;
        view.replaceChildren(node);
      }
    };
    for (var i = 0; i < routes.length; i++) {
      var m = routes[i][0].exec(hash);
      if (m) {
        var args = [ctx].concat(m.slice(1).map(function (x) {
          try { return decodeURIComponent(x); } catch (e) { return x; }
        }));
        routes[i][1].apply(null, args);
        window.scrollTo(0, 0);
        return;
      }
    }
    ctx.render(h('section', { class: 'card' }, h('h1', null, 'Not found'),
      h('p', null, 'There is nothing at this address. '), h('a', { href: '#/events' }, 'See the events')));
  }

  /* ---------- plugins (inbox.js, scanner.js, attendees.js, boxoffice.js) ---------- */

  /* Scripts loaded before this one push function (ui) {...} onto
   * window.TicketsPlugins; each gets these helpers and may add routes
   * (ui.route), nav hooks and the checkout's attendee hooks. */
  var ui = {
    h: h, $: $, api: api, errorText: errorText, say: say, statusLine: statusLine, timeEl: timeEl,
    when: when, money: money, badge: badge, markNav: markNav, every: every, requireLogin: requireLogin,
    requireAdmin: requireAdmin, adminTabs: function (a) { return adminTabs(a); }, hooks: hooks,
    session: function () { return session; }, isAdmin: isAdmin, isStaff: isStaff,
    route: function (re, fn) { routes.push([re, fn]); }
  };

  function start() {
    view = $('#view');
    (window.TicketsPlugins || []).forEach(function (p) { p(ui); });
    loadSession();
    updateNav();
    $('#banner-close').addEventListener('click', function () { banner(null); });
    $('#logout').addEventListener('click', function () {
      api('DELETE', '/api/sessions/current').catch(function (e) {
        if (e.status !== 401) banner('Logging out on the server failed: ' + errorText(e));
      }).then(function () {
        clearSession();
        location.hash = '#/events';
        route();
      });
    });
    window.addEventListener('hashchange', route);
    window.addEventListener('unhandledrejection', function (ev) {
      banner('Unexpected error: ' + errorText(ev.reason));
    });
    /* the session may have ended since the last visit */
    if (session.token) {
      api('GET', '/api/users/me').then(function (u) {
        saveSession(session.token, u);
      }).catch(function (e) {
        if (e.status === 401) { banner(errorText(e)); route(); }
      });
    }
    route();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
