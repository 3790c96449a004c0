// Evently buyer page: the live seat map (server-sent events), sign-in, picking seats or best
// available, the waiting room when the event has one, the hold's countdown, confirming.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const eventId = decodeURIComponent(location.pathname.split("/")[2]);
  const seats = new Map(); // seat_id -> {status, expires_at, price, seat_type, node}
  const chosen = new Set();
  let token = localStorage.getItem("evently.token") || "";
  let queuePass = null, hold = null, waiting = null;

  const status = (text) => { $("status").textContent = text; };
  const money = (v) => Number(v).toFixed(2);

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = "Bearer " + token;
    if (queuePass) headers["Evently-Queue-Pass"] = queuePass;
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    return { status: response.status, data };
  }
  const refusal = (r) => {
    const e = r.data.error || {};
    const seatsGone = (e.details || {}).unavailable_seat_ids;
    return r.status + " " + (e.code || "error") + ": " + (e.message || "") + (seatsGone ? " (" + seatsGone.join(", ") + ")" : "");
  };

  // -- account ------------------------------------------------------------------------------
  function signedIn(label) {
    $("who").hidden = false;
    $("who").textContent = "Signed in" + (label ? " as " + label : "") + " · token …" + token.slice(-6);
  }
  $("signin").addEventListener("submit", (e) => {
    e.preventDefault();
    token = $("token").value.trim();
    localStorage.setItem("evently.token", token);
    signedIn("");
    status("");
  });
  $("signup").addEventListener("submit", async (e) => {
    e.preventDefault();
    token = "";
    const r = await api("POST", "/user", { name: $("name").value, email: $("email").value });
    if (r.status !== 201) return status(refusal(r));
    token = r.data.token;
    localStorage.setItem("evently.token", token);
    signedIn(r.data.name);
    status("");
  });

  // -- the seat map -----------------------------------------------------------------------------
  function shown(seat) {
    if (seat.status === "held" && seat.expires_at && seat.expires_at * 1000 <= Date.now()) return "available";
    return seat.status;
  }
  function paint(id) {
    const seat = seats.get(id);
    if (!seat || !seat.node) return;
    let cls = shown(seat);
    if (hold && hold.seat_ids.includes(id) && cls !== "available") cls = cls === "booked" ? "booked mine" : "held mine";
    if (chosen.has(id)) cls = cls === "available" ? "available selected" : cls;
    if (seat.node.className !== "seat " + cls) seat.node.className = "seat " + cls;
    seat.node.dataset.status = shown(seat);
  }
  function snapshot(items) {
    seats.clear();
    const rows = new Map();
    for (const item of items) {
      if (!rows.has(item.row)) rows.set(item.row, []);
      rows.get(item.row).push(item);
    }
    const map = $("map");
    map.replaceChildren();
    for (const [row, list] of rows) {
      const line = document.createElement("div");
      line.className = "row";
      const label = document.createElement("span");
      label.textContent = row;
      line.append(label);
      for (const item of list) {
        const node = document.createElement("button");
        node.dataset.seat = item.seat_id;
        node.title = item.seat_id + " · " + item.seat_type + " · " + money(item.price);
        node.textContent = item.number;
        node.addEventListener("click", () => toggle(item.seat_id));
        line.append(node);
        seats.set(item.seat_id, { ...item, node });
        paint(item.seat_id);
      }
      map.append(line);
    }
  }
  function update(items) {
    for (const item of items) {
      const seat = seats.get(item.seat_id);
      if (!seat) continue;
      Object.assign(seat, { status: item.status, expires_at: item.expires_at });
      if (shown(seat) !== "available") chosen.delete(item.seat_id);
      paint(item.seat_id);
    }
    showChoice();
  }
  function toggle(id) {
    const seat = seats.get(id);
    if (!seat || shown(seat) !== "available") return;
    if (chosen.has(id)) chosen.delete(id); else chosen.add(id);
    paint(id);
    showChoice();
  }
  function showChoice() {
    $("selection").textContent = chosen.size ? [...chosen].join(", ") : "none";
    $("hold-selected").disabled = chosen.size === 0;
  }
  function connect() {
    const source = new EventSource("/events/" + encodeURIComponent(eventId) + "/live/stream");
    source.addEventListener("snapshot", (m) => { snapshot(JSON.parse(m.data)); $("live-state").textContent = "live"; });
    source.addEventListener("seats", (m) => update(JSON.parse(m.data)));
    source.onerror = () => { $("live-state").textContent = "reconnecting…"; };
  }

  // -- holding, the waiting room, paying -----------------------------------------------------
  async function holdSeats(body) {
    if (!token) return status("sign in first");
    const r = await api("POST", "/events/" + encodeURIComponent(eventId) + "/hold", body);
    if (r.status === 201) return held(r.data);
    const code = (r.data.error || {}).code;
    if (r.status === 403 && (code === "queue_pass_required" || code === "queue_pass_invalid")) return queue(body);
    status(refusal(r));
  }
  function held(data) {
    hold = data;
    chosen.clear();
    for (const id of data.seat_ids) {
      const seat = seats.get(id);
      if (seat) Object.assign(seat, { status: "held", expires_at: Date.parse(data.expires_at) / 1000 });
    }
    seats.forEach((_, id) => paint(id));
    showChoice();
    $("hold").hidden = false;
    $("booking").hidden = true;
    $("hold-seats").textContent = data.seat_ids.join(", ");
    $("hold-total").textContent = money(data.total_price);
    status("");
    tick();
  }
  async function queue(body) {
    queuePass = null;
    let r = await api("POST", "/events/" + encodeURIComponent(eventId) + "/queue");
    if (r.status !== 200 && r.status !== 201) return status(refusal(r));
    $("queue").hidden = false;
    waiting = body;
    while (r.data.status !== "admitted" || !r.data.pass) {
      $("queue-position").textContent = r.data.position;
      $("queue-wait").textContent = Math.ceil(r.data.estimated_wait_s || 0);
      await new Promise((done) => setTimeout(done, 1000));
      r = await api("GET", "/events/" + encodeURIComponent(eventId) + "/queue/" + encodeURIComponent(r.data.ticket_id));
      if (r.status !== 200) return status(refusal(r));
    }
    $("queue-position").textContent = 0;
    $("queue").hidden = true;
    queuePass = r.data.pass;
    const pending = waiting;
    waiting = null;
    return holdSeats(pending);
  }
  function tick() {
    if (hold && !$("hold").hidden) {
      const left = Math.max(0, Math.round(Date.parse(hold.expires_at) / 1000 - Date.now() / 1000));
      $("countdown").textContent = left > 0 ? Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") : "expired";
    }
    seats.forEach((seat, id) => { if (seat.status === "held") paint(id); });
  }
  $("hold-selected").addEventListener("click", () => holdSeats({ seat_ids: [...chosen] }));
  $("best").addEventListener("submit", (e) => {
    e.preventDefault();
    holdSeats({ seat_type: $("seat-type").value, quantity: Number($("quantity").value) });
  });
  $("pay").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!hold) return;
    status("paying…");
    const r = await api("POST", "/" + encodeURIComponent(hold.holding_id) + "/confirm", { payment_token: $("payment-token").value });
    if (r.status !== 200 && r.status !== 201) return status(refusal(r));
    $("hold").hidden = true;
    $("booking").hidden = false;
    $("booking-text").textContent = "Booking " + r.data.booking_id + " " + r.data.status + ": " + r.data.seat_ids.join(", ") + " for " + money(r.data.amount);
    update(r.data.seat_ids.map((id) => ({ seat_id: id, status: "booked", expires_at: null })));
    status("");
  });
  $("cancel").addEventListener("click", async () => {
    if (!hold) return;
    const r = await api("POST", "/" + encodeURIComponent(hold.holding_id) + "/cancel");
    if (r.status !== 200) return status(refusal(r));
    const ids = hold.seat_ids;
    hold = null;
    $("hold").hidden = true;
    update(ids.map((id) => ({ seat_id: id, status: "available", expires_at: null })));
  });

  async function loadEvent() {
    const r = await api("GET", "/events/" + encodeURIComponent(eventId));
    if (r.status !== 200) { $("event-name").textContent = "not found"; return status(refusal(r)); }
    const event = r.data;
    $("event-name").textContent = event.name;
    $("event-info").textContent = [event.venue_name, event.city, event.starts_at].filter(Boolean).join(" · ");
    const select = $("seat-type");
    select.replaceChildren();
    for (const [type, price] of Object.entries(event.prices)) {
      const option = document.createElement("option");
      option.value = type;
      option.textContent = type + " · " + money(price);
      select.append(option);
    }
    connect();
  }

  if (token) signedIn("");
  setInterval(tick, 250);
  loadEvent();
})();
