// GET /: the demo page. Everything is inline and talks only to this Worker's
// API: pick a machine and an experiment, start a run, watch its progress
// (server-sent events), then read the table and the series as a chart.
export const DEMO_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Edgefish: the Barrelfish multikernel on Durable Objects</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:58rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:0}.sub{color:#555;margin-top:.2rem}
form{display:grid;grid-template-columns:9rem 1fr;gap:.5rem 1rem;align-items:center;background:#f6f6f6;padding:1rem;border-radius:6px}
label{font-weight:600}select,input,textarea{font:14px ui-monospace,monospace;padding:3px}textarea{height:3.2rem}
.hint{grid-column:2;color:#666;font-size:13px;margin-top:-.4rem}
button{font-size:15px;padding:.3rem 1.2rem;cursor:pointer}
#status{margin:1rem 0}.bar{height:8px;background:#e5e5e5;border-radius:4px;overflow:hidden;margin:.3rem 0}
.bar div{height:100%;width:0;background:#3a7bd5;transition:width .2s}
.error{color:#b00020;white-space:pre-wrap}
table{border-collapse:collapse;margin:.8rem 0}td,th{border:1px solid #ddd;padding:2px 8px;text-align:right}th{background:#f0f0f0}
svg{font:12px system-ui,sans-serif;background:#fff}code{font:13px ui-monospace,monospace}
</style></head><body>
<h1>Edgefish</h1>
<p class="sub">The Barrelfish multikernel (SOSP 2009) as a simulator: every simulated core a Durable Object, every OS message a call between them.
<a href="/docs">API reference</a> &middot; <a href="/openapi.json">OpenAPI</a></p>
<form id="f">
<label for="machine">machine</label><select id="machine"></select>
<label for="experiment">experiment</label><select id="experiment"></select>
<span class="hint" id="summary"></span>
<label for="cores">cores</label><input id="cores" placeholder="e.g. 2,4,8">
<span class="hint" id="coresHint"></span>
<label for="params">params</label><textarea id="params">{}</textarea>
<span class="hint" id="paramsHint"></span>
<label for="engine">engine</label><select id="engine"><option value="durable">durable: one Durable Object per core</option><option value="inproc">inproc: every core in one object</option></select>
<label for="trace">trace</label><span><input type="checkbox" id="trace"> keep the trace (Perfetto)</span>
<span></span><span><button id="start">Run</button> <button id="cancel" type="button" disabled>Cancel</button></span>
</form>
<div id="status"></div>
<div id="result"></div>
<script>
"use strict";
var $ = function (id) { return document.getElementById(id); };
var experiments = [], source = null, current = null;
function esc(s) { return String(s).replace(/[&<>"]/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]; }); }
function cell(v) { return v === undefined || v === null ? "-" : Array.isArray(v) ? v.join("-") : String(v); }
function getJson(url) { return fetch(url).then(function (r) { return r.json(); }); }

Promise.all([getJson("/api/machines"), getJson("/api/experiments")]).then(function (a) {
  $("machine").innerHTML = a[0].machines.map(function (m) {
    return '<option value="' + esc(m.name) + '">' + esc(m.name) + " (" + m.cores + " cores)</option>";
  }).join("");
  experiments = a[1].experiments;
  $("experiment").innerHTML = experiments.map(function (e) { return '<option>' + esc(e.name) + "</option>"; }).join("");
  pick();
});

function pick() {
  var e = experiments.find(function (x) { return x.name === $("experiment").value; });
  $("summary").textContent = e.summary;
  $("machine").value = e.defaultMachine;
  $("cores").disabled = !e.sweepsCores;
  $("coresHint").textContent = e.sweepsCores ? "core counts to sweep, one run each; empty: the paper's sweep" : e.name + " boots the cores it needs";
  var props = (e.params && e.params.properties) || {};
  $("paramsHint").textContent = "parameters: " + Object.keys(props).map(function (k) {
    var d = props[k]["default"];
    return k + (d === undefined ? "" : " = " + JSON.stringify(d));
  }).join(", ");
  $("params").value = e.name === "shootdown" ? '{"reps": 1}' : "{}";
  $("cores").value = e.sweepsCores ? "2,4,8" : "";
}
$("experiment").onchange = pick;

function showError(err) {
  var e = err && err.error ? err.error : { field: null, reason: String(err) };
  $("status").innerHTML = '<p class="error">' + esc((e.field ? e.field + ": " : "") + e.reason) + "</p>";
}

$("f").onsubmit = function (ev) {
  ev.preventDefault();
  var params;
  try { params = JSON.parse($("params").value || "{}"); } catch (x) { return showError({ error: { field: "params", reason: "not valid JSON" } }); }
  var body = { experiment: $("experiment").value, machine: $("machine").value, params: params, engine: $("engine").value, trace: $("trace").checked };
  var cores = $("cores").value.trim();
  if (cores && !$("cores").disabled) body.cores = cores.split(",").map(Number);
  $("result").innerHTML = "";
  fetch("/api/runs", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })
    .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j }; }); })
    .then(function (x) { if (!x.ok) return showError(x.j); follow(x.j.id); })
    .catch(showError);
};

$("cancel").onclick = function () { if (current) fetch("/api/runs/" + current, { method: "DELETE" }); };

function follow(id) {
  current = id;
  $("start").disabled = true;
  $("cancel").disabled = false;
  if (source) source.close();
  source = new EventSource("/api/runs/" + id + "/events");
  source.addEventListener("progress", function (m) { progress(JSON.parse(m.data)); });
  source.addEventListener("done", function (m) {
    source.close();
    var s = JSON.parse(m.data);
    progress(s);
    $("start").disabled = false;
    $("cancel").disabled = true;
    if (s.result) result(s);
  });
}

function progress(s) {
  var p = s.progress;
  $("status").innerHTML = "<p>run <a href=\\"/api/runs/" + s.id + "\\"><code>" + s.id + "</code></a>: <b>" + s.status + "</b>" + (s.queuePosition ? " (place " + s.queuePosition + " in the queue)" : "") + " &middot; " +
    s.experiment + " on " + esc(s.machine) + " (" + s.engine + ") &middot; " + p.simulationsDone + "/" + p.simulations + " simulations" +
    (p.underWay.length ? " (" + p.underWay.map(function (u) { return esc(u.label); }).join("; ") + " under way)" : "") + ", " +
    p.events + " events, " + p.messages + " messages, " + p.windows + " windows, " + p.simulatedCycles + " simulated cycles</p>" +
    '<div class="bar"><div style="width:' + (100 * p.simulationsDone / p.simulations) + '%"></div></div>' +
    (s.error ? '<p class="error">' + esc(s.error) + "</p>" : "");
}

function result(s) {
  var r = s.result, html = "";
  if (r.rows.length) {
    var keys = Object.keys(r.rows[0]);
    html += "<table><tr>" + keys.map(function (k) { return "<th>" + esc(k) + "</th>"; }).join("") + "</tr>" +
      r.rows.map(function (row) { return "<tr>" + keys.map(function (k) { return "<td>" + esc(cell(row[k])) + "</td>"; }).join("") + "</tr>"; }).join("") + "</table>";
  }
  if (r.series.length) html += chart(r.series);
  html += "<p>" + r.stats.events + " events, " + r.stats.messages + " messages, " + r.stats.windows + " windows, " + r.stats.wallMs + " ms wall</p>";
  if (r.missing.length) html += '<p class="error">left out, unfinished: ' + r.missing.map(function (m) { return esc(m.label) + " (" + m.state + ")"; }).join(", ") + "</p>";
  if (s.trace) html += "<p>traces (open in <a href=\\"https://ui.perfetto.dev\\">Perfetto</a>): " + s.simulations.map(function (x) {
    return '<a href="/api/runs/' + s.id + "/trace?simulation=" + x.index + '">' + esc(x.label) + "</a>";
  }).join(", ") + "</p>";
  $("result").innerHTML = html;
}

var COLORS = ["#3a7bd5", "#d9534f", "#5cb85c", "#f0ad4e", "#9b59b6", "#17a2b8", "#555"];
function chart(series) {
  var W = 640, H = 320, L = 70, R = 150, T = 20, B = 40;
  var pts = [].concat.apply([], series.map(function (s) { return s.points; }));
  var x0 = Math.min.apply(null, pts.map(function (p) { return p.cores; })), x1 = Math.max.apply(null, pts.map(function (p) { return p.cores; }));
  // The y axis in at most five steps of a round size (1, 2 or 5 times a power of ten).
  var top = Math.max.apply(null, pts.map(function (p) { return p.cycles; })) || 1;
  var unit = Math.pow(10, Math.floor(Math.log10(top / 5)));
  var step = [1, 2, 5, 10].map(function (m) { return m * unit; }).find(function (st) { return top / st <= 5; });
  var ticks = Math.ceil(top / step), y1 = step * ticks;
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  var X = function (v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }, Y = function (v) { return H - B - v / y1 * (H - T - B); };
  var g = '<svg width="' + W + '" height="' + H + '" role="img" aria-label="cycles by cores">';
  for (var i = 0; i <= ticks; i++) {
    var v = step * i;
    g += '<line x1="' + L + '" x2="' + (W - R) + '" y1="' + Y(v) + '" y2="' + Y(v) + '" stroke="#eee"/><text x="' + (L - 6) + '" y="' + (Y(v) + 4) + '" text-anchor="end">' + Math.round(v) + "</text>";
  }
  var xs = Array.from(new Set(pts.map(function (p) { return p.cores; })));
  xs.forEach(function (c) { g += '<text x="' + X(c) + '" y="' + (H - B + 16) + '" text-anchor="middle">' + c + "</text>"; });
  g += '<text x="' + ((L + W - R) / 2) + '" y="' + (H - 6) + '" text-anchor="middle">cores</text>';
  g += '<text transform="translate(14,' + (H / 2) + ') rotate(-90)" text-anchor="middle">cycles</text>';
  series.forEach(function (s, k) {
    var col = COLORS[k % COLORS.length];
    var sorted = s.points.slice().sort(function (a, b) { return a.cores - b.cores; });
    g += '<polyline fill="none" stroke="' + col + '" stroke-width="2" points="' + sorted.map(function (p) { return X(p.cores) + "," + Y(p.cycles); }).join(" ") + '"/>';
    sorted.forEach(function (p) { g += '<circle cx="' + X(p.cores) + '" cy="' + Y(p.cycles) + '" r="3" fill="' + col + '"><title>' + esc(s.name) + ": " + p.cores + " cores, " + p.cycles + " cycles</title></circle>"; });
    g += '<rect x="' + (W - R + 12) + '" y="' + (T + k * 18) + '" width="10" height="10" fill="' + col + '"/><text x="' + (W - R + 28) + '" y="' + (T + k * 18 + 9) + '">' + esc(s.name) + "</text>";
  });
  return g + "</svg>";
}
</script>
</body></html>
`;
