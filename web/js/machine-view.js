// The machine as a picture: packages of dies of cores, the caches they
// share, memory controllers and the interconnect (HyperTransport links
// between packages, or one front-side bus), from a machine description as
// GET /api/machines/{id} and POST /api/machines/validate give it. Layers on
// top (a routing tree, messages in flight) are drawn by their own modules
// through the view's core positions.
import { s } from "./dom.js";

const CORE = 30; // a core's square, in SVG units
const GAP = 14; // room between cores for an arrow and its badge
const DIE_PAD = 7;
const PKG_PAD = 9;
const LABEL = 15; // room for a label above a box
const CACHE = 9; // a shared cache's bar
const PKG_GAP = 46; // room between packages for the links

/** Cores of a die in rows: up to ceil(sqrt(n)) a row, so four cores make a square. */
const columnsFor = (n) => Math.max(1, Math.ceil(Math.sqrt(n)));

/**
 * Where each package goes in a grid: for up to 8 packages the placement that
 * makes the linked packages nearest (every permutation is tried), else in id
 * order.
 */
function placePackages(ids, links, cols) {
  const cell = (slot) => [slot % cols, Math.floor(slot / cols)];
  const cost = (order) => {
    const at = new Map(order.map((id, slot) => [id, cell(slot)]));
    let c = 0;
    for (const [a, b] of links) {
      const [ax, ay] = at.get(a);
      const [bx, by] = at.get(b);
      c += Math.abs(ax - bx) + Math.abs(ay - by) + (ax !== bx && ay !== by ? 0.5 : 0);
    }
    return c;
  };
  if (ids.length > 8 || links.length === 0) return ids;
  let best = ids;
  let bestCost = cost(ids);
  // Heap's algorithm over the package order; ties keep the earlier (id order first).
  const a = [...ids];
  const c = new Array(a.length).fill(0);
  let i = 0;
  while (i < a.length) {
    if (c[i] < i) {
      const j = i % 2 ? c[i] : 0;
      [a[j], a[i]] = [a[i], a[j]];
      const k = cost(a);
      // Ties go to the order that reads most like id order (package 0 first).
      if (k < bestCost || (k === bestCost && a.join() < best.join())) [best, bestCost] = [[...a], k];
      c[i]++;
      i = 0;
    } else c[i++] = 0;
  }
  return best;
}

/** Package grid columns: two for four packages (the Opterons' square), else about twice as wide as high; at most `max`. */
const packageColumns = (n, max) => Math.min(max, n <= 3 ? n : n === 4 ? 2 : Math.ceil(Math.sqrt(2 * n)));

/**
 * Lay a description out: boxes for packages, dies and cores, bars for shared
 * caches. Pure geometry, so the tree and the replay draw on the same points.
 */
export function layout(machine, maxColumns = Infinity) {
  const cols = packageColumns(machine.packages.length, maxColumns);
  const links = machine.interconnect.type === "hypertransport" ? machine.interconnect.links : [];
  const order = placePackages(
    machine.packages.map((p) => p.id),
    links,
    cols,
  );
  const caches = machine.sharedCaches ?? [];
  // A die's cores, with those that share a cache next to each other.
  const sorted = (cores) => {
    const group = (c) => caches.findIndex((k) => k.cores.includes(c));
    return [...cores].sort((x, y) => group(x) - group(y) || x - y);
  };
  const pkgs = machine.packages.map((p) => {
    const dies = p.dies.map((d) => {
      const cores = sorted(d.cores);
      const dc = columnsFor(cores.length);
      const rows = Math.ceil(cores.length / dc);
      return { id: d.id, cores, cols: dc, w: dc * CORE + (dc - 1) * GAP + 2 * DIE_PAD, h: LABEL + rows * CORE + (rows - 1) * GAP + 2 * DIE_PAD + CACHE + GAP };
    });
    const w = dies.reduce((sum, d) => sum + d.w, 0) + (dies.length - 1) * GAP + 2 * PKG_PAD;
    const h = LABEL + Math.max(...dies.map((d) => d.h)) + 2 * PKG_PAD;
    return { id: p.id, dies, w, h };
  });
  const cellW = Math.max(...pkgs.map((p) => p.w));
  const cellH = Math.max(...pkgs.map((p) => p.h));
  const byId = new Map(pkgs.map((p) => [p.id, p]));
  const cores = new Map(); // core id -> {x, y, package, die}
  const boxes = [];
  order.forEach((id, slot) => {
    const p = byId.get(id);
    const px = (slot % cols) * (cellW + PKG_GAP) + (cellW - p.w) / 2;
    const py = Math.floor(slot / cols) * (cellH + PKG_GAP);
    p.x = px;
    p.y = py;
    let dx = px + PKG_PAD;
    for (const d of p.dies) {
      d.x = dx;
      d.y = py + PKG_PAD + LABEL;
      d.cores.forEach((c, i) => {
        const x = d.x + DIE_PAD + (i % d.cols) * (CORE + GAP);
        const y = d.y + LABEL + DIE_PAD + Math.floor(i / d.cols) * (CORE + GAP);
        cores.set(c, { x, y, cx: x + CORE / 2, cy: y + CORE / 2, package: p.id, die: d.id });
      });
      dx += d.w + GAP;
    }
    boxes.push(p);
  });
  const rows = Math.ceil(order.length / cols);
  const width = cols * cellW + (cols - 1) * PKG_GAP;
  const bus = machine.interconnect.type === "fsb";
  const height = rows * cellH + (rows - 1) * PKG_GAP + (bus ? PKG_GAP : 0);
  return { packages: boxes, cores, width, height, links, bus, caches };
}

const kib = (k) => (k >= 1024 ? `${k / 1024} MiB` : `${k} KiB`);

/** Below this width (CSS pixels) packages go two abreast, so that a phone shows cores big enough to touch. */
const NARROW = 560;

/**
 * Draw the machine into `container`. Returns the view: its SVG, each core's
 * centre, a layer to draw on above the machine, and `onCore(kind, handler)`
 * for "enter", "leave" and "pick" (click, Enter or Space) on a core. The
 * cores are one stop of the Tab key: the arrow keys, Home and End move
 * between them.
 */
export function drawMachine(container, summary, { label }) {
  const m = summary.machine;
  const L = layout(m, container.clientWidth && container.clientWidth < NARROW ? 2 : Infinity);
  const pad = 8;
  const svg = s("svg", {
    viewBox: `${-pad} ${-pad} ${L.width + 2 * pad} ${L.height + 2 * pad}`,
    class: "machine",
    role: "group",
    "aria-label": label,
  });
  const packageCentre = (id) => {
    const p = L.packages.find((q) => q.id === id);
    return [p.x + p.w / 2, p.y + p.h / 2];
  };
  // The interconnect first, beneath the packages.
  const wires = s("g", { class: "interconnect" });
  for (const [a, b] of L.links) {
    const [ax, ay] = packageCentre(a);
    const [bx, by] = packageCentre(b);
    wires.append(s("line", { x1: ax, y1: ay, x2: bx, y2: by, class: "link" }, s("title", {}, `HyperTransport link: package ${a} - package ${b}`)));
  }
  if (L.bus) {
    const y = L.height - PKG_GAP / 2;
    wires.append(s("line", { x1: 0, y1: y, x2: L.width, y2: y, class: "bus" }, s("title", {}, "the front-side bus, shared by every package")));
    wires.append(s("text", { x: L.width / 2, y: y + 14, class: "bus-label", "text-anchor": "middle" }, "front-side bus · memory controller"));
    for (const p of L.packages) wires.append(s("line", { x1: p.x + p.w / 2, y1: p.y + p.h, x2: p.x + p.w / 2, y2: y, class: "bus" }));
  }
  svg.append(wires);
  const controllers = new Set((m.memoryControllers ?? []).filter((c) => c.package !== undefined).map((c) => c.package));
  const cores = s("g", { class: "cores" });
  for (const p of L.packages) {
    const g = s("g", { class: "package" });
    g.append(s("rect", { x: p.x, y: p.y, width: p.w, height: p.h, rx: 6, class: "package-box" }));
    g.append(s("text", { x: p.x + PKG_PAD, y: p.y + PKG_PAD + 10, class: "box-label" }, `package ${p.id}`));
    if (controllers.has(p.id)) {
      g.append(s("text", { x: p.x + p.w - PKG_PAD, y: p.y + PKG_PAD + 10, class: "box-label mc", "text-anchor": "end" }, "MC", s("title", {}, "memory controller: this package's memory is home to its lines")));
    }
    for (const d of p.dies) {
      g.append(s("rect", { x: d.x, y: d.y, width: d.w, height: d.h, rx: 4, class: "die-box" }));
      g.append(s("text", { x: d.x + DIE_PAD, y: d.y + 11, class: "box-label small" }, `die ${d.id}`));
    }
    svg.append(g);
  }
  // Shared caches: a bar under the cores of each, within their die or package.
  for (const c of L.caches) {
    const at = c.cores.map((id) => L.cores.get(id)).filter(Boolean);
    if (!at.length) continue;
    const x0 = Math.min(...at.map((p) => p.x));
    const x1 = Math.max(...at.map((p) => p.x + CORE));
    const y = Math.max(...at.map((p) => p.y + CORE)) + GAP;
    svg.append(
      s(
        "g",
        { class: "cache" },
        s("rect", { x: x0, y, width: x1 - x0, height: CACHE, rx: 2 }),
        s("text", { x: (x0 + x1) / 2, y: y + CACHE - 1.5, "text-anchor": "middle" }, `L${c.level}${c.sizeKiB ? ` ${kib(c.sizeKiB)}` : ""}`),
        s("title", {}, `L${c.level} cache${c.sizeKiB ? ` of ${kib(c.sizeKiB)}` : ""} shared by cores ${c.cores.join(", ")}`),
      ),
    );
  }
  const coreEls = new Map();
  for (const [id, p] of [...L.cores].sort((a, b) => a[0] - b[0])) {
    const g = s(
      "g",
      { class: "core", tabindex: coreEls.size ? -1 : 0, role: "button", "data-core": id, "aria-label": `core ${id}, package ${p.package}` },
      s("rect", { x: p.x, y: p.y, width: CORE, height: CORE, rx: 3 }),
      s("text", { x: p.cx, y: p.cy + 4, "text-anchor": "middle" }, id),
    );
    coreEls.set(id, g);
    cores.append(g);
  }
  const overlay = s("g", { class: "overlay" });
  svg.append(cores, overlay);
  container.replaceChildren(svg);

  const handlers = { enter: [], leave: [], pick: [] };
  const fire = (kind, el) => {
    const core = Number(el.dataset.core);
    for (const f of handlers[kind]) f(core);
  };
  const ids = [...coreEls.keys()];
  const move = (from, key) => {
    const i = ids.indexOf(from);
    const to = { ArrowRight: i + 1, ArrowDown: i + 1, ArrowLeft: i - 1, ArrowUp: i - 1, Home: 0, End: ids.length - 1 }[key];
    if (to === undefined || to < 0 || to >= ids.length) return;
    const el = coreEls.get(ids[to]);
    for (const other of coreEls.values()) other.setAttribute("tabindex", other === el ? "0" : "-1");
    el.focus();
  };
  for (const el of coreEls.values()) {
    el.addEventListener("mouseenter", () => fire("enter", el));
    el.addEventListener("focus", () => fire("enter", el));
    el.addEventListener("mouseleave", () => fire("leave", el));
    el.addEventListener("blur", () => fire("leave", el));
    el.addEventListener("click", () => fire("pick", el));
    el.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        fire("pick", el);
      } else if (["ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "Home", "End"].includes(e.key)) {
        e.preventDefault();
        move(Number(el.dataset.core), e.key);
      }
    });
  }
  return {
    svg,
    overlay,
    cores: coreEls,
    centre: (c) => L.cores.get(c),
    coreSize: CORE,
    onCore: (kind, f) => handlers[kind].push(f),
    /** Mark cores with a class (e.g. the tree's root, the cores busy at a moment). */
    mark(cls, set) {
      for (const [id, el] of coreEls) el.classList.toggle(cls, set.has(id));
    },
  };
}
