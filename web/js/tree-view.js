// The SKB's routing tree over the machine: a kind and a root, the tree the
// server's Prolog rules compute (POST /api/skb/routes), drawn as arrows
// between cores with each sender's send order numbered; and, on request, the
// same tree as Graphviz lays out the SKB's DOT (@viz-js/viz, loaded then).
import { post } from "./api.js";
import { $, h, s, num, download, showIssues, clearIssues } from "./dom.js";
import { drawMachine } from "./machine-view.js";

let viz = null; // Graphviz, once loaded

/** A send-order badge's radius. */
const BADGE_RADIUS = 6.5;

/**
 * Where along a bowed arrow (0 its tail, 1 its head) its badge may go, in
 * order of preference: past its middle, towards its head (arrows leaving one
 * core along one line part there, and their middles fall on the cores
 * between), else the first place clear of the badges placed before it.
 */
const BADGE_AT = [0.7, 0.6, 0.8, 0.5, 0.9, 0.4, 0.3];

/**
 * An arrow from the edge of core a's box to the edge of b's: straight between
 * neighbours, bowed to the left of its direction when long, the more the
 * longer (so that the arrows fanning out of one core stay apart); and where
 * its badge may go: along a bowed one (at t from 0 to 1), or beside the middle
 * of a straight one, which is short enough for the badge to hide it.
 */
function arrow(view, a, b) {
  const p = view.centre(a);
  const q = view.centre(b);
  const dx = q.cx - p.cx;
  const dy = q.cy - p.cy;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const r = view.coreSize / 2 / Math.max(Math.abs(ux), Math.abs(uy)) + 1;
  const x1 = p.cx + ux * r;
  const y1 = p.cy + uy * r;
  const x2 = q.cx - ux * r;
  const y2 = q.cy - uy * r;
  // The longer the arrow, the deeper its bow: arrows from one core to cores further along the same line part.
  const bow = len < 3 * view.coreSize ? 0 : Math.min(120, len * 0.12);
  const cx = (x1 + x2) / 2 + uy * bow;
  const cy = (y1 + y2) / 2 - ux * bow;
  const aside = bow ? 0 : BADGE_RADIUS + 3;
  const badge = (t) => {
    const at = (a, c, b) => (1 - t) ** 2 * a + 2 * t * (1 - t) * c + t ** 2 * b;
    return { x: at(x1, cx, x2) + uy * aside, y: at(y1, cy, y2) - ux * aside };
  };
  return { d: `M${x1},${y1} Q${cx},${cy} ${x2},${y2}`, badges: bow ? BADGE_AT.map(badge) : [badge(0.5)] };
}

/** Each arrow's badge: a straight arrow's beside its middle; a bowed one's at its first place clear of those placed already (BADGE_AT). */
function placeBadges(arrows) {
  const placed = [];
  const clear = (b) => placed.every((q) => Math.hypot(q.x - b.x, q.y - b.y) >= 2 * BADGE_RADIUS + 1);
  const place = (a) => placed.push((a.badge = a.badges.find(clear) ?? a.badges[0]));
  arrows.filter((a) => a.badges.length === 1).forEach(place);
  arrows.filter((a) => a.badges.length > 1).forEach(place);
}

export function treeSection({ machineRef, routeKinds }) {
  const kind = $("tree-kind");
  const root = $("tree-root");
  const fanout = $("tree-fanout");
  const general = $("tree-error");
  const fields = { kind, root, fanout };
  kind.replaceChildren(...routeKinds.map((k) => h("option", { value: k, selected: k === "numa-multicast" }, k)));
  let view = null;
  let summary = null;
  let current = null; // the tree drawn
  let seq = 0;

  const args = () => ({ ...machineRef(), kind: kind.value, root: Number(root.value), ...(kind.value === "radix" && fanout.value !== "" ? { fanout: Number(fanout.value) } : {}) });

  async function draw() {
    if (!summary) return;
    $("tree-fanout-field").hidden = kind.value !== "radix";
    const mine = ++seq;
    try {
      const tree = await post("/api/skb/routes", args());
      if (mine !== seq) return;
      clearIssues(fields, general);
      current = tree;
      overlay(tree);
      if ($("tree-dot").open) await graphviz();
    } catch (e) {
      if (mine !== seq) return;
      if (!e.issues) throw e;
      showIssues(e.issues, fields, general);
    }
  }

  function overlay(tree) {
    const layer = view.overlay;
    layer.replaceChildren();
    const edges = s("g", { class: "tree" });
    const badges = s("g", { class: "badges" });
    const arrows = tree.edges.map((e) => arrow(view, e.from, e.to));
    placeBadges(arrows);
    tree.edges.forEach((e, i) => {
      const a = arrows[i];
      const title = `core ${e.from} → core ${e.to}: core ${e.from}'s send ${e.order + 1}, round trip ${num(e.cost)} cycles, buffer in core ${e.bufferAt}'s memory${e.shared ? ", the one shared channel" : ""}`;
      edges.append(
        s(
          "path",
          { d: a.d, class: e.shared ? "edge shared" : "edge", "marker-end": "url(#arrowhead)", "data-from": e.from, "data-to": e.to, "data-order": e.order },
          s("title", {}, title),
        ),
      );
      const { x, y } = a.badge;
      badges.append(s("g", { class: "badge" }, s("circle", { cx: x, cy: y, r: BADGE_RADIUS }), s("text", { x, y: y + 3, "text-anchor": "middle" }, e.order + 1), s("title", {}, title)));
    });
    layer.append(
      s("defs", {}, s("marker", { id: "arrowhead", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" }, s("path", { d: "M0,0 L10,5 L0,10 z" }))),
      edges,
      badges,
    );
    view.mark("root", new Set([tree.root]));
    view.mark("reached", new Set(tree.edges.map((e) => e.to)));
    const senders = new Map();
    for (const e of tree.edges) senders.set(e.from, [...(senders.get(e.from) ?? []), e]);
    $("tree-caption").textContent = `${tree.kind}${tree.fanout ? ` (fan-out ${tree.fanout})` : ""} from core ${tree.root} on ${tree.machine}: ${tree.edges.length} edges, ${senders.size} cores send. The number on each arrow is the sender's send order: 1 goes first.`;
    $("tree-edges").replaceChildren(
      ...[...senders].map(([from, es]) =>
        h("li", {}, `core ${from} sends to `, es.sort((x, y) => x.order - y.order).map((e, i) => `${i ? ", then " : ""}core ${e.to} (${num(e.cost)} cycles)`).join("")),
      ),
    );
  }

  async function graphviz() {
    const dot = await post("/api/skb/routes", { ...args(), format: "dot" });
    if (!viz) viz = await (await import("/vendor/viz.js")).instance();
    const svg = viz.renderSVGElement(dot);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", `Graphviz layout of the ${current.kind} tree from core ${current.root}`);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    $("tree-graphviz").replaceChildren(svg);
    $("tree-dot-download").onclick = () => download(`${current.machine}-${current.kind}-${current.root}.dot`, dot, "text/vnd.graphviz");
  }

  kind.addEventListener("change", draw);
  root.addEventListener("change", draw);
  fanout.addEventListener("change", draw);
  $("tree-dot").addEventListener("toggle", () => {
    if ($("tree-dot").open && current) graphviz().catch((e) => (general.textContent = e.message));
  });

  return {
    /** A new machine: its view, its cores as roots. */
    setMachine(m) {
      summary = m;
      const keep = root.value !== "" && Number(root.value) < m.cores ? root.value : "0";
      root.replaceChildren(...Array.from({ length: m.cores }, (_, c) => h("option", { value: c }, `core ${c}`)));
      root.value = keep;
      view = drawMachine($("tree-view"), m, { label: `${m.machine.name} with the routing tree` });
      view.onCore("pick", (c) => {
        root.value = String(c);
        draw();
      });
      return draw();
    },
  };
}
