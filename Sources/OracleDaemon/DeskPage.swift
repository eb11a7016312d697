import OracleServer

/// `GET /`: the desk page, one self-contained HTML document (inline CSS and JavaScript, no CDN,
/// no fonts or images to fetch), so it works offline and behind any proxy.
///
/// What it shows and where the figures come from (all from the API, nothing computed here):
/// - marks from `/v1/prices/stream` (NDJSON, one mark per line; the first lines are the current
///   marks, then a line on every move ≥ `stream_deviation_bps` or status change, or every
///   `stream_heartbeat`), each with its sources' verdicts and a sparkline of the last 120 prices
///   the page received (a ring in the browser: the daemon keeps no per-tick history to serve);
/// - accounts from `/v1/accounts`, sorted by ratio, lowest (worst) first, unpriced above all; the
///   200 worst are shown, and a book of thousands is fetched every 5–15 polls instead of every one;
/// - open calls from `/v1/calls?state=open`, with a countdown to `deadline` on the daemon's clock
///   (the offset from `/v1/health`'s `now`, so a skewed desk PC shows the right time left);
/// - buttons to acknowledge a call and hold/release an account, shown only when `/v1/session`
///   says this peer may write (the API checks every request regardless).
///
/// All URLs are relative (`v1/...`), so the page also works under a proxy prefix (docs/nginx.conf).
/// Data is put into the page with `textContent` only, never parsed as HTML.
enum DeskPage {
    static let response = APIResponse(status: 200, contentType: "text/html; charset=utf-8", headers: headers,
                                      body: .bytes(Array(html.utf8)))

    /// No framing (the buttons must not be clickjacked), no loads from anywhere but this origin.
    static let headers: [(String, String)] = [
        ("Cache-Control", "no-store"),
        ("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
    ]

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>oracled desk</title>
<style>
:root { --bg:#0f1419; --panel:#171d24; --line:#26303a; --text:#d7dde3; --dim:#8894a0; --ok:#3fb950; --warn:#d29922;
        --call:#f0883e; --urgent:#f85149; --liq:#db61a2; --info:#58a6ff; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; }
header { display:flex; gap:16px; align-items:center; padding:10px 18px; border-bottom:1px solid var(--line); background:var(--panel); flex-wrap:wrap; }
header h1 { font-size:16px; margin:0; font-weight:600; letter-spacing:.02em; }
.pill { padding:2px 9px; border-radius:10px; font-size:12px; border:1px solid var(--line); color:var(--dim); }
.pill.good { color:var(--ok); border-color:var(--ok); } .pill.bad { color:var(--urgent); border-color:var(--urgent); }
.pill.mid { color:var(--warn); border-color:var(--warn); }
header .spacer { flex:1; }
header label { color:var(--dim); font-size:12px; }
header input { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:4px; padding:4px 8px; width:260px; }
main { display:grid; grid-template-columns: minmax(0, 7fr) minmax(0, 6fr); gap:14px; padding:4px 18px 14px; }
@media (max-width: 1300px) { main { grid-template-columns: minmax(0, 1fr); } }
section { background:var(--panel); border:1px solid var(--line); border-radius:6px; overflow-x:auto; }
section.wide { grid-column: 1 / -1; }
section h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--dim); margin:0; padding:8px 12px; border-bottom:1px solid var(--line); display:flex; justify-content:space-between; }
table { width:100%; border-collapse:collapse; font-variant-numeric: tabular-nums; }
th, td { padding:5px 8px; text-align:left; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:500; font-size:12px; }
td.num, th.num { text-align:right; }
td.notice { max-width:150px; overflow:hidden; text-overflow:ellipsis; font-size:12px; }
tr:last-child td { border-bottom:none; }
.empty { color:var(--dim); padding:10px 12px; font-style:italic; }
.status, .level { font-size:12px; padding:1px 7px; border-radius:9px; border:1px solid currentColor; }
.s-ok, .l-none { color:var(--ok); } .s-degraded, .l-warning { color:var(--warn); } .s-stale, .s-unavailable { color:var(--urgent); }
.l-margin_call { color:var(--call); } .l-urgent { color:var(--urgent); } .l-liquidation { color:var(--liq); } .l-unpriced { color:var(--info); }
.chip { display:inline-block; font-size:11px; padding:0 6px; margin-right:3px; border-radius:3px; border:1px solid currentColor; }
.v-used { color:var(--ok); } .v-outlier { color:var(--call); } .v-stale, .v-frozen { color:var(--warn); } .v-error { color:var(--urgent); }
svg.spark { display:block; }
.countdown { font-weight:600; } .countdown.soon { color:var(--warn); } .countdown.over { color:var(--urgent); }
button { background:#21262d; color:var(--text); border:1px solid #363b42; border-radius:4px; padding:2px 10px; font-size:12px; cursor:pointer; }
button:hover { border-color:var(--info); } button:disabled { opacity:.5; cursor:default; }
button.ack { border-color:var(--call); }
.acked { color:var(--ok); font-size:12px; }
.held { color:var(--info); font-size:12px; }
#message { padding:6px 18px; min-height:30px; font-size:13px; color:var(--dim); }
#message.error { color:var(--urgent); }
.price { font-weight:600; }
.dim { color:var(--dim); }
</style>
</head>
<body>
<header>
  <h1>oracled desk</h1>
  <span id="stream" class="pill">connecting…</span>
  <span id="health" class="pill">health …</span>
  <span id="access" class="pill" title="">access …</span>
  <span class="spacer"></span>
  <label for="reason">reason for acknowledgements and holds</label>
  <input id="reason" type="text" maxlength="500" placeholder="e.g. client called, deposit on its way" autocomplete="off">
  <span id="clock" class="dim"></span>
</header>
<div id="message" role="status"></div>
<main>
  <section>
    <h2><span>Marks</span><span id="marks-note" class="dim"></span></h2>
    <table><thead><tr><th>pair</th><th class="num">price</th><th>status</th><th>last 120</th><th class="num">sources</th><th>verdicts</th><th class="num">age</th></tr></thead>
    <tbody id="marks"></tbody></table>
  </section>
  <section id="calls-section">
    <h2><span>Open calls</span><span id="calls-note" class="dim"></span></h2>
    <table><thead><tr><th>account</th><th>level</th><th class="num">ratio</th><th class="num">deficit</th><th class="num">time left</th><th>notice</th><th></th></tr></thead>
    <tbody id="calls"></tbody></table>
    <div id="calls-empty" class="empty">no open calls</div>
  </section>
  <section id="accounts-section" class="wide">
    <h2><span>Accounts by ratio</span><span id="accounts-note" class="dim"></span></h2>
    <table><thead><tr><th>account</th><th>level</th><th class="num">ratio</th><th class="num">equity</th><th class="num">maintenance</th><th class="num">deficit</th><th>since</th><th>hold</th></tr></thead>
    <tbody id="accounts"></tbody></table>
    <div id="accounts-empty" class="empty">no accounts</div>
  </section>
</main>
<script>
"use strict";
const RING = 120, POLL_MS = 2000, MAX_ACCOUNT_ROWS = 200;
const marks = new Map();        // pair -> latest mark
const rings = new Map();        // pair -> [price, …] (last RING received)
let session = { can_write: false, margin: false, why: "" };
let clockOffsetMs = 0;          // daemon clock − this browser's clock
let calls = [];
let polls = 0, accountsEvery = 1;  // a large book is fetched less often (every accountsEvery polls)
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = text;
  return e;
}
function say(text, isError) { const m = $("message"); m.textContent = text; m.className = isError ? "error" : ""; }
function fmtNum(s, digits) {
  if (s === null || s === undefined) return "—";
  if (s === "inf") return "∞";
  if (s === "-inf") return "−∞";
  const v = Number(s);
  if (!isFinite(v)) return String(s);
  return v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
function fmtPrice(s) {
  if (s === null || s === undefined) return "—";
  const v = Number(s), a = Math.abs(v);
  return fmtNum(s, a >= 1000 ? 2 : a >= 1 ? 4 : 6);
}
function fmtAge(ms) {
  if (ms === null || ms === undefined) return "—";
  return ms < 1000 ? ms + " ms" : ms < 60000 ? (ms / 1000).toFixed(1) + " s" : Math.round(ms / 60000) + " min";
}
function fmtLeft(ms) {
  const neg = ms < 0, t = Math.abs(Math.round(ms / 1000));
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  const body = (h ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
  return neg ? "overdue " + body : body;
}
function daemonNow() { return Date.now() + clockOffsetMs; }

// Keeps one <tr> per key, in the order of `items`, updating cells in place (no flicker, buttons stay).
function syncRows(tbody, items, key, build, update) {
  tbody._rows = tbody._rows || new Map();
  const rows = tbody._rows, seen = new Set();
  let prev = null;
  for (const item of items) {
    const k = key(item);
    seen.add(k);
    let tr = rows.get(k);
    if (!tr) { tr = build(item); rows.set(k, tr); }
    tr._item = item;
    update(tr, item);
    const want = prev ? prev.nextSibling : tbody.firstChild;
    if (want !== tr) tbody.insertBefore(tr, want);
    prev = tr;
  }
  for (const [k, tr] of rows) if (!seen.has(k)) { tr.remove(); rows.delete(k); }
}
function setText(node, text) { if (node.textContent !== text) node.textContent = text; }
function setClass(node, cls) { if (node.className !== cls) node.className = cls; }

// ---- marks ----
function sparkline(values) {
  const ns = "http://www.w3.org/2000/svg", w = 104, h = 22;
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "spark"); svg.setAttribute("width", w); svg.setAttribute("height", h);
  if (values.length === 0) return svg;
  const lo = Math.min(...values), hi = Math.max(...values), span = hi - lo || 1;
  const pts = values.map((v, i) => [values.length === 1 ? w - 2 : 1 + i * (w - 3) / (values.length - 1), h - 2 - (v - lo) / span * (h - 4)]);
  const line = document.createElementNS(ns, "polyline");
  line.setAttribute("points", pts.map(p => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" "));
  line.setAttribute("fill", "none");
  line.setAttribute("stroke", values[values.length - 1] >= values[0] ? "#3fb950" : "#f85149");
  line.setAttribute("stroke-width", "1.5");
  svg.appendChild(line);
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", pts[pts.length - 1][0]); dot.setAttribute("cy", pts[pts.length - 1][1]); dot.setAttribute("r", "2");
  dot.setAttribute("fill", "#d7dde3");
  svg.appendChild(dot);
  const title = document.createElementNS(ns, "title");
  title.textContent = values.length + " prices received, " + fmtPrice(String(lo)) + " – " + fmtPrice(String(hi));
  svg.appendChild(title);
  return svg;
}
function onMark(m) {
  const prev = marks.get(m.pair);
  marks.set(m.pair, m);
  if (m.price !== null && (!prev || prev.seq !== m.seq || prev.price !== m.price)) {
    const ring = rings.get(m.pair) || [];
    ring.push(Number(m.price));
    if (ring.length > RING) ring.shift();
    rings.set(m.pair, ring);
  }
  renderMarks();
}
function renderMarks() {
  syncRows($("marks"), [...marks.values()], m => m.pair, (m) => {
    const tr = el("tr");
    tr.dataset.pair = m.pair;
    tr.append(el("td", "pair", m.pair), el("td", "num price"), el("td"), el("td", "spark"), el("td", "num"), el("td", "verdicts"), el("td", "num age"));
    tr.cells[2].append(el("span", "status"));
    return tr;
  }, (tr, m) => {
    setText(tr.cells[1], fmtPrice(m.price));
    const st = tr.cells[2].firstChild;
    setText(st, m.status); setClass(st, "status s-" + m.status);
    st.title = m.status_reason || "";
    tr.cells[3].replaceChildren(sparkline(rings.get(m.pair) || []));
    setText(tr.cells[4], m.sources_used + "/" + m.sources_total);
    const chips = (m.sources || []).map(s => {
      const c = el("span", "chip v-" + s.verdict, s.source);
      c.title = s.verdict + (s.value ? " " + s.value : "") + (s.reason ? ": " + s.reason : "");
      return c;
    });
    tr.cells[5].replaceChildren(...chips);
    tr.cells[6].dataset.updated = m.updated_at || "";
  });
  $("marks-note").textContent = marks.size + " pairs";
  tickAges();
}
function tickAges() {
  for (const tr of $("marks").children) {
    const at = tr.cells[6].dataset.updated;
    setText(tr.cells[6], at ? fmtAge(Math.max(0, daemonNow() - Date.parse(at))) : "—");
  }
}

// The stream: one JSON mark per line; reconnects with a growing pause when it ends or fails.
async function stream() {
  let pause = 500;
  for (;;) {
    try {
      const resp = await fetch("v1/prices/stream", { cache: "no-store" });
      if (!resp.ok || !resp.body) throw new Error("HTTP " + resp.status);
      setText($("stream"), "live"); setClass($("stream"), "pill good");
      pause = 500;
      const reader = resp.body.getReader(), dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) { try { onMark(JSON.parse(line)); } catch (e) { /* a torn line: the next heartbeat repairs it */ } }
        }
      }
      throw new Error("stream ended");
    } catch (e) {
      setText($("stream"), "reconnecting (" + e.message + ")"); setClass($("stream"), "pill bad");
      await new Promise(r => setTimeout(r, pause));
      pause = Math.min(pause * 2, 8000);
    }
  }
}

// ---- accounts and calls ----
async function getJSON(path) {
  const resp = await fetch(path, { cache: "no-store" });
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((body.error && body.error.message) || ("HTTP " + resp.status));
  return body;
}
function ratioKey(a) {
  if (a.level === "unpriced" || a.ratio === null) return -Infinity;   // cannot be valued: look first
  if (a.ratio === "inf") return Infinity;
  if (a.ratio === "-inf") return -Infinity;   // a debt with nothing required (docs/option-expiry.md)
  return Number(a.ratio);
}
function renderAccounts(all) {
  all.sort((a, b) => ratioKey(a) - ratioKey(b) || (a.id < b.id ? -1 : 1));
  const list = all.slice(0, MAX_ACCOUNT_ROWS);
  syncRows($("accounts"), list, a => a.id, (a) => {
    const tr = el("tr");
    tr.dataset.account = a.id;
    tr.append(el("td", null, a.id), el("td"), el("td", "num"), el("td", "num"), el("td", "num"), el("td", "num"), el("td", "dim"), el("td"));
    tr.cells[1].append(el("span", "level"));
    const held = el("span", "held"), btn = el("button", "hold");
    btn.dataset.account = a.id;
    btn.addEventListener("click", () => toggleHold(tr._item, btn));
    tr.cells[7].append(held, " ", btn);
    return tr;
  }, (tr, a) => {
    const lv = tr.cells[1].firstChild;
    setText(lv, a.level); setClass(lv, "level l-" + a.level);
    setText(tr.cells[2], fmtNum(a.ratio, 3));
    setText(tr.cells[3], fmtNum(a.equity, 2));
    setText(tr.cells[4], fmtNum(a.maintenance_requirement, 2));
    setText(tr.cells[5], fmtNum(a.deficit, 2));
    setText(tr.cells[6], a.since ? a.since.replace("T", " ").replace(/\.\d+Z$|Z$/, "Z") : "");
    setText(tr.cells[7].firstChild, a.held ? "held" : "");
    const btn = tr.cells[7].lastChild;
    setText(btn, a.held ? "release" : "hold");
    btn.hidden = !session.can_write;
  });
  $("accounts-empty").hidden = all.length > 0;
  $("accounts-note").textContent = all.length > list.length ? "lowest " + list.length + " of " + all.length + " accounts" : all.length + " accounts";
  accountsEvery = all.length > 20000 ? 15 : all.length > 2000 ? 5 : 1;
}
function renderCalls(list) {
  calls = list;
  const rank = { liquidation: 0, urgent: 1, margin_call: 2 };
  list.sort((a, b) => (rank[a.level] ?? 3) - (rank[b.level] ?? 3) || (a.deadline || "").localeCompare(b.deadline || ""));
  syncRows($("calls"), list, c => c.account, (c) => {
    const tr = el("tr");
    tr.dataset.account = c.account;
    tr.append(el("td", null, c.account), el("td"), el("td", "num"), el("td", "num"), el("td", "num countdown"), el("td", "dim notice"), el("td"));
    tr.cells[1].append(el("span", "level"));
    const acked = el("span", "acked"), btn = el("button", "ack", "acknowledge");
    btn.addEventListener("click", () => acknowledge(tr._item, btn));
    tr.cells[6].append(acked, btn);
    return tr;
  }, (tr, c) => {
    tr.dataset.notice = c.notice || "";
    const lv = tr.cells[1].firstChild;
    setText(lv, c.level); setClass(lv, "level l-" + c.level);
    setText(tr.cells[2], fmtNum(c.ratio, 3));
    setText(tr.cells[3], fmtNum(c.deficit, 2));
    tr.cells[4].dataset.deadline = c.deadline || "";
    setText(tr.cells[5], c.notice || "");
    tr.cells[5].title = c.notice || "";
    const acked = tr.cells[6].firstChild, btn = tr.cells[6].lastChild;
    btn.dataset.notice = c.notice || "";
    setText(acked, c.acknowledged ? "acknowledged ✓" : "");
    acked.title = c.acknowledged ? "reason: " + c.acknowledged : "";
    btn.hidden = !session.can_write || !!c.acknowledged || !c.notice;
  });
  $("calls-empty").hidden = list.length > 0;
  $("calls-note").textContent = list.length ? list.length + " open" : "";
  tickCountdowns();
}
function tickCountdowns() {
  for (const tr of $("calls").children) {
    const cell = tr.cells[4], d = cell.dataset.deadline;
    if (!d) { setText(cell, "—"); continue; }
    const left = Date.parse(d) - daemonNow();
    setText(cell, fmtLeft(left));
    setClass(cell, "num countdown" + (left < 0 ? " over" : left < 300000 ? " soon" : ""));
  }
}
function reason() {
  const r = $("reason").value.trim();
  if (!r) { say("Write a reason first (it is recorded with who and when).", true); $("reason").focus(); }
  return r;
}
async function send(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
  const resp = await fetch(path, init);
  const answer = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((answer.error && answer.error.message) || ("HTTP " + resp.status));
  return answer;
}
async function acknowledge(c, btn) {
  const r = reason();
  if (!r || !c.notice) return;
  btn.disabled = true;
  try {
    await send("POST", "v1/calls/" + encodeURIComponent(c.notice) + "/ack", { reason: r });
    say("Acknowledged " + c.notice + ".");
    polls = 0;
    await poll();
  } catch (e) { say("Acknowledging " + c.notice + " failed: " + e.message, true); }
  btn.disabled = false;
}
async function toggleHold(a, btn) {
  btn.disabled = true;
  try {
    if (a.held) {
      await send("DELETE", "v1/accounts/" + encodeURIComponent(a.id) + "/hold");
      say("Released " + a.id + ".");
    } else {
      const r = reason();
      if (!r) { btn.disabled = false; return; }
      await send("POST", "v1/accounts/" + encodeURIComponent(a.id) + "/hold", { reason: r });
      say("Held " + a.id + ": no notices are sent for it until it is released.");
    }
    polls = 0;
    await poll();
  } catch (e) { say("Changing the hold of " + a.id + " failed: " + e.message, true); }
  btn.disabled = false;
}

async function poll() {
  try {
    const t0 = Date.now(), health = await getJSON("v1/health"), t1 = Date.now();
    if (health.now) clockOffsetMs = Date.parse(health.now) - (t0 + t1) / 2;
    setText($("health"), "health " + health.status);
    setClass($("health"), "pill " + (health.status === "ok" ? "good" : health.status === "degraded" ? "mid" : "bad"));
    if (session.margin) {
      const withAccounts = polls++ % accountsEvery === 0;
      const [open, acc] = await Promise.all([getJSON("v1/calls?state=open"), withAccounts ? getJSON("v1/accounts") : null]);
      renderCalls(open.calls || []);
      if (acc) renderAccounts(acc.accounts || []);
    }
  } catch (e) {
    setText($("health"), "API unreachable"); setClass($("health"), "pill bad");
  }
}

async function start() {
  try { session = await getJSON("v1/session"); } catch (e) { say("GET v1/session failed: " + e.message, true); }
  setText($("access"), session.can_write ? "can write" : "read-only");
  setClass($("access"), "pill " + (session.can_write ? "mid" : ""));
  $("access").title = session.why || "";
  document.body.dataset.canWrite = session.can_write ? "true" : "false";
  $("reason").hidden = !session.can_write;
  document.querySelector("label[for=reason]").hidden = !session.can_write;
  $("calls-section").hidden = !session.margin;
  $("accounts-section").hidden = !session.margin;
  stream();
  await poll();
  setInterval(poll, POLL_MS);
  setInterval(() => { tickCountdowns(); tickAges(); $("clock").textContent = new Date(daemonNow()).toISOString().slice(11, 19) + " UTC"; }, 1000);
}
start();
</script>
</body>
</html>
"""#
}
