/* seatmap.js: how the web UI draws an event's seats, by the kind of venue
 * the seats describe, and the availability line of an event. Loaded before
 * app.js, it defines window.SeatMap:
 *   SeatMap.build(container, seats, opts) draws the map into container and
 *     returns { seat id: its button }; opts.price(amount) formats a price,
 *     opts.onSeat(seat) is called on a click.
 *   SeatMap.seatText(seat) the seat's own part of its label ("5A" of
 *     "BIS1-5A", "12" of "D-12"): what its button shows.
 *   SeatMap.compareRows(a, b) the real order of row names.
 *   SeatMap.availability(counts) the bar and line of an event card.
 * Two kinds of section:
 *   a carriage: one row whose seats are labelled "<car>-<row><letter>"
 *     (the seeded train, "EKS1-12A"); drawn as a car seen from above, a
 *     column per seat row, the letters across it, an aisle in the middle
 *     (A B | C D), the car's code and class in its header;
 *   a hall: rows of numbered seats ("D-12"), rows front to back in their
 *     real order (A..Z, AA, AB; 9 before 10), a stage marker above the
 *     first hall section.
 * Text from the server is only set as text or attribute values. */
(function () {
  'use strict';

  function el(tag, attrs) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, String(attrs[k]));
    });
    for (var i = 2; i < arguments.length; i++) {
      var kid = arguments[i];
      if (kid === null || kid === undefined) continue;
      e.appendChild(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  function naturalCompare(a, b) {
    return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
  }

  /* Row names in the order a venue has them: letter rows by length first
   * (Z before AA), numbers by value, otherwise a natural comparison. */
  function compareRows(a, b) {
    a = String(a);
    b = String(b);
    var la = /^[A-Za-z]+$/.test(a), lb = /^[A-Za-z]+$/.test(b);
    if (la && lb && a.length !== b.length) return a.length - b.length;
    return naturalCompare(a, b);
  }

  function seatText(s) {
    var label = String(s.label || '');
    var prefix = String(s.row) + '-';
    if (s.row !== undefined && s.row !== null && label.indexOf(prefix) === 0 && label.length > prefix.length) {
      return label.slice(prefix.length);
    }
    return label || String(s.number);
  }

  /* "12A" -> { row: 12, letter: 'A' }, else null */
  function carPlace(s) {
    var m = /^(\d+)([A-Za-z])$/.exec(seatText(s));
    return m ? { row: Number(m[1]), letter: m[2].toUpperCase() } : null;
  }

  function priceRange(seats, price) {
    var ps = seats.map(function (s) { return Number(s.price); });
    var lo = Math.min.apply(null, ps), hi = Math.max.apply(null, ps);
    return lo === hi ? price(lo) : price(lo) + ' – ' + price(hi);
  }

  function seatButton(s, text, opts, buttons) {
    var b = el('button', { type: 'button', class: 'seat', 'data-seat-id': s.id, 'data-label': s.label }, text);
    b.addEventListener('click', function () { opts.onSeat(s); });
    buttons[s.id] = b;
    return b;
  }

  /* A section is a carriage when it is one row and every seat's label is
   * "<row>-<number><letter>". */
  function isCarriage(rows) {
    var names = Object.keys(rows);
    return names.length === 1 && rows[names[0]].every(function (s) { return carPlace(s) !== null; });
  }

  function drawCarriage(name, seats, opts, buttons) {
    var car = String(seats[0].row);
    var letters = [], cols = [];
    seats.forEach(function (s) {
      var p = carPlace(s);
      if (letters.indexOf(p.letter) < 0) letters.push(p.letter);
      if (cols.indexOf(p.row) < 0) cols.push(p.row);
    });
    letters.sort();
    cols.sort(function (a, b) { return a - b; });
    /* the aisle after the first half of the letters: A B | C D, A B | C D E */
    var before = Math.max(1, Math.floor(letters.length / 2));
    var lane = function (letter) {
      var i = letters.indexOf(letter);
      return i < before ? i + 1 : i + 2;
    };
    var grid = el('div', { class: 'car-seats' });
    grid.style.gridTemplateColumns = 'repeat(' + cols.length + ', 2rem)';
    grid.style.gridTemplateRows = 'repeat(' + before + ', 2rem) 1.1rem repeat(' + (letters.length - before) + ', 2rem)';
    /* the aisle, with the seat row numbers in it */
    cols.forEach(function (r, i) {
      var n = el('span', { class: 'aisle-num', 'aria-hidden': 'true' }, String(r));
      n.style.gridColumn = String(i + 1);
      n.style.gridRow = String(before + 1);
      grid.appendChild(n);
    });
    seats.slice().sort(function (a, b) { return a.number - b.number; }).forEach(function (s) {
      var p = carPlace(s);
      var b = seatButton(s, seatText(s), opts, buttons);
      b.style.gridColumn = String(cols.indexOf(p.row) + 1);
      b.style.gridRow = String(lane(p.letter));
      grid.appendChild(b);
    });
    var sec = el('section', { class: 'section carriage', 'data-section': name, 'data-kind': 'car', 'data-car': car },
      el('h2', null, el('span', { class: 'car-code' }, car), ' ', name, ' ',
        el('span', { class: 'muted small' }, priceRange(seats, opts.price))));
    var body = el('div', { class: 'section-body' }, el('div', { class: 'car' }, grid));
    sec.appendChild(body);
    return sec;
  }

  function drawHall(name, rows, opts, buttons) {
    var all = [];
    Object.keys(rows).forEach(function (r) { all = all.concat(rows[r]); });
    var sec = el('section', { class: 'section hall', 'data-section': name, 'data-kind': 'hall' },
      el('h2', null, name, ' ', el('span', { class: 'muted small' }, priceRange(all, opts.price))));
    var body = el('div', { class: 'section-body' });
    Object.keys(rows).sort(compareRows).forEach(function (r) {
      var rowEl = el('div', { class: 'row', 'data-row': r }, el('span', { class: 'rowname', title: 'Row ' + r }, r));
      var wrap = el('div', { class: 'seats' });
      rows[r].sort(function (a, b) { return a.number - b.number; }).forEach(function (s) {
        wrap.appendChild(seatButton(s, seatText(s), opts, buttons));
      });
      rowEl.appendChild(wrap);
      body.appendChild(rowEl);
    });
    sec.appendChild(body);
    return sec;
  }

  function build(container, seats, opts) {
    var buttons = {};
    var names = [], bySection = {};
    seats.forEach(function (s) {
      if (!bySection[s.section]) { bySection[s.section] = {}; names.push(s.section); }
      var rows = bySection[s.section];
      (rows[s.row] = rows[s.row] || []).push(s);
    });
    var info = {};
    names.forEach(function (n) {
      var rows = bySection[n], first = Object.keys(rows).sort(compareRows)[0];
      var top = 0;
      Object.keys(rows).forEach(function (r) {
        rows[r].forEach(function (s) { top = Math.max(top, Number(s.price)); });
      });
      info[n] = { car: isCarriage(rows), first: first, top: top };
    });
    /* halls front to back by their first row (VIP rows A-C before Gold rows
     * D-J); carriages after them, by class (the dearest first: Executive,
     * Business, Economy) and then by their code (EKS1, EKS2) */
    names.sort(function (a, b) {
      var x = info[a], y = info[b];
      if (x.car !== y.car) return x.car ? 1 : -1;
      if (x.car) return y.top - x.top || compareRows(x.first, y.first) || naturalCompare(a, b);
      return compareRows(x.first, y.first) || naturalCompare(a, b);
    });
    container.replaceChildren();
    var staged = false;
    names.forEach(function (n) {
      if (info[n].car) {
        var rowName = Object.keys(bySection[n])[0];
        container.appendChild(drawCarriage(n, bySection[n][rowName], opts, buttons));
        return;
      }
      if (!staged) {
        container.appendChild(el('div', { class: 'stage', role: 'img', 'aria-label': 'Stage' }, 'Stage'));
        staged = true;
      }
      container.appendChild(drawHall(n, bySection[n], opts, buttons));
    });
    return buttons;
  }

  /* The bar and line of an event's seats: open, held (payment pending: they
   * may come back) and sold told apart; "Sold out" only when every seat is
   * sold. */
  function availability(counts) {
    counts = counts || {};
    var total = counts.total || 0, open = counts.open || 0, held = counts.on_going || 0, sold = counts.booked || 0;
    var bar = el('div', { class: 'bar', 'aria-hidden': 'true' });
    [['open', open], ['on_going', held], ['booked', sold]].forEach(function (p) {
      if (total > 0 && p[1] > 0) {
        var seg = el('span', { class: 'seg ' + p[0] });
        seg.style.width = (100 * p[1] / total).toFixed(2) + '%';
        bar.appendChild(seg);
      }
    });
    var text;
    if (total === 0) text = 'No seats yet';
    else if (open === 0 && held === 0) text = 'Sold out (' + total + ' seats)';
    else if (open === 0) text = 'No seat open right now: ' + held + ' on hold (they may come back)' + (sold ? ', ' + sold + ' sold' : '');
    else {
      text = open + ' of ' + total + ' seats open';
      if (held) text += ', ' + held + ' on hold';
      if (sold) text += ', ' + sold + ' sold';
    }
    return el('div', { class: 'avail', 'data-open': open, 'data-held': held, 'data-sold': sold }, bar,
      el('span', { class: 'avail-text' }, text));
  }

  window.SeatMap = { build: build, seatText: seatText, compareRows: compareRows, availability: availability };
})();
