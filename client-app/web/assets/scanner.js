/* scanner.js: the gate (#/gate) for staff and admins: pick the event at
 * this gate, then scan tickets, with the camera where the browser has
 * BarcodeDetector, or by typing or pasting the code from the ticket. Each
 * scan (POST /api/checkins with the gate's event_id) answers big: a green
 * ADMITTED or a red refusal with its reason, the seat and the name on it.
 * The counts come from GET /api/events/{id}/checkins. */
(function () {
  'use strict';
  var SAME_CODE_MS = 4000; /* the camera sees one ticket many times */
  var REFUSAL = {
    ALREADY_CHECKED_IN: 'ALREADY CHECKED IN',
    WRONG_EVENT: 'WRONG EVENT',
    INVALID_TICKET: 'NOT VALID'
  };
  var REASON = {
    CANCELLED: 'This booking was cancelled or refunded.',
    NOT_CONFIRMED: 'This booking is not paid.',
    UNKNOWN: 'This code is not a ticket of ours.'
  };
  (window.TicketsPlugins = window.TicketsPlugins || []).push(function (ui) {
    var h = ui.h;

    function viewGate(ctx) {
      ui.markNav('gate');
      if (!ui.requireLogin(ctx)) return;
      if (!ui.isStaff() && !ui.isAdmin()) {
        ctx.render(h('section', { class: 'card' }, h('h1', null, 'Gate staff only'),
          h('p', null, 'Ask an administrator to give your account the staff role.')));
        return;
      }
      var msg = ui.statusLine();
      var select = h('select', { id: 'gate-event', 'aria-label': 'Event at this gate' });
      var counts = h('p', { class: 'gate-counts', id: 'gate-counts', 'aria-live': 'polite' });
      var code = h('input', { id: 'ticket-code', name: 'ticket_code', autocomplete: 'off', spellcheck: 'false',
        placeholder: 'TK1.…', 'aria-label': 'Ticket code' });
      var checkBtn = h('button', { type: 'submit', id: 'check-in' }, 'Check in');
      var form = h('form', { class: 'gate-form', id: 'gate-form' },
        h('label', { for: 'ticket-code' }, 'Ticket code (type or paste it, or scan it with a reader)'),
        h('div', { class: 'gate-input' }, code, checkBtn));
      var result = h('div', { class: 'scan-result idle', id: 'scan-result', role: 'status', 'aria-live': 'assertive' },
        h('p', { class: 'verdict' }, 'Ready'), h('p', { class: 'detail' }, 'Scan a ticket.'));
      var video = h('video', { id: 'gate-video', playsinline: true, muted: true, hidden: true });
      var camBtn = h('button', { type: 'button', class: 'secondary', id: 'gate-camera' }, 'Use the camera');
      var hasDetector = 'BarcodeDetector' in window;
      var camNote = h('p', { class: 'muted small', id: 'gate-camera-note' },
        hasDetector ? 'The camera reads the QR code on the ticket.' : 'This browser cannot read QR codes from the camera: type or paste the code, or use a scanner that types it.');
      ctx.render(h('section', { class: 'gate' },
        h('h1', null, 'Gate'),
        h('div', { class: 'gate-head' }, h('label', { for: 'gate-event' }, 'Event'), select, counts),
        msg, result, form,
        h('div', { class: 'gate-camera' }, hasDetector ? camBtn : null, camNote, video)));

      var eventId = localStorage.getItem('gate-event') || '';
      var lastCode = '', lastAt = 0, busy = false, stream = null;

      function loadCounts() {
        if (!eventId) { counts.textContent = ''; return Promise.resolve(); }
        return ui.api('GET', '/api/events/' + encodeURIComponent(eventId) + '/checkins?limit=1').then(function (d) {
          if (!ctx.alive() || !d) return;
          counts.textContent = d.counts.checked_in + ' in · ' + d.counts.not_checked_in + ' still to come (' + d.counts.tickets + ' tickets)';
        }).catch(function (e) { if (ctx.alive()) counts.textContent = 'Counts unavailable: ' + ui.errorText(e); });
      }

      function show(kind, verdict, lines) {
        result.className = 'scan-result ' + kind;
        result.replaceChildren.apply(result, [h('p', { class: 'verdict', id: 'scan-verdict' }, verdict)].concat(
          lines.filter(Boolean).map(function (l) { return h('p', { class: 'detail' }, l); })));
      }

      function seatLine(b) {
        var parts = [];
        if (b.seat && b.seat.label) parts.push('Seat ' + b.seat.label + (b.seat.section ? ' (' + b.seat.section + ')' : ''));
        if (b.attendee && b.attendee.name) parts.push(b.attendee.name);
        return parts.join(' · ');
      }

      function submit(text) {
        text = (text || '').trim();
        if (!text || busy) return;
        if (!eventId) { ui.say(msg, 'Choose the event at this gate first.'); return; }
        busy = true;
        checkBtn.disabled = true;
        ui.api('POST', '/api/checkins', { ticket_code: text, event_id: eventId }).then(function (b) {
          show('ok', 'ADMITTED', [seatLine(b), b.booking_code ? 'Booking ' + b.booking_code : null]);
        }).catch(function (e) {
          var body = (e.body || {});
          var err = body.error || {};
          var details = err.details || {};
          var lines = [];
          if (e.code === 'WRONG_EVENT') lines.push('This ticket is for ' + (details.name || 'another event') + (details.starts_at_local ? ' (' + details.starts_at_local.replace('T', ' ').slice(0, 16) + ')' : '') + '.');
          else if (e.code === 'INVALID_TICKET') lines.push(REASON[details.reason] || err.message || 'Not a valid ticket.');
          else if (e.code === 'ALREADY_CHECKED_IN') lines.push('First let in ' + (body.checked_in_at ? ui.when(body.checked_in_at) : 'earlier') + '.');
          else lines.push(ui.errorText(e));
          lines.push(seatLine(body));
          show('bad', REFUSAL[e.code] || 'REFUSED', lines);
        }).then(function () {
          busy = false;
          checkBtn.disabled = false;
          code.value = '';
          code.focus();
          loadCounts();
        });
      }

      form.addEventListener('submit', function (ev) { ev.preventDefault(); submit(code.value); });
      select.addEventListener('change', function () {
        eventId = select.value;
        localStorage.setItem('gate-event', eventId);
        show('idle', 'Ready', ['Scan a ticket.']);
        loadCounts();
      });

      camBtn.addEventListener('click', function () {
        if (stream) return;
        var detector;
        try { detector = new window.BarcodeDetector({ formats: ['qr_code'] }); } catch (e) {
          camNote.textContent = 'The camera cannot read QR codes here: ' + e.message;
          return;
        }
        navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
          stream = s;
          video.srcObject = s;
          video.hidden = false;
          return video.play();
        }).then(function () {
          camBtn.hidden = true;
          (function look() {
            if (!ctx.alive() || !stream) return;
            detector.detect(video).then(function (found) {
              var c = found && found[0] && found[0].rawValue;
              var now = Date.now();
              if (c && (c !== lastCode || now - lastAt > SAME_CODE_MS)) {
                lastCode = c;
                lastAt = now;
                submit(c);
              }
            }).catch(function () { /* a frame it cannot read */ }).then(function () { setTimeout(look, 250); });
          })();
        }).catch(function (e) { camNote.textContent = 'No camera: ' + (e.message || e); });
      });
      /* the camera stops when the page is left */
      window.addEventListener('hashchange', function stop() {
        window.removeEventListener('hashchange', stop);
        if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
        stream = null;
      });

      ui.api('GET', '/api/events?when=all&limit=200').then(function (d) {
        if (!ctx.alive()) return;
        var items = (d && d.items) || [];
        select.replaceChildren.apply(select, [h('option', { value: '' }, 'Choose the event…')].concat(items.map(function (ev) {
          return h('option', { value: ev.id, selected: ev.id === eventId }, ev.name + ' · ' + (ev.starts_at_local || ev.starts_at || '').replace('T', ' ').slice(0, 16));
        })));
        if (eventId && !items.some(function (ev) { return ev.id === eventId; })) eventId = '';
        select.value = eventId;
        loadCounts();
        code.focus();
        ui.every(10000, loadCounts);
      }).catch(function (e) { ui.say(msg, 'Could not load the events: ' + ui.errorText(e)); });
    }

    ui.route(/^#\/gate\/?$/, viewGate);
  });
})();
