// A run's results: a chart (Observable Plot, loaded on the first result)
// with the paper's figures beside ours where the paper has them, the numbers
// as tables, downloads (CSV, the chart as SVG and PNG), and the run's
// simulations by name with their traces. A run cancelled or failed part way
// keeps the simulations that finished; the others are listed as missing.
import { $, h, num, table, download } from "./dom.js";

let Plot = null;

const PALETTE = ["#1f6fb2", "#d1495b", "#2e933c", "#e08e0b", "#7b4ea3", "#0f8b8d", "#6b6b6b", "#b5651d"];

/** The paper's figures beside ours: at the series and core counts the run has, on the machine the paper measured. */
function paperPoints(experiment, result) {
  const ref = experiment.paper;
  if (!ref || ref.machine !== result.machine) return { points: [], note: ref ? `The paper's figures are for ${ref.machine}; this run is on ${result.machine}.` : null };
  const ran = new Set(result.series.flatMap((s) => s.points.map((p) => `${s.name}@${p.cores}`)));
  const points = ref.points.filter((p) => ran.has(`${p.series}@${p.cores}`));
  const at = [...new Set(ref.points.map((p) => p.cores))].join(" and ");
  return { points, note: `Paper: ${ref.note}.${points.length ? "" : ` It has figures at ${at} cores.`}` };
}

/** The series as one row per point: for the sweep chart and the CSV. */
function seriesRows(result, paper) {
  return result.series.flatMap((s) =>
    s.points.map((p) => {
      const ref = paper.find((q) => q.series === s.name && q.cores === p.cores);
      return { series: s.name, cores: p.cores, cycles: p.cycles, paper: ref?.cycles ?? null };
    }),
  );
}

function sweepChart(result, paper, width) {
  const ours = seriesRows(result, paper);
  const names = result.series.map((s) => s.name);
  // A run cancelled or failed before a series' first simulation finished has that series without points: nothing to label.
  const last = result.series.filter((s) => s.points.length).map((s) => ({ series: s.name, ...s.points.reduce((a, b) => (b.cores > a.cores ? b : a)) }));
  const xs = [...new Set([...ours.map((p) => p.cores), ...paper.map((p) => p.cores)])].sort((a, b) => a - b);
  const plot = (labels) => Plot.plot({
    width,
    height: Math.max(260, Math.min(420, width * 0.6)),
    marginRight: 110,
    marginLeft: 60,
    style: { fontSize: "12px", background: "white" },
    x: { label: "cores", ticks: xs.length <= 12 ? xs : undefined, tickFormat: "d", line: true },
    marginTop: 30,
    y: { label: "cycles per operation", grid: true, zero: true, nice: true },
    color: { domain: names, range: PALETTE, legend: false },
    marks: [
      Plot.line(ours, { x: "cores", y: "cycles", stroke: "series", strokeWidth: 2, className: "simulated" }),
      // Our points as dots of their own: a run cancelled after one simulation has a line of one point, which draws nothing.
      Plot.dot(ours, { x: "cores", y: "cycles", fill: "series", r: 3.5, className: "simulated" }),
      Plot.dot(paper, { x: "cores", y: "cycles", stroke: "series", symbol: "diamond", r: 6, strokeWidth: 2, className: "paper", title: (p) => `paper, ${p.series}, ${p.cores} cores: ${num(p.cycles)} cycles (${p.from === "text" ? "stated in the text" : "read off the plot"})` }),
      Plot.text(labels, { x: "cores", y: "labelY", text: "series", fill: "series", dx: 8, textAnchor: "start" }),
      Plot.tip(ours, Plot.pointer({ x: "cores", y: "cycles", title: (p) => `${p.series}, ${p.cores} cores: ${num(p.cycles)} cycles${p.paper ? ` (paper ${num(p.paper)})` : ""}` })),
    ],
  });
  // Drawn once to learn the y scale, then again with the line-end labels moved apart where lines end close together.
  const y = plot(last.map((l) => ({ ...l, labelY: l.cycles }))).scale("y");
  const byHeight = last.map((l) => ({ ...l, py: y.apply(l.cycles) })).sort((a, b) => a.py - b.py);
  for (let i = 1; i < byHeight.length; i++) byHeight[i].py = Math.max(byHeight[i].py, byHeight[i - 1].py + LABEL_GAP_PX);
  return plot(byHeight.map((l) => ({ ...l, labelY: y.invert(l.py) })));
}

/** Vertical room a line-end label needs: 12 px text, and a few pixels between two (at 14 they all but touched). */
const LABEL_GAP_PX = 17;

/** urpc and lrpc: latency by class of core pair, ours and the paper's (Tables 1 and 2). */
function pairChart(result, width) {
  const bars = result.rows.flatMap((r) => [
    { pair: r.pair, source: "simulated", cycles: r.latency },
    ...(r.paperLatency !== undefined ? [{ pair: r.pair, source: "paper", cycles: r.paperLatency }] : []),
  ]);
  return Plot.plot({
    width,
    height: 300,
    marginLeft: 60,
    marginBottom: 40,
    // Room above the tallest bar's number for the y axis's label.
    marginTop: 30,
    style: { fontSize: "12px", background: "white" },
    // The classes in the table's order, nearest first: Plot would sort them by name (three-hop before two-hop).
    fx: { label: "class of core pair", padding: 0.15, domain: [...new Set(result.rows.map((r) => r.pair))] },
    x: { axis: null, domain: ["simulated", "paper"] },
    y: { label: "latency (cycles)", grid: true },
    color: { domain: ["simulated", "paper"], range: ["#1f6fb2", "#c9c9c9"] },
    marks: [
      Plot.barY(
        bars.filter((b) => b.source === "simulated"),
        { fx: "pair", x: "source", y: "cycles", fill: "source", className: "simulated", title: (b) => `${b.pair}: ${num(b.cycles)} cycles (simulated)` },
      ),
      Plot.barY(
        bars.filter((b) => b.source === "paper"),
        { fx: "pair", x: "source", y: "cycles", fill: "source", className: "paper", title: (b) => `${b.pair}: ${num(b.cycles)} cycles (paper)` },
      ),
      Plot.text(bars, { fx: "pair", x: "source", y: "cycles", text: (b) => num(b.cycles), dy: -6 }),
      Plot.ruleY([0]),
    ],
  });
}

/** A legend as plain SVG, under the chart, so that downloads carry it. */
function legend(entries, width) {
  const rowH = 18;
  const perRow = Math.max(1, Math.floor(width / 190));
  const rows = Math.ceil(entries.length / perRow);
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", rows * rowH + 4);
  svg.setAttribute("class", "legend");
  svg.setAttribute("role", "list");
  svg.setAttribute("aria-label", "legend");
  entries.forEach((e, i) => {
    const x = (i % perRow) * 190 + 4;
    const y = Math.floor(i / perRow) * rowH + 12;
    const g = document.createElementNS(svg.namespaceURI, "g");
    g.setAttribute("role", "listitem");
    g.innerHTML =
      e.shape === "diamond"
        ? `<path d="M${x + 7},${y - 7} l6,6 l-6,6 l-6,-6 z" fill="none" stroke="${e.color}" stroke-width="2"/>`
        : e.shape === "bar"
          ? `<rect x="${x + 1}" y="${y - 8}" width="12" height="10" fill="${e.color}"/>`
          : `<line x1="${x}" x2="${x + 14}" y1="${y - 3}" y2="${y - 3}" stroke="${e.color}" stroke-width="2"/><circle cx="${x + 7}" cy="${y - 3}" r="3" fill="${e.color}"/>`;
    const t = document.createElementNS(svg.namespaceURI, "text");
    t.setAttribute("x", x + 20);
    t.setAttribute("y", y);
    t.setAttribute("font-size", "12");
    t.textContent = e.label;
    g.append(t);
    svg.append(g);
  });
  return svg;
}

/** One standalone SVG of title, chart, legend and note: what the SVG and PNG downloads hold. */
function standalone(title, chart, legendSvg, note) {
  const w = Number(chart.getAttribute("width"));
  const ch = Number(chart.getAttribute("height"));
  const lh = Number(legendSvg.getAttribute("height"));
  const height = 28 + ch + lh + (note ? 22 : 0);
  const esc = (t) => t.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
  const inner = (el, y) => {
    const copy = el.cloneNode(true);
    copy.setAttribute("x", 0);
    copy.setAttribute("y", y);
    return new XMLSerializer().serializeToString(copy);
  };
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${height}" viewBox="0 0 ${w} ${height}" font-family="system-ui, sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="8" y="19" font-size="15" font-weight="600">${esc(title)}</text>` +
    inner(chart, 28) +
    inner(legendSvg, 28 + ch) +
    (note ? `<text x="8" y="${height - 7}" font-size="11" fill="#555">${esc(note)}</text>` : "") +
    "</svg>"
  );
}

async function png(svgText, width, height) {
  const img = new Image();
  img.src = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  await img.decode();
  const scale = 2;
  const canvas = h("canvas", { width: width * scale, height: height * scale });
  const ctx = canvas.getContext("2d");
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0);
  URL.revokeObjectURL(img.src);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

const cell = (v) => (v === undefined || v === null ? "" : Array.isArray(v) ? v.join("-") : typeof v === "object" ? JSON.stringify(v) : v);

function csv(rows) {
  if (!rows.length) return "";
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const quote = (v) => {
    const t = String(cell(v));
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [cols.join(","), ...rows.map((r) => cols.map((c) => quote(r[c])).join(","))].join("\n") + "\n";
}

/** The series as a table: one row per series, one column per core count, the paper's figure in brackets. */
function seriesTable(result, paper) {
  const xs = [...new Set(result.series.flatMap((s) => s.points.map((p) => p.cores)))].sort((a, b) => a - b);
  return table(
    ["series", ...xs.map((x) => `${x} cores`)],
    result.series.map((s) => [
      s.name,
      ...xs.map((x) => {
        const p = s.points.find((q) => q.cores === x);
        const ref = paper.find((q) => q.series === s.name && q.cores === x);
        if (!p) return "";
        return ref ? `${num(p.cycles)} (paper ${ref.from === "text" ? "" : "≈"}${num(ref.cycles)})` : p.cycles;
      }),
    ]),
    "cycles per operation",
  );
}

export function resultsSection({ onReplay }) {
  const box = $("results");

  return {
    async show(status, experiment) {
      const result = status.result;
      $("results-section").hidden = false;
      const missing = result?.missing ?? [];
      const title = `${status.experiment} on ${status.machine} (${status.engine} engine)`;
      $("results-title").textContent = title;
      $("results-state").textContent =
        status.status === "done" ? "" : `The run ${status.status === "cancelled" ? "was cancelled" : status.status}${status.error ? `: ${status.error}` : ""}. ${result ? "The simulations that finished are shown." : "No simulation finished."}`;
      const parts = [];
      if (result) {
        Plot ??= await import("/vendor/plot.js");
        const width = Math.min(760, Math.max(300, $("results").clientWidth || 600));
        const { points: paper, note } = paperPoints(experiment, result);
        let chart = null;
        let entries = [];
        if (result.series.length) {
          chart = sweepChart(result, paper, width);
          entries = [
            ...result.series.map((s, i) => ({ label: `${s.name} (simulated)`, color: PALETTE[i % PALETTE.length], shape: "line" })),
            ...(paper.length ? [{ label: "the paper's figure", color: "#333", shape: "diamond" }] : []),
          ];
        } else if (result.rows.some((r) => typeof r.latency === "number")) {
          chart = pairChart(result, width);
          entries = [
            { label: "simulated", color: "#1f6fb2", shape: "bar" },
            ...(result.rows.some((r) => r.paperLatency !== undefined) ? [{ label: "the paper (Tables 1 and 2)", color: "#c9c9c9", shape: "bar" }] : []),
          ];
        }
        if (chart) {
          chart.setAttribute("role", "img");
          chart.setAttribute("aria-label", `${title}: ${result.series.length ? "cycles per operation by number of cores" : "latency by class of core pair"}`);
          const legendSvg = legend(entries, width);
          const caption = note ?? (result.series.length ? "The paper gives no figures for this experiment." : "");
          const svgText = () => standalone(title, chart, legendSvg, caption);
          const stem = `edgefish-${status.experiment}-${status.machine}-${status.id.slice(0, 8)}`;
          parts.push(
            h("figure", { class: "chart", id: "results-chart" }, chart, legendSvg, h("figcaption", {}, caption)),
            h(
              "p",
              { class: "actions" },
              h("button", { type: "button", onclick: () => download(`${stem}.csv`, csv(result.series.length ? seriesRows(result, paper) : result.rows), "text/csv") }, "Download CSV"),
              h("button", { type: "button", onclick: () => download(`${stem}.svg`, svgText(), "image/svg+xml") }, "Download SVG"),
              h(
                "button",
                {
                  type: "button",
                  onclick: async () => {
                    const text = svgText();
                    const doc = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
                    download(`${stem}.png`, await png(text, Number(doc.getAttribute("width")), Number(doc.getAttribute("height"))));
                  },
                },
                "Download PNG",
              ),
            ),
          );
        }
        if (result.series.length) parts.push(seriesTable(result, paper));
        if (result.rows.length) {
          const cols = [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
          parts.push(table(cols, result.rows.map((r) => cols.map((c) => (typeof r[c] === "number" ? r[c] : String(cell(r[c]))))), "the experiment's table"));
        }
        parts.push(h("p", { class: "stats" }, `${num(result.stats.events)} events, ${num(result.stats.messages)} messages, ${num(result.stats.windows)} windows, ${num(result.stats.simulatedCycles)} simulated cycles, ${num(Math.round(result.stats.wallMs))} ms of wall time summed over the simulations.`));
        if (result.lines?.length) {
          parts.push(
            h(
              "details",
              {},
              h("summary", {}, "The cache lines that queued the longest at their homes"),
              table(
                ["simulation", "line", "home core", "transactions", "mean wait (cycles)", "max wait (cycles)"],
                result.lines.map((l) => [l.simulation, l.line, l.home, l.transactions, l.meanWait, l.maxWait]),
              ),
            ),
          );
        }
      }
      if (missing.length) parts.push(h("p", { class: "missing", id: "results-missing" }, "Missing (the run ended before they finished): ", missing.map((m) => `${m.label} (${m.state})`).join(", "), "."));
      parts.push(simulations(status, onReplay));
      box.replaceChildren(...parts);
    },
  };
}

/** The run's simulations by name: each one's Perfetto trace and its replay, when the run kept traces. */
function simulations(status, onReplay) {
  const items = status.simulations.map((x) => {
    const finished = x.state === "done";
    return h(
      "li",
      {},
      `${x.label}: ${x.state}`,
      status.trace && finished
        ? h(
            "span",
            { class: "sim-actions" },
            " · ",
            h("a", { href: `/api/runs/${status.id}/trace?simulation=${x.index}`, download: `edgefish-${status.id.slice(0, 8)}-${x.index}.json` }, "trace for Perfetto"),
            " · ",
            h("button", { type: "button", class: "link", onclick: () => onReplay(status, x) }, `replay ${x.label}`),
          )
        : null,
    );
  });
  return h(
    "div",
    { class: "simulations" },
    h("h3", {}, "Simulations"),
    status.trace ? null : h("p", { class: "hint" }, "Start a run with “keep the trace” to replay its simulations and download their traces."),
    h("ul", {}, items),
  );
}
