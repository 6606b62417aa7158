// The demo page and /docs in a real browser, against `npm start`: what a
// visitor does, checked against what the API answers. Every wait is for a
// condition on the page (Playwright's locators wait for it), never a sleep.
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { launch, open, screenshot, type WatchedPage } from "./browser.ts";

const BASE = inject("baseUrl");
/** The bound on every wait for the page: a durable run on a loaded 2-core machine takes seconds. */
const WAIT_MS = 60_000;

/** Poll until the matcher that follows holds, for at most WAIT_MS. */
const until = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: WAIT_MS, interval: 100 });

let browser: Browser;
let watched: WatchedPage[] = [];

const api = async <T = any>(path: string): Promise<T> => {
  const res = await fetch(`${BASE}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

async function page(viewport?: { width: number; height: number }): Promise<Page> {
  const w = await open(browser, `${BASE}/`, viewport);
  watched.push(w);
  w.page.setDefaultTimeout(WAIT_MS);
  await w.page.locator("body[data-ready]").waitFor();
  return w.page;
}

async function chooseMachine(p: Page, name: string, cores: number): Promise<void> {
  await p.selectOption("#machine", name);
  await until(() => p.locator("#machine-view .core").count()).toBe(cores);
  await until(() => p.locator("#tree-caption").textContent()).toContain(`on ${name}`);
}

interface RunChoice {
  experiment: string;
  engine: "inproc" | "durable";
  cores?: string;
  only?: { param: string; values: string[] };
  numbers?: Record<string, number>;
  trace?: boolean;
}

/** Fill the run form, run, and wait for the results; the run's id. */
async function run(p: Page, choice: RunChoice): Promise<string> {
  await p.selectOption("#experiment", choice.experiment);
  if (choice.cores !== undefined) await p.fill("#cores", choice.cores);
  if (choice.only) {
    for (const box of await p.locator(`#param-${choice.only.param} input[type=checkbox]`).all()) {
      await box.setChecked(choice.only.values.includes(await box.getAttribute("value") ?? ""));
    }
  }
  for (const [name, value] of Object.entries(choice.numbers ?? {})) await p.fill(`#param-${name}`, String(value));
  await p.selectOption("#engine", choice.engine);
  await p.locator("#trace").setChecked(choice.trace ?? false);
  const before = await p.locator("#run-id").textContent();
  await p.click("#run-start");
  await until(() => p.locator("#run-id").textContent()).not.toBe(before);
  const id = (await p.locator("#run-id code").textContent())!;
  await p.locator("#run-start:not([disabled])").waitFor();
  await until(() => p.locator("#results-title").textContent()).toContain(`(${choice.engine} engine)`);
  return id;
}

beforeAll(async () => {
  browser = await launch();
});

afterEach(async () => {
  const problems = watched.flatMap((w) => w.problems);
  for (const w of watched) await w.page.context().close();
  watched = [];
  expect(problems, "console errors, failed requests and exceptions").toEqual([]);
});

afterAll(async () => {
  await browser?.close();
});

describe("the demo page", () => {
  it("loads: the machine drawn with its caches and links, its favicon, no console errors", async () => {
    const p = await page();
    await until(() => p.locator("#machine-view .core").count()).toBe(32);
    expect(await p.locator("#machine-view .link").count()).toBe((await api("/api/machines/amd-8x4")).machine.interconnect.links.length);
    expect(await p.locator("#machine-view .cache").count()).toBe(8);
    // The round trip of a pair, on hover.
    const summary = await api("/api/machines/amd-8x4");
    await p.hover('#machine-view .core[data-core="12"]');
    await until(() => p.locator("#pair-info").textContent()).toContain(`${summary.roundTrip[0][12]} cycles`);
    const icon = await p.request.get(`${BASE}/favicon.ico`);
    expect(icon.status()).toBe(200);
    expect(icon.headers()["content-type"]).toMatch(/^image\//);
    await screenshot(p, "desktop");
  });

  it("keeps the machine picked when the experiment changes, and runs on it", async () => {
    const p = await page();
    await chooseMachine(p, "amd-4x4", 16);
    await p.selectOption("#experiment", "shootdown");
    await p.selectOption("#experiment", "unmap");
    expect(await p.inputValue("#machine")).toBe("amd-4x4");
    await until(() => p.locator("#run-machine").textContent()).toContain("Runs on amd-4x4");
    await run(p, { experiment: "lrpc", engine: "inproc" });
    expect(await p.locator("#results-title").textContent()).toBe("lrpc on amd-4x4 (inproc engine)");
    expect(await p.inputValue("#machine")).toBe("amd-4x4");
  });

  it("shows the API's errors at their fields", async () => {
    const p = await page();
    await p.selectOption("#experiment", "shootdown");
    await p.fill("#cores", "2, 64");
    await p.click("#run-start");
    // amd-8x4 has 32 cores: the server says so, under the field.
    await until(() => p.locator("#cores-error").textContent()).toMatch(/32 cores, not 64/);
    expect(await p.getAttribute("#cores", "aria-invalid")).toBe("true");
    await until(() => p.evaluate("document.activeElement.id")).toBe("cores");
    // A description the server refuses: the reason under the text area.
    await p.click("#custom summary");
    await p.fill("#description", JSON.stringify({ name: "bad", clockGHz: 2, packages: [], interconnect: { type: "fsb" } }));
    await p.click("#check-description");
    await until(() => p.locator("#description-error").textContent()).toContain("packages");
    expect(await p.getAttribute("#description", "aria-invalid")).toBe("true");
    // Fixed, it is drawn, and the tree is the SKB's for it.
    await p.fill("#description", JSON.stringify({ name: "pair", clockGHz: 2, packages: [{ id: 0, dies: [{ id: 0, cores: [0, 1] }] }], interconnect: { type: "fsb" } }));
    await p.click("#check-description");
    await until(() => p.locator("#machine-view .core").count()).toBe(2);
    await until(() => p.locator("#description-error").textContent()).toBe("");
    await until(() => p.locator("#tree-caption").textContent()).toContain("on pair");
  });

  it("draws the numa-multicast tree from core 0, edge for edge the SKB's", async () => {
    const p = await page();
    await chooseMachine(p, "amd-8x4", 32);
    await p.selectOption("#tree-kind", "radix");
    await until(() => p.locator("#tree-caption").textContent()).toContain("radix");
    await p.selectOption("#tree-kind", "numa-multicast");
    // By keyboard: the cores are one Tab stop; an arrow moves to the next core, Enter makes it the root.
    await p.focus('#tree-view .core[data-core="0"]');
    await p.keyboard.press("ArrowRight");
    await p.keyboard.press("Enter");
    await until(() => p.inputValue("#tree-root")).toBe("1");
    await until(() => p.locator("#tree-caption").textContent()).toContain("from core 1 on amd-8x4");
    await p.selectOption("#tree-root", "0");
    await until(() => p.locator("#tree-caption").textContent()).toContain("numa-multicast from core 0 on amd-8x4");
    const drawn = await p.locator("#tree-view .edge").evaluateAll((els) => els.map((e) => `${e.getAttribute("data-from")}>${e.getAttribute("data-to")}#${e.getAttribute("data-order")}`));
    const tree = await api<{ edges: { from: number; to: number; order: number }[] }>("/api/skb/routes?machine=amd-8x4&kind=numa-multicast&root=0");
    expect(drawn.sort()).toEqual(tree.edges.map((e) => `${e.from}>${e.to}#${e.order}`).sort());
    expect(tree.edges.length).toBe(31);
    // The same tree as Graphviz lays out the SKB's DOT.
    await p.click("#tree-dot summary");
    await p.locator("#tree-graphviz svg").waitFor();
    const laid = await p.locator("#tree-graphviz g.edge title").allTextContents();
    expect(laid.map((t) => t.replace(/c(\d+)->c(\d+)/, "$1>$2")).sort()).toEqual(tree.edges.map((e) => `${e.from}>${e.to}`).sort());
    await screenshot(p, "tree");
  });

  it("runs shootdown on both engines: the same numbers, charted beside the paper's", async () => {
    const p = await page();
    await chooseMachine(p, "amd-8x4", 32);
    const { experiments } = await api("/api/experiments");
    const paper = experiments.find((e: { name: string }) => e.name === "shootdown").paper.points.filter((x: { series: string }) => x.series === "numa-multicast");
    expect(paper.some((x: { cores: number }) => x.cores === 2)).toBe(true);
    const series: unknown[] = [];
    for (const engine of ["inproc", "durable"] as const) {
      const id = await run(p, { experiment: "shootdown", engine, cores: "2, 4", only: { param: "protocols", values: ["numa-multicast"] }, numbers: { reps: 1 }, trace: true });
      const status = await api(`/api/runs/${id}`);
      expect(status.status).toBe("done");
      expect(status.engine).toBe(engine);
      series.push(status.result.series);
      // Our line, and the paper's points for the series run (Figure 6).
      await p.locator("#results-chart svg .simulated path").first().waitFor();
      expect(await p.locator("#results-chart svg .paper path").count()).toBe(paper.filter((x: { cores: number }) => x.cores === 2 || x.cores === 4).length);
      const cells = await p.locator("#results table").first().locator("td").allTextContents();
      const points = status.result.series[0].points as { cores: number; cycles: number }[];
      expect(cells[0]).toBe("numa-multicast");
      expect(cells[1]).toContain(points[0].cycles.toLocaleString("en"));
      expect(cells[1]).toContain("paper");
    }
    expect(series[1]).toEqual(series[0]);
    await screenshot(p, "results");
  });

  it("replays the traced durable run and shows a core's state at a moment", async () => {
    const p = await page();
    await chooseMachine(p, "amd-8x4", 32);
    const id = await run(p, { experiment: "shootdown", engine: "durable", cores: "4", only: { param: "protocols", values: ["numa-multicast"] }, numbers: { reps: 1 }, trace: true });
    await p.getByRole("button", { name: "replay numa-multicast, 4 cores" }).click();
    await until(() => p.locator("#replay-load").textContent()).toContain("messages");
    const end = Number(await p.getAttribute("#replay-time", "max"));
    expect(end).toBeGreaterThan(0);
    // Play moves the clock; pause stops it.
    await p.click("#replay-play");
    await until(() => p.inputValue("#replay-time")).not.toBe("0");
    await p.click("#replay-play");
    expect(await p.getAttribute("#replay-play", "aria-pressed")).toBe("false");
    // Scrub to the middle, as a drag of the slider does, then pick core 1.
    const at = Math.round(end / 2);
    await p.fill("#replay-time", String(at));
    await until(() => p.locator("#replay-clock").textContent()).toContain(`${at.toLocaleString("en")} of`);
    await p.click('#replay-view .core[data-core="1"]');
    const state = p.locator('#replay-core dl.state[data-core="1"]');
    await state.waitFor();
    expect(await state.getAttribute("data-at")).toBe(String(at));
    // What the page shows is what the API answers for that moment...
    const core = await api(`/api/runs/${id}/cores/1?simulation=0&at=${at}`);
    expect(await state.locator('[data-key="clock"]').textContent()).toBe(`${core.clock.toLocaleString("en")} cycles${core.clock > at ? ", busy until then" : ""}`);
    expect(await state.locator('[data-key="events"]').textContent()).toContain(`${core.events.toLocaleString("en")} events`);
    // ...and the events it has handled are those the trace records starting before the moment.
    const trace = await api(`/api/runs/${id}/trace?simulation=0`);
    const handled = trace.traceEvents.filter(
      (e: { ph: string; tid: number; args?: { start?: number; seq?: number } }) =>
        e.ph === "X" && e.args?.seq !== undefined && (e.tid === 1 || e.tid === 100_001) && e.args.start! < at,
    ).length;
    expect(core.events).toBe(handled);
    expect(core.events).toBeGreaterThan(0);
    await screenshot(p, "replay");
  });

  it("cancels a run and keeps what it finished: charted, tabled, the rest named missing", async () => {
    const p = await page();
    await chooseMachine(p, "amd-8x4", 32);
    await p.selectOption("#experiment", "shootdown");
    // A short simulation, then a long one (millions of events): the cancel lands in the second, and the second series has no simulation done.
    // In-process: 5,000 shootdowns on two cores end in moments there, and would take a minute or more on the durable engine.
    await p.fill("#cores", "2, 32");
    for (const box of await p.locator("#param-protocols input[type=checkbox]").all()) await box.setChecked(["unicast", "numa-multicast"].includes((await box.getAttribute("value"))!));
    await p.fill("#param-reps", "5000");
    await p.selectOption("#engine", "inproc");
    await p.click("#run-start");
    await p.locator("#run-simulations .sim.done").first().waitFor();
    await p.click("#run-cancel");
    await until(() => p.locator("#results-state").textContent()).toContain("was cancelled");
    const id = (await p.locator("#run-id code").textContent())!;
    const status = await api(`/api/runs/${id}`);
    expect(status.status).toBe("cancelled");
    expect(status.simulations.map((x: { state: string }) => x.state)).toEqual(["done", "cancelled", "pending", "pending"]);
    // The finished simulation's point is charted and tabled; the others are named missing.
    expect(status.result.series[0].points.map((x: { cores: number }) => x.cores)).toEqual([2]);
    expect(status.result.series[1].points).toEqual([]);
    await p.locator("#results-chart svg .simulated circle").first().waitFor();
    expect(await p.locator("#results-chart svg .simulated circle").count()).toBe(1);
    const cells = await p.locator("#results table").first().locator("td").allTextContents();
    expect(cells).toEqual(["unicast", status.result.series[0].points[0].cycles.toLocaleString("en"), "numa-multicast", ""]);
    const missing = await p.locator("#results-missing").textContent();
    expect(missing).toContain("unicast, 32 cores (cancelled)");
    expect(missing).toContain("numa-multicast, 2 cores (pending)");
    const listed = await p.locator("#results .simulations li").allTextContents();
    expect(listed.filter((t) => t.endsWith(": done"))).toEqual(["unicast, 2 cores: done"]);
    await screenshot(p, "cancelled");
  });

  it("shows a run waiting in the queue, with its place, until the run ahead ends", async () => {
    const p = await page();
    await chooseMachine(p, "amd-8x4", 32);
    // The e2e server runs one run at a time (test/e2e/server.ts): a long run started through the API holds it.
    const ahead = await fetch(`${BASE}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ experiment: "shootdown", machine: "amd-8x4", cores: [32], params: { protocols: ["unicast"], reps: 5000 }, engine: "inproc" }),
    }).then((r) => r.json() as Promise<{ id: string; status: string }>);
    expect(ahead.status).toBe("running");
    await p.selectOption("#experiment", "lrpc");
    await p.selectOption("#engine", "inproc");
    await p.click("#run-start");
    await until(() => p.locator("#run-status").textContent()).toMatch(/^queued \(place 1 in the queue\)/);
    await screenshot(p, "queued");
    expect((await fetch(`${BASE}/api/runs/${ahead.id}`, { method: "DELETE" })).status).toBe(200);
    await until(() => p.locator("#results-title").textContent()).toBe("lrpc on amd-8x4 (inproc engine)");
    expect(await p.locator("#results-state").textContent()).toBe("");
  });

  it("fits a phone's width (390 px) without scrolling sideways", async () => {
    const p = await page({ width: 390, height: 844 });
    const fits = () => p.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth");
    expect(await fits()).toBe(true);
    await p.click("#custom summary");
    await p.click("#tree-dot summary");
    await p.locator("#tree-graphviz svg").waitFor();
    await run(p, { experiment: "urpc", engine: "inproc", numbers: { stream: 64 } });
    await p.locator('#results-chart svg[role="img"]').waitFor();
    expect(await fits()).toBe(true);
    await screenshot(p, "phone");
  });
});

describe("/docs", () => {
  it("is interactive, with an example for every request body, that Try it out sends", async () => {
    const w = await open(browser, `${BASE}/docs`);
    watched.push(w);
    const p = w.page;
    p.setDefaultTimeout(WAIT_MS);
    const doc = await api("/openapi.json");
    const ops = Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown }> } }>>).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method, op })),
    );
    await until(() => p.locator(".opblock").count()).toBe(ops.length);
    const bodies = ops.filter((o) => o.op.requestBody);
    expect(bodies.length).toBeGreaterThan(0);
    for (const { path, method, op } of bodies) {
      const example = op.requestBody!.content["application/json"].example;
      expect(example, `${method} ${path}`).toBeDefined();
      const block = p.locator(`.opblock-${method}`).filter({ has: p.locator(`[data-path="${path}"]`) });
      await block.locator(".opblock-summary-control").click();
      // The example value Swagger UI shows is the document's example.
      const shown = await block.locator(".body-param__example, .example").first().textContent();
      expect(JSON.parse(shown!)).toEqual(example);
    }
    // Try it out: the validate example is sent and the server answers 200.
    const validate = p.locator(".opblock-post").filter({ has: p.locator('[data-path="/api/machines/validate"]') });
    await validate.locator(".try-out__btn").click();
    await validate.locator(".execute").click();
    await until(() => validate.locator(".live-responses-table tbody .response-col_status").first().textContent()).toContain("200");
    await screenshot(p, "docs");
  });
});
