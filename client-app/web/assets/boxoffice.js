/* boxoffice.js: the admins' box office (#/admin/boxoffice): find a booking
 * by its code, the holder's username or e-mail, or a name on it
 * (GET /api/bookings?q=), and download an event's attendee list
 * (GET /api/admin/events/{id}/attendees.csv). */
(function () {
  'use strict';
  (window.TicketsPlugins = window.TicketsPlugins || []).push(function (ui) {
    var h = ui.h;

    function names(b) {
      return (b.seats || []).map(function (s) {
        return s.label + (s.attendee && s.attendee.name ? ' (' + s.attendee.name + ')' : '');
      }).join(', ');
    }

    function viewBoxOffice(ctx) {
      ui.markNav('admin');
      if (!ui.requireAdmin(ctx)) return;
      var msg = ui.statusLine();
      var q = h('input', { id: 'bo-q', type: 'search', placeholder: 'Booking code, username, e-mail or name', 'aria-label': 'Search bookings' });
      var form = h('form', { class: 'bo-search', id: 'bo-search' }, q, h('button', { type: 'submit' }, 'Search'));
      var results = h('div', { id: 'bo-results' });
      var evSelect = h('select', { id: 'bo-event', 'aria-label': 'Event' });
      var csvBtn = h('button', { type: 'button', id: 'bo-csv' }, 'Download attendee list (CSV)');
      var csvMsg = ui.statusLine();
      ctx.render(h('section', null, h('h1', null, 'Admin'), ui.adminTabs('boxoffice'),
        h('div', { class: 'card' }, h('h2', null, 'Find a booking'), form, msg, results),
        h('div', { class: 'card' }, h('h2', null, 'Attendee list'), h('p', { class: 'muted small' },
          'Seat, attendee, holder, booking code, status and check-in time of every seat booked, as a spreadsheet.'),
        evSelect, ' ', csvBtn, csvMsg)));

      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var text = q.value.trim();
        if (!text) return;
        ui.say(msg, 'Searching…', 'info');
        ui.api('GET', '/api/bookings?limit=100&q=' + encodeURIComponent(text)).then(function (d) {
          var items = (d && d.items) || [];
          ui.say(msg, items.length ? '' : 'No booking matches “' + text + '”.', items.length ? null : 'info');
          results.replaceChildren(items.length ? h('table', { class: 'table' },
            h('thead', null, h('tr', null, ['Code', 'Event', 'Seats', 'Status', 'Booked'].map(function (t) { return h('th', null, t); }))),
            h('tbody', null, items.map(function (b) {
              return h('tr', { 'data-booking-id': b.id },
                h('td', { class: 'mono' }, h('a', { href: '#/bookings/' + encodeURIComponent(b.id) }, b.code || b.id.slice(0, 8))),
                h('td', null, b.event_name || b.event_id), h('td', null, names(b)),
                h('td', null, ui.badge(b.status)), h('td', null, ui.timeEl(b.created_at)));
            }))) : '');
        }).catch(function (e) { ui.say(msg, 'Search failed: ' + ui.errorText(e)); });
      });

      csvBtn.addEventListener('click', function () {
        var id = evSelect.value;
        if (!id) { ui.say(csvMsg, 'Choose an event.'); return; }
        ui.api('GET', '/api/admin/events/' + encodeURIComponent(id) + '/attendees.csv', null, { blob: true }).then(function (blob) {
          var url = URL.createObjectURL(blob);
          var a = h('a', { href: url, download: 'attendees-' + id + '.csv', hidden: true });
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
          ui.say(csvMsg, 'Downloaded.', 'ok');
        }).catch(function (e) { ui.say(csvMsg, 'Could not download: ' + ui.errorText(e)); });
      });

      ui.api('GET', '/api/events?when=all&limit=200').then(function (d) {
        evSelect.replaceChildren.apply(evSelect, [h('option', { value: '' }, 'Choose the event…')].concat(((d && d.items) || []).map(function (ev) {
          return h('option', { value: ev.id }, ev.name);
        })));
      }).catch(function (e) { ui.say(csvMsg, 'Could not load the events: ' + ui.errorText(e)); });
    }

    ui.route(/^#\/admin\/boxoffice\/?$/, viewBoxOffice);
  });
})();
