/* inbox.js: the user's notifications (#/inbox) and the unread count in the
 * navigation, from GET /api/notifications, /api/notifications/unread and
 * POST /api/notifications/{id}/read. */
(function () {
  'use strict';
  var COUNT_POLL_MS = 15000;
  var KIND_TEXT = {
    'booking.confirmed': 'Confirmed', 'booking.failed': 'Failed', 'booking.expired': 'Expired',
    'hold.expiring': 'Pay soon', 'waitlist.offered': 'Waitlist offer', 'booking.cancelled': 'Cancelled',
    'booking.refunded': 'Refunded', 'event.changed': 'Event changed', 'event.cancelled': 'Event cancelled'
  };
  (window.TicketsPlugins = window.TicketsPlugins || []).push(function (ui) {
    var h = ui.h;
    var timer = null;

    function showCount(n) {
      var el = document.getElementById('inbox-count');
      if (!el) return;
      el.textContent = n > 99 ? '99+' : String(n);
      el.hidden = !n;
      el.setAttribute('aria-label', n + ' unread');
    }

    function refreshCount() {
      if (!ui.session().token || document.hidden) return;
      ui.api('GET', '/api/notifications/unread').then(function (d) { showCount(d ? d.unread : 0); })
        .catch(function () { /* the next turn tries again */ });
    }

    ui.hooks.navChanged.push(function () {
      if (!ui.session().token) { showCount(0); return; }
      refreshCount();
      if (!timer) timer = setInterval(refreshCount, COUNT_POLL_MS);
    });

    function viewInbox(ctx) {
      ui.markNav('inbox');
      if (!ui.requireLogin(ctx)) return;
      var msg = ui.statusLine();
      var list = h('div', { class: 'inbox', id: 'inbox' });
      var allRead = h('button', { type: 'button', class: 'secondary', id: 'inbox-read-all' }, 'Mark all as read');
      ctx.render(h('section', null, h('div', { class: 'row-between' }, h('h1', null, 'Inbox'), allRead), msg, list));
      var items = [];

      function markRead(n) {
        return ui.api('POST', '/api/notifications/' + encodeURIComponent(n.id) + '/read').then(function (u) {
          n.read_at = u.read_at;
        });
      }

      function render() {
        if (!items.length) {
          list.replaceChildren(h('p', { class: 'muted' }, 'Nothing yet. Booking confirmations, payment reminders and waitlist offers appear here.'));
          return;
        }
        list.replaceChildren.apply(list, items.map(function (n) {
          var open = h('article', { class: 'card note' + (n.read_at ? ' read' : ' unread'), 'data-kind': n.kind, 'data-id': n.id },
            h('div', { class: 'row-between' },
              h('h2', null, n.subject),
              h('span', { class: 'badge k-' + n.kind.replace('.', '-') }, KIND_TEXT[n.kind] || n.kind)),
            h('p', { class: 'note-body' }, n.body),
            h('p', { class: 'muted small' }, ui.timeEl(n.created_at),
              n.booking_id ? [' · ', h('a', { href: '#/bookings/' + encodeURIComponent(n.booking_id) }, 'See the booking')] : null,
              n.read_at ? null : [' · ', h('button', { type: 'button', class: 'link mark-read', onclick: function () {
                markRead(n).then(function () { render(); refreshCount(); }).catch(function (e) { ui.say(msg, ui.errorText(e)); });
              } }, 'Mark as read')]));
          return open;
        }));
      }

      function load() {
        return ui.api('GET', '/api/notifications?limit=100').then(function (d) {
          if (!ctx.alive()) return;
          items = (d && d.items) || [];
          showCount(d ? d.unread : 0);
          render();
        }).catch(function (e) { if (ctx.alive()) ui.say(msg, 'Could not load your inbox: ' + ui.errorText(e)); });
      }
      allRead.addEventListener('click', function () {
        Promise.all(items.filter(function (n) { return !n.read_at; }).map(markRead))
          .then(function () { render(); refreshCount(); })
          .catch(function (e) { ui.say(msg, ui.errorText(e)); });
      });
      load().then(function () { ui.every(10000, load); });
    }

    ui.route(/^#\/inbox\/?$/, viewInbox);
  });
})();
