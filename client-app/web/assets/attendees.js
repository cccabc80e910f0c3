/* attendees.js: the names on a checkout. Each selected seat gets a name
 * field (and an identity number field); where the event says
 * attendees_required (a train's passengers) they are marked required and the
 * booking is not sent without them. Plugged into app.js's seat selection
 * through ui.hooks (see window.TicketsPlugins in app.js). */
(function () {
  'use strict';
  (window.TicketsPlugins = window.TicketsPlugins || []).push(function (ui) {
    var h = ui.h;
    var typed = {}; /* seat id -> {name, id_number}: kept while the selection changes */

    function remember(box) {
      box.querySelectorAll('[data-seat]').forEach(function (row) {
        var id = row.getAttribute('data-seat');
        typed[id] = { name: row.querySelector('.att-name').value, id_number: row.querySelector('.att-id').value };
      });
    }

    ui.hooks.renderAttendees = function (box, seats, event) {
      remember(box);
      var required = !!(event && event.attendees_required);
      if (!seats.length) { box.replaceChildren(); return; }
      var rows = seats.map(function (s) {
        var t = typed[s.id] || { name: '', id_number: '' };
        var nameId = 'att-name-' + s.id, idId = 'att-id-' + s.id;
        return h('div', { class: 'att-row', 'data-seat': s.id },
          h('span', { class: 'att-seat' }, s.label),
          h('label', { for: nameId }, required ? 'Passenger name ' : 'Name ', required ? h('abbr', { title: 'required', class: 'req' }, '*') : '(optional)'),
          h('input', { id: nameId, class: 'att-name', maxlength: 100, value: t.name, required: required,
            'aria-required': required ? 'true' : 'false', autocomplete: 'name' }),
          h('label', { for: idId }, 'ID number (optional)'),
          h('input', { id: idId, class: 'att-id', maxlength: 64, value: t.id_number }));
      });
      var intro = required
        ? h('p', { class: 'att-intro' }, 'This event needs the name of the person in each seat, as on their identity document. Fields marked ', h('abbr', { class: 'req', title: 'required' }, '*'), ' are required.')
        : h('p', { class: 'att-intro muted small' }, 'Optionally name who sits where: the name is printed on that seat\u2019s ticket (else yours is).');
      box.replaceChildren(h('fieldset', { class: 'att' }, h('legend', null, required ? 'Passengers' : 'Attendees'), intro, rows));
    };

    ui.hooks.collectAttendees = function (box, event) {
      remember(box);
      var required = !!(event && event.attendees_required);
      var out = [], missing = [];
      box.querySelectorAll('[data-seat]').forEach(function (row) {
        var name = row.querySelector('.att-name').value.trim();
        var idn = row.querySelector('.att-id').value.trim();
        if (!name) {
          if (required) missing.push(row.querySelector('.att-seat').textContent);
          return;
        }
        var a = { seat_id: row.getAttribute('data-seat'), name: name };
        if (idn) a.id_number = idn;
        out.push(a);
      });
      if (missing.length) return { error: 'Please enter a name for seat ' + missing.join(', ') + '.' };
      return out;
    };
  });
})();
