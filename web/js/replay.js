// Replay: one simulation's trace (GET /api/runs/{id}/trace, Chrome's trace
// event format) played in virtual time over the machine view: messages move
// from their send to their arrival, cores light up while a handler runs.
// Play, pause, speed and a scrubber; a click on a core asks the server for
// its state at that moment (GET /api/runs/{id}/cores/{core}?at=, the
// simulation replayed up to it). Only the messages in flight at the moment
// are looked at (a time window found by binary search), and at most
// MAX_DRAWN of them are drawn, evenly sampled, so a large trace stays smooth.
import { get, query } from "./api.js";
import { $, h, s, num, table } from "./dom.js";
import { drawMachine } from "./machine-view.js";

const MAX_DRAWN = 300;
const SPEEDS = [0.1, 0.25, 1, 4, 16]; // times the speed that plays the whole simulation in 20 s

/** The trace's messages and handlers as arrays sorted by time. */
export function parseTrace(chrome) {
  const sends = [];
  const handlers = [];
  for (const e of chrome.traceEvents) {
    if (e.ph === "s" && e.cat === "message") sends.push({ from: e.tid, to: e.args.to, sent: e.args.sent, arrival: e.args.arrival, kind: e.name });
    else if (e.ph === "X" && e.cat === "handler") handlers.push({ core: e.tid, start: e.args.start, end: e.args.end, kind: e.name });
  }
  sends.sort((a, b) => a.sent - b.sent);
  const perCore = new Map();
  for (const x of handlers) perCore.set(x.core, [...(perCore.get(x.core) ?? []), x]);
  for (const list of perCore.values()) list.sort((a, b) => a.start - b.start);
  const end = Math.max(0, ...sends.map((m) => m.arrival), ...handlers.map((x) => x.end));
  const longest = Math.max(0, ...sends.map((m) => m.arrival - m.sent));
  return { sends, perCore, end, longest, clockGHz: chrome.otherData?.simulations?.[0]?.clockGHz ?? 1, name: chrome.otherData?.simulations?.[0]?.name ?? "" };
}

/** The first index whose key is greater than t. */
function upper(list, t, key) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(list[mid]) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Messages in flight at t: sent at or before t, arriving after it. */
export function inFlight(trace, t) {
  const out = [];
  for (let i = upper(trace.sends, t, (m) => m.sent) - 1; i >= 0; i--) {
    const m = trace.sends[i];
    if (m.sent < t - trace.longest) break;
    if (m.arrival > t) out.push(m);
  }
  return out;
}

/** The handler each core runs at t, if any. */
export function busyAt(trace, t) {
  const busy = new Map();
  for (const [core, list] of trace.perCore) {
    const x = list[upper(list, t, (y) => y.start) - 1];
    if (x && x.end > t) busy.set(core, x);
  }
  return busy;
}

export function replaySection({ machineSummary }) {
  const scrub = $("replay-time");
  const play = $("replay-play");
  const speed = $("replay-speed");
  const picker = $("replay-simulation");
  let trace = null;
  let run = null;
  let sim = null;
  let view = null;
  let t = 0;
  let playing = false;
  let lastFrame = 0;
  let picked = null;
  const dots = [];

  speed.replaceChildren(...SPEEDS.map((x) => h("option", { value: x, selected: x === 1 }, `${x}×`)));

  const us = (cycles) => (cycles / (trace.clockGHz * 1000)).toFixed(3);

  function render() {
    scrub.value = String(Math.round(t));
    const label = `${num(Math.round(t))} of ${num(trace.end)} cycles (${us(t)} µs)`;
    scrub.setAttribute("aria-valuetext", label);
    $("replay-clock").textContent = label;
    const flying = inFlight(trace, t);
    const stride = Math.max(1, Math.ceil(flying.length / MAX_DRAWN));
    const shown = flying.filter((_, i) => i % stride === 0);
    const layer = view.overlay;
    while (dots.length < shown.length) {
      const d = s("circle", { r: 4.5, class: "message" }, s("title"));
      layer.append(d);
      dots.push(d);
    }
    dots.forEach((d, i) => {
      const m = shown[i];
      d.style.display = m ? "" : "none";
      if (!m) return;
      const a = view.centre(m.from);
      const b = view.centre(m.to);
      const f = (t - m.sent) / (m.arrival - m.sent || 1);
      d.setAttribute("cx", a.cx + (b.cx - a.cx) * f);
      d.setAttribute("cy", a.cy + (b.cy - a.cy) * f);
      d.firstChild.textContent = `${m.kind}: core ${m.from} → core ${m.to}, sent at ${num(m.sent)}, arrives at ${num(m.arrival)}`;
    });
    const busy = busyAt(trace, t);
    view.mark("busy", new Set(busy.keys()));
    $("replay-flight").textContent = `${flying.length} message${flying.length === 1 ? "" : "s"} in flight${stride > 1 ? ` (${shown.length} drawn)` : ""}; ${busy.size} core${busy.size === 1 ? "" : "s"} handling an event.`;
  }

  function frame(now) {
    if (!playing) return;
    const dt = lastFrame ? (now - lastFrame) / 1000 : 0;
    lastFrame = now;
    t = Math.min(trace.end, t + (dt * Number(speed.value) * trace.end) / 20);
    render();
    if (t >= trace.end) return setPlaying(false);
    requestAnimationFrame(frame);
  }

  function setPlaying(on) {
    playing = on;
    play.textContent = on ? "Pause" : "Play";
    play.setAttribute("aria-pressed", String(on));
    if (on) {
      if (t >= trace.end) t = 0;
      lastFrame = 0;
      requestAnimationFrame(frame);
    }
  }

  /** The picked core's state at the moment shown, from the server, with what the trace says it was doing. */
  async function coreState(core) {
    setPlaying(false);
    picked = core;
    view.mark("picked", new Set([core]));
    const at = Math.round(t);
    const box = $("replay-core");
    box.replaceChildren(h("p", {}, `core ${core} at cycle ${num(at)}: asking the server…`));
    box.setAttribute("aria-busy", "true");
    try {
      const st = await get(`/api/runs/${run.id}/cores/${core}?${query({ simulation: sim.index, at })}`);
      if (picked !== core || Math.round(t) !== at) return;
      const doing = busyAt(trace, at).get(core);
      const channels = Array.isArray(st.kernel?.channels) ? st.kernel.channels : [];
      const { channels: _, ...rest } = st.kernel ?? {};
      box.replaceChildren(
        h("h3", {}, `core ${core} at cycle ${num(at)}`),
        h(
          "dl",
          { class: "state", "data-core": core, "data-at": at },
          h("dt", {}, "clock"),
          // A core's clock runs ahead of the moment shown while it handles an event that began before it.
          h("dd", { "data-key": "clock" }, `${num(st.clock)} cycles${st.clock > at ? ", busy until then" : ""}`),
          h("dt", {}, "doing"),
          h("dd", {}, doing ? `${doing.kind} (${num(doing.start)}–${num(doing.end)})` : "idle"),
          h("dt", {}, "queue"),
          h("dd", { "data-key": "pending" }, `${num(st.pending)} event${st.pending === 1 ? "" : "s"} pending${st.next === null ? "" : `, the next at ${num(st.next)}`}`),
          h("dt", {}, "handled"),
          h("dd", { "data-key": "events" }, `${num(st.events)} events, ${num(st.messages)} messages sent`),
        ),
        channels.length
          ? table(
              ["peer", "sent", "received", "unacked", "queued"],
              channels.map((c) => [`core ${c.peer}`, c.sent, c.received, c.unacked, c.queued]),
              "URPC channels",
            )
          : h("p", {}, "No URPC channels."),
        h("details", { open: true }, h("summary", {}, "replica and the rest of the kernel's summary"), h("pre", {}, JSON.stringify(rest, null, 1))),
      );
    } catch (e) {
      box.replaceChildren(h("p", { class: "field-error" }, e.message));
    } finally {
      box.removeAttribute("aria-busy");
    }
  }

  async function open(status, simulation) {
    setPlaying(false);
    run = status;
    sim = simulation;
    $("replay-section").hidden = false;
    picker.replaceChildren(
      ...status.simulations.filter((x) => x.state === "done").map((x) => h("option", { value: x.index, selected: x.index === simulation.index }, x.label)),
    );
    $("replay-load").textContent = `Loading the trace of ${simulation.label}…`;
    const [chrome, summary] = await Promise.all([get(`/api/runs/${status.id}/trace?simulation=${simulation.index}`), machineSummary(status)]);
    trace = parseTrace(chrome);
    $("replay-load").textContent = `${trace.name}: ${num(trace.sends.length)} messages, ${num([...trace.perCore.values()].reduce((n, l) => n + l.length, 0))} handlers over ${num(trace.end)} cycles.`;
    $("replay-download").href = `/api/runs/${status.id}/trace?simulation=${simulation.index}`;
    view = drawMachine($("replay-view"), summary, { label: `${summary.machine.name}: messages in flight` });
    dots.length = 0;
    view.onCore("pick", coreState);
    scrub.max = String(trace.end);
    scrub.disabled = false;
    play.disabled = false;
    t = 0;
    picked = null;
    $("replay-core").replaceChildren(h("p", { class: "hint" }, "Click a core (or focus it and press Enter) to see its state at this moment."));
    render();
    $("replay-section").scrollIntoView({ block: "start" });
  }

  play.addEventListener("click", () => setPlaying(!playing));
  scrub.addEventListener("input", () => {
    t = Number(scrub.value);
    render();
  });
  scrub.addEventListener("change", () => picked !== null && coreState(picked));
  picker.addEventListener("change", () => {
    const x = run.simulations.find((y) => y.index === Number(picker.value));
    open(run, x);
  });
  return { open };
}
