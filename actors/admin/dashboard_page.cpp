// The dashboard at GET /: one self-contained page (no CDN, no external file)
// that polls /info, /slowlog and /topology every second and draws operations
// per second, memory, clients, latency percentiles, the keyspace, replication,
// the slow log's tail and the live actor graph.
#include "actors/admin/admin_routes.hpp"

namespace troupe {

const char* dashboard_page() {
  return R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Troupe dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;background:#101418;color:#dde3ea}
header{padding:10px 16px;background:#1b2229;display:flex;gap:24px;align-items:baseline}
header h1{font-size:18px;margin:0}
#status{color:#8a8}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:12px;padding:12px}
section{background:#1b2229;border-radius:6px;padding:10px 12px}
section h2{font-size:13px;margin:0 0 6px;color:#9ab;text-transform:uppercase;letter-spacing:.05em}
.big{font-size:26px;font-weight:600}
canvas{width:100%;height:90px;display:block}
table{border-collapse:collapse;width:100%;font-size:12px}
td,th{padding:2px 6px;text-align:left;border-bottom:1px solid #2a333c}
#topology{grid-column:1/-1}
svg text{fill:#dde3ea;font-size:10px}
.muted{color:#789}
</style></head><body>
<header><h1>Troupe</h1><span id="node" class="muted">connecting…</span><span id="status">waiting</span></header>
<main>
<section><h2>Operations / second</h2><div class="big" id="ops-value">–</div><canvas id="ops-chart"></canvas></section>
<section><h2>Memory</h2><div class="big" id="mem-value">–</div><div class="muted" id="rss-value"></div><canvas id="mem-chart"></canvas></section>
<section><h2>Clients</h2><div class="big" id="clients-value">–</div><div class="muted" id="blocked-value"></div><canvas id="clients-chart"></canvas></section>
<section><h2>Latency percentiles, usec</h2><table><thead><tr><th>command</th><th>percentiles</th></tr></thead><tbody id="latency"></tbody></table></section>
<section><h2>Keyspace</h2><table><thead><tr><th>db</th><th>keys</th><th>expires</th></tr></thead><tbody id="keyspace"></tbody></table><div class="muted" id="hits"></div></section>
<section><h2>Replication</h2><table><tbody id="replication"></tbody></table></section>
<section><h2>Slow log</h2><table><tbody id="slowlog"></tbody></table></section>
<section id="topology"><h2>Actors</h2><div class="muted" id="actor-summary"></div><svg id="graph" width="100%" height="320"></svg></section>
</main>
<script>
"use strict";
const history = {ops: [], mem: [], rss: [], clients: []};
let last = null;
const $ = id => document.getElementById(id);
function human(n) {
  const u = ["B", "K", "M", "G", "T"]; let i = 0; n = Number(n);
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return n.toFixed(i ? 2 : 0) + u[i];
}
function push(a, v) { a.push(v); if (a.length > 120) a.shift(); }
function chart(id, series, colors) {
  const c = $(id), w = c.width = c.clientWidth, h = c.height = 90, g = c.getContext("2d");
  g.clearRect(0, 0, w, h);
  let max = 1; for (const s of series) for (const v of s) max = Math.max(max, v);
  series.forEach((s, k) => {
    g.strokeStyle = colors[k]; g.lineWidth = 1.5; g.beginPath();
    s.forEach((v, i) => { const x = w - (s.length - 1 - i) * (w / 119), y = h - 4 - (v / max) * (h - 8);
      i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  });
}
function rows(id, list) { $(id).innerHTML = list.map(r => "<tr>" + r.map(c => "<td>" + c + "</td>").join("") + "</tr>").join(""); }
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c])); }
async function getJSON(path) { const r = await fetch(path, {cache: "no-store"}); if (!r.ok) throw new Error(path + " " + r.status); return r.json(); }
async function tick() {
  try {
    const info = await getJSON("/info");
    const s = info.Server || {}, st = info.Stats || {}, m = info.Memory || {}, c = info.Clients || {}, rp = info.Replication || {};
    $("node").textContent = "v" + s.redis_version + " · port " + s.tcp_port + " · pid " + s.process_id + " · up " + s.uptime_in_seconds + "s · " + (rp.role || "");
    const now = Date.now(), total = Number(st.total_commands_processed || 0);
    const ops = last ? Math.max(0, (total - last.total) * 1000 / (now - last.t)) : Number(st.instantaneous_ops_per_sec || 0);
    last = {t: now, total};
    push(history.ops, ops); push(history.mem, Number(m.used_memory || 0)); push(history.rss, Number(m.used_memory_rss || 0));
    push(history.clients, Number(c.connected_clients || 0));
    $("ops-value").textContent = Math.round(ops).toString();
    $("mem-value").textContent = human(m.used_memory || 0) + (Number(m.maxmemory) ? " / " + human(m.maxmemory) : "");
    $("rss-value").textContent = "RSS " + human(m.used_memory_rss || 0) + " · peak " + human(m.used_memory_peak || 0);
    $("clients-value").textContent = c.connected_clients;
    $("blocked-value").textContent = "blocked " + c.blocked_clients;
    chart("ops-chart", [history.ops], ["#6cf"]); chart("mem-chart", [history.mem, history.rss], ["#fc6", "#a86"]);
    chart("clients-chart", [history.clients], ["#8d8"]);
    const lat = info.Latencystats || {};
    rows("latency", Object.keys(lat).slice(0, 12).map(k => [esc(k.replace("latency_percentiles_usec_", "")),
      Object.entries(lat[k]).map(([p, v]) => p + "=" + v).join(" ")]));
    const ks = info.Keyspace || {};
    rows("keyspace", Object.keys(ks).map(db => [db, ks[db].keys, ks[db].expires]));
    const hits = Number(st.keyspace_hits || 0), misses = Number(st.keyspace_misses || 0);
    $("hits").textContent = "hits " + hits + " · misses " + misses + (hits + misses ? " · ratio " + (hits / (hits + misses)).toFixed(3) : "") + " · evicted " + (st.evicted_keys || 0) + " · expired " + (st.expired_keys || 0);
    rows("replication", Object.keys(rp).filter(k => !k.startsWith("master_replid")).map(k =>
      [esc(k), esc(typeof rp[k] === "object" ? Object.entries(rp[k]).map(([a, b]) => a + "=" + b).join(" ") : rp[k])]));
    const slow = await getJSON("/slowlog");
    rows("slowlog", slow.slice(0, 8).map(e => [e.id, e.duration_us + "µs", esc(e.args.join(" ").slice(0, 80))]));
    drawTopology(await getJSON("/topology"));
    $("status").textContent = "live " + new Date().toLocaleTimeString();
    $("status").style.color = "#8a8";
  } catch (e) {
    $("status").textContent = "error: " + e.message; $("status").style.color = "#e66";
  }
}
function drawTopology(t) {
  const byType = {};
  for (const a of t.actors) (byType[a.type] = byType[a.type] || []).push(a);
  $("actor-summary").textContent = t.actors.length + " actors · " + Object.keys(byType).map(k => k + " " + byType[k].length).join(" · ") +
    (t.remote.length ? " · remote: " + t.remote.map(r => r.kind + " " + r.addr).join(", ") : "");
  const svg = $("graph"), w = svg.clientWidth || 900, types = Object.keys(byType), pos = {};
  let out = "";
  types.forEach((ty, row) => {
    const list = byType[ty], y = 24 + row * (280 / Math.max(1, types.length));
    out += `<text x="4" y="${y + 4}">${esc(ty)}</text>`;
    list.slice(0, 60).forEach((a, i) => { const x = 120 + i * Math.min(40, (w - 140) / Math.max(1, Math.min(60, list.length))); pos[a.id] = [x, y];
      out += `<circle data-type="${esc(ty)}" cx="${x}" cy="${y}" r="6" fill="${a.mailbox > 0 ? "#e96" : "#6cf"}"><title>${esc(a.type + " " + a.label + " · " + a.placement + " · handled " + a.handled + " · mailbox " + a.mailbox)}</title></circle>`; });
  });
  let edges = "";
  for (const a of t.actors) {
    const from = pos[a.id]; if (!from) continue;
    for (const p of [a.parent].concat(a.peers)) { const to = pos[p]; if (to) edges += `<line x1="${from[0]}" y1="${from[1]}" x2="${to[0]}" y2="${to[1]}" stroke="#456"/>`; }
  }
  svg.innerHTML = edges + out;
}
tick(); setInterval(tick, 1000);
</script></body></html>
)HTML";
}

}  // namespace troupe
