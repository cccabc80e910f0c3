/* waitroom.js: the waiting room of an event whose sale goes through a
 * queue (#/events/{id}/queue): join the line, watch the place, the
 * progress and the estimated wait (polled every 2 s, no reload), leave the
 * line; once admitted, the pass is kept for this tab and the seat map
 * sends it with the booking (X-Queue-Pass). Also the admin's queue
 * settings on the event forms and its figures on the statistics page.
 * Hooks for app.js: queuePass, queueForget, queueFields, queueValue,
 * queueStats. */
(function () {
  'use strict';
  var POLL_MS = 2000;

  (window.TicketsPlugins = window.TicketsPlugins || []).push(function (ui) {
    var h = ui.h;

    /* ---------- the pass, kept for this tab ---------- */

    function passKey(eventId) { return 'queuePass:' + eventId; }

    /* The pass of eventId ({pass, expires_at}) while it is valid, else null. */
    function queuePass(eventId) {
      try {
        var p = JSON.parse(sessionStorage.getItem(passKey(eventId)) || 'null');
        if (p && p.pass && Date.parse(p.expires_at) > Date.now()) return p;
      } catch (e) { /* a damaged entry is no pass */ }
      sessionStorage.removeItem(passKey(eventId));
      return null;
    }

    function queueForget(eventId) { sessionStorage.removeItem(passKey(eventId)); }

    ui.hooks.queuePass = queuePass;
    ui.hooks.queueForget = queueForget;

    /* "about 3 min 20 s" */
    function waitText(s) {
      if (s === null || s === undefined) return '';
      if (s < 60) return 'about ' + s + ' s';
      var m = Math.floor(s / 60);
      if (m < 60) return 'about ' + m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
      return 'about ' + Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
    }

    /* ---------- the waiting page ---------- */

    function viewQueue(ctx, eventId) {
      ui.markNav('events');
      if (!ui.requireLogin(ctx)) return;
      var enc = encodeURIComponent(eventId);
      var startKey = 'queueStart:' + eventId; /* the first place seen, for the progress bar */
      var title = h('h1', { id: 'queue-event' }, 'Waiting room');
      var msg = ui.statusLine();
      var state = h('p', { class: 'queue-state', id: 'queue-status' }, 'Joining the line…');
      var place = h('p', { class: 'queue-position' }, h('span', { class: 'muted' }, 'Your place: '),
        h('strong', { id: 'queue-position' }, '…'));
      var bar = h('progress', { id: 'queue-progress', max: 100, value: 0, 'aria-label': 'Progress through the line' });
      var wait = h('p', { class: 'muted', id: 'queue-wait' });
      var updated = h('p', { class: 'muted small', id: 'queue-updated' });
      var leave = h('button', { type: 'button', class: 'secondary', id: 'queue-leave' }, 'Leave the line');
      var rejoin = h('button', { type: 'button', id: 'queue-rejoin', hidden: true }, 'Join the line again');
      var go = h('a', { class: 'button', id: 'queue-continue', href: '#/events/' + enc, hidden: true }, 'Choose your seats');
      var card = h('div', { class: 'card queue-card' }, state, place, bar, wait,
        h('div', { class: 'actions' }, go, rejoin, leave), msg, updated);
      ctx.render(h('section', null, h('p', null, h('a', { href: '#/events' }, '← All events')), title,
        h('p', { class: 'muted' }, 'This sale lets buyers in a few at a time, so that everybody gets a fair turn. ' +
          'Keep this page open: it moves on to the seat map when it is your turn.'), card));

      ui.api('GET', '/api/events/' + enc).then(function (ev) {
        if (ctx.alive()) title.replaceChildren('Waiting room: ', ev.name);
      }).catch(function () {});

      var moved = false;
      function show(t) {
        if (!ctx.alive()) return;
        var st = t.status;
        leave.hidden = st === 'LEFT' || st === 'EXPIRED';
        rejoin.hidden = !(st === 'LEFT' || st === 'EXPIRED');
        go.hidden = st !== 'ADMITTED';
        place.hidden = st !== 'WAITING';
        bar.hidden = st === 'LEFT' || st === 'EXPIRED';
        if (st === 'WAITING') {
          if (t.position === null) {
            state.textContent = 'You are in the line. Sales have not opened yet: when they do, the places of everybody who came early are drawn at random.';
            ui.$('#queue-position', place).textContent = 'drawn at the opening';
            wait.textContent = t.estimated_wait_seconds ? 'Sales open in ' + waitText(t.estimated_wait_seconds).replace('about ', '') + '.' : 'Sales are opening…';
            bar.value = 0;
          } else {
            var first = Number(sessionStorage.getItem(startKey) || 0);
            if (!first || t.position > first) { first = t.position; sessionStorage.setItem(startKey, String(first)); }
            state.textContent = t.position === 1 ? 'You are next.' : 'You are in the line.';
            ui.$('#queue-position', place).textContent = String(t.position) + (t.position === 1 ? ' (next)' : '');
            bar.value = first > 1 ? Math.round(100 * (first - t.position) / (first - 1)) : 100;
            wait.textContent = 'Estimated wait: ' + waitText(t.estimated_wait_seconds) + '.';
          }
        } else if (st === 'ADMITTED') {
          sessionStorage.setItem(passKey(eventId), JSON.stringify({ pass: t.pass, expires_at: t.pass_expires_at }));
          sessionStorage.removeItem(startKey);
          state.textContent = 'It is your turn! Your pass is valid until ' + ui.when(t.pass_expires_at) + '.';
          bar.value = 100;
          wait.textContent = '';
          if (!moved) {
            moved = true;
            setTimeout(function () { if (ctx.alive()) location.hash = '#/events/' + enc; }, 1500);
          }
        } else if (st === 'EXPIRED') {
          queueForget(eventId);
          state.textContent = 'Your pass expired before it was used. Join the line again for another turn.';
          wait.textContent = '';
        } else {
          queueForget(eventId);
          state.textContent = 'You left the line.';
          wait.textContent = '';
        }
        updated.textContent = 'Updated ' + new Date().toLocaleTimeString() + ' (every ' + POLL_MS / 1000 + ' s).';
      }

      function fail(e) {
        if (!ctx.alive()) return;
        if (e.code === 'QUEUE_NOT_ENABLED') {
          state.textContent = 'This event sells without a waiting room.';
          place.hidden = bar.hidden = leave.hidden = true;
          go.hidden = false;
          go.textContent = 'Go to the seat map';
          return;
        }
        ui.say(msg, 'Could not reach the waiting room: ' + ui.errorText(e) + ' Retrying…');
      }

      function join() {
        return ui.api('POST', '/api/events/' + enc + '/queue').then(function (t) {
          ui.say(msg, '');
          show(t);
        });
      }

      function poll() {
        ui.api('GET', '/api/events/' + enc + '/queue/me').then(function (t) {
          ui.say(msg, '');
          show(t);
        }).catch(fail);
      }

      leave.addEventListener('click', function () {
        leave.disabled = true;
        ui.api('DELETE', '/api/events/' + enc + '/queue/me').then(function () {
          poll();
        }).catch(function (e) { ui.say(msg, 'Could not leave: ' + ui.errorText(e)); })
          .then(function () { leave.disabled = false; });
      });
      rejoin.addEventListener('click', function () {
        rejoin.disabled = true;
        sessionStorage.removeItem(startKey);
        join().catch(fail).then(function () { rejoin.disabled = false; });
      });

      join().catch(fail).then(function () {
        ui.every(POLL_MS, poll);
      });
    }

    ui.route(/^#\/events\/([^/]+)\/queue$/, viewQueue);

    /* ---------- the admin's side ---------- */

    /* The queue part of an event form (ev: the event, or null for a new
     * one); its value is read by queueValue. */
    ui.hooks.queueFields = function (ev) {
      var q = (ev && ev.queue) || null;
      var on = h('input', { type: 'checkbox', id: 'queue-enabled', checked: !!(q && q.enabled) });
      var rate = h('input', { type: 'number', id: 'queue-rate', min: 1, max: 1000000, step: 1, class: 'short',
        value: q ? q.admit_per_minute : 60 });
      var ttl = h('input', { type: 'number', id: 'queue-ttl', min: 10, max: 86400, step: 1, class: 'short',
        value: q ? q.pass_ttl_seconds : 600 });
      var el = h('fieldset', { class: 'queue-edit' }, h('legend', null, 'Waiting room'),
        h('label', { class: 'check' }, on, ' Sell through a waiting room (buyers queue and are let in at a steady rate)'),
        h('label', null, 'Buyers let in per minute ', rate),
        h('label', null, 'Seconds a pass stays valid ', ttl));
      el._queue = { on: on, rate: rate, ttl: ttl, initial: q };
      return el;
    };

    /* The "queue" member for the admin's body from queueFields' element, or
     * null when it says nothing new (a new event without a queue, or the
     * same setting as before). */
    ui.hooks.queueValue = function (el) {
      var f = el._queue;
      var v = { enabled: !!f.on.checked, admit_per_minute: Number(f.rate.value), pass_ttl_seconds: Number(f.ttl.value) };
      var q = f.initial;
      if (!q && !v.enabled) return null;
      if (q && q.enabled === v.enabled && q.admit_per_minute === v.admit_per_minute && q.pass_ttl_seconds === v.pass_ttl_seconds) return null;
      return v;
    };

    /* The queue's figures on the statistics page (out: where they go). */
    ui.hooks.queueStats = function (eventId, out) {
      return ui.api('GET', '/api/events/' + encodeURIComponent(eventId) + '/queue').then(function (s) {
        var tile = function (label, value, key) {
          return h('div', { class: 'tile', 'data-queue': key }, h('span', { class: 'tile-value' }, String(value)),
            h('span', { class: 'tile-label' }, label));
        };
        out.replaceChildren(h('div', { class: 'card', id: 'queue-stats' },
          h('h3', null, 'Waiting room ' + (s.enabled ? '(on)' : '(off)')),
          h('div', { class: 'tiles' },
            tile('Waiting', s.waiting, 'waiting'), tile('Admitted (pass valid)', s.admitted, 'admitted'),
            tile('Passes expired', s.expired, 'expired'), tile('Left the line', s.left || 0, 'left'),
            tile('Let in per minute', s.admit_per_minute, 'rate')),
          h('p', { class: 'muted small' }, (s.admitted_total || 0) + ' admitted in all' +
            (s.opened_at ? '; the line opened ' + ui.when(s.opened_at) : '; the line opens with the sale') + '.')));
      }).catch(function (e) {
        if (e.status === 404) out.replaceChildren();
        else out.replaceChildren(h('p', { class: 'msg error' }, 'Waiting room figures: ' + ui.errorText(e)));
      });
    };
  });
})();
