// Evently live dashboard: token -> events -> one event's figures over server-sent events.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const params = new URLSearchParams(location.search);
  let source = null;
  const money = (v) => v.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const pct = (v) => (100 * v).toFixed(1) + "%";
  const el = (tag, attrs, text) => {
    const ns = ["svg", "rect", "text"].includes(tag) ? "http://www.w3.org/2000/svg" : null;
    const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const status = (text) => { $("status").textContent = text; };

  async function loadEvents(token) {
    const response = await fetch("/analytics/events", { headers: { Authorization: "Bearer " + token } });
    if (!response.ok) {
      if (source) source.close();
      $("board").hidden = true;
      status("token refused (" + response.status + ")");
      return null;
    }
    const items = (await response.json()).items;
    const select = $("event"), chosen = select.value;
    select.replaceChildren(el("option", { value: "" }, "choose an event"));
    for (const item of items) select.append(el("option", { value: item.event_id }, item.name + " · " + item.event_id.slice(0, 8)));
    if (items.some((item) => item.event_id === chosen)) select.value = chosen;
    status(items.length + " event(s)");
    return items;
  }

  function cards(f) {
    const list = [
      ["capacity", f.capacity, "capacity"], ["booked", f.booked, "booked seats"],
      ["held", f.held, "held seats"], ["available", f.available, "available"],
      ["utilization", pct(f.utilization), "utilization"], ["revenue", money(f.revenue), "revenue"],
      ["booking_success_rate", pct(f.booking_success_rate), "hold → booking"],
      ["cancellation_rate", pct(f.cancellation_rate), "bookings cancelled"],
      ["payment_failures", f.payment_failures, "payment failures"],
      ["waitlist_size", f.waitlist_size, "on the waiting list"],
      ["waitlist_offers_taken", f.waitlist_offers_taken, "waiting-list offers taken"],
    ];
    $("cards").replaceChildren(...list.map(([key, value, label]) => {
      const card = el("div", { class: "card", id: "card-" + key, "data-value": String(f[key]) });
      card.append(el("b", {}, String(value)), el("small", {}, label));
      return card;
    }));
  }

  // The waiting room: buyers in the queue and those let in (the waiting list's are cards above).
  function queueCards(q) {
    const list = [
      ["in_queue", q.waiting_room ? q.in_queue : "—", "in the waiting room's queue"],
      ["admitted", q.admitted, "let in from the queue"],
    ];
    $("queue-cards").replaceChildren(...list.map(([key, value, label]) => {
      const card = el("div", { class: "card", id: "card-" + key, "data-value": String(q[key]) });
      card.append(el("b", {}, String(value)), el("small", {}, label));
      return card;
    }));
  }

  function bars(target, rows) {
    const max = Math.max(1, ...rows.map((r) => r[1]));
    target.replaceChildren(...rows.map(([label, value, shown]) => {
      const row = el("div", { class: "bar" });
      row.append(el("span", {}, label), el("div", { style: "width:" + (100 * value / max) + "%" }), el("span", {}, shown ?? String(value)));
      return row;
    }));
  }

  function chart(points) {
    const canvas = $("chart"), ctx = canvas.getContext("2d");
    const width = canvas.clientWidth || 300, height = 180, ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio; canvas.height = height * ratio; ctx.scale(ratio, ratio);
    ctx.clearRect(0, 0, width, height);
    const last = points.slice(-30), max = Math.max(1, ...last.map((p) => p.bookings));
    ctx.fillStyle = "#94a3b8"; ctx.font = "11px system-ui";
    ctx.fillText("max " + max + "/min", 4, 12);
    if (!last.length) { ctx.fillText("no bookings yet", 4, height / 2); return; }
    const step = Math.min((width - 8) / last.length, 48);
    last.forEach((p, i) => {
      const h = (height - 40) * p.bookings / max;
      ctx.fillStyle = "#38bdf8"; ctx.fillRect(4 + i * step + 1, height - 20 - h, Math.max(step - 2, 1), h);
      if (last.length <= 12 || i % Math.ceil(last.length / 6) === 0) {
        ctx.fillStyle = "#94a3b8"; ctx.fillText(p.minute.slice(11, 16), 4 + i * step, height - 6);
      }
    });
  }

  function seatMap(seats) {
    const svg = $("seatmap"), rows = new Map();
    for (const s of seats) { if (!rows.has(s.row)) rows.set(s.row, []); rows.get(s.row).push(s); }
    const size = 16, gap = 3, left = 28;
    const width = left + Math.max(1, ...[...rows.values()].map((r) => r.length)) * (size + gap);
    svg.setAttribute("viewBox", "0 0 " + width + " " + Math.max(1, rows.size * (size + gap)));
    svg.style.maxWidth = width * 2.5 + "px";
    const nodes = [];
    [...rows.entries()].forEach(([row, list], y) => {
      nodes.push(el("text", { x: 2, y: y * (size + gap) + 12 }, row));
      list.sort((a, b) => a.number - b.number).forEach((s, x) => {
        const rect = el("rect", { x: left + x * (size + gap), y: y * (size + gap), width: size, height: size, rx: 3,
          class: s.status, "data-seat": s.seat_id });
        rect.append(el("title", {}, s.seat_id + " " + s.seat_type + " " + s.status));
        nodes.push(rect);
      });
    });
    svg.replaceChildren(...nodes);
  }

  function render(body) {
    const f = body.figures;
    $("board").hidden = false;
    $("event-name").textContent = (f.name || "event") + " — updated " + new Date().toLocaleTimeString();
    cards(f);
    if (body.queue) queueCards(body.queue);
    bars($("funnel"), [
      ["holds", f.holds_created], ["confirmed", f.holds_confirmed],
      ["kept", f.holds_confirmed - f.bookings_cancelled], ["expired", f.holds_expired],
      ["cancelled", f.holds_cancelled],
    ]);
    bars($("by-type"), Object.entries(f.revenue_by_seat_type).map(([t, v]) => [t, v, money(v)]));
    chart(f.per_minute);
    seatMap(body.seats);
  }

  function watch(token, eventId) {
    if (source) source.close();
    const url = "/dashboard-stream/" + encodeURIComponent(eventId) + "?token=" + encodeURIComponent(token);
    source = new EventSource(url);
    source.addEventListener("figures", (e) => { render(JSON.parse(e.data)); status("live"); });
    source.onerror = () => status("reconnecting…");
    history.replaceState(null, "", "?event_id=" + encodeURIComponent(eventId));
  }

  $("login").addEventListener("submit", async (e) => {
    e.preventDefault();
    const token = $("token").value.trim(), eventId = $("event").value;
    if (!token) return status("enter a token");
    sessionStorage.setItem("evently-token", token);
    const items = await loadEvents(token);
    if (items && eventId && $("event").value === eventId) watch(token, eventId);
  });
  $("event").addEventListener("change", () => {
    const token = $("token").value.trim();
    if (token && $("event").value) watch(token, $("event").value);
  });

  (async () => {
    const token = params.get("token") || sessionStorage.getItem("evently-token") || "";
    if (!token) return;
    $("token").value = token;
    const eventId = params.get("event_id");
    if (eventId) watch(token, eventId);
    const items = await loadEvents(token);
    if (items && eventId) $("event").value = eventId;
  })();
})();
