// Per-core horizons change how a run is cut into windows, never the run: every
// experiment, every variant of it, on every preset gives the results, hash
// and trace the global window gives, in fewer windows.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { simulateInProcess } from "../../src/engine/index.ts";
import { EXPERIMENTS, lagsOf } from "../../src/experiments/index.ts";
import { interconnectOf, preset, PRESET_NAMES, syntheticMachine, type Machine } from "../../src/hwmodel/index.ts";

/** Every variant of each experiment (its defaults), few repetitions; sweeps at 2 cores, 8 and the whole machine. */
function paramsFor(experiment: string, cores: number): Record<string, unknown> {
  const sweep = { cores: [...new Set([2, Math.min(8, cores), cores])] };
  switch (experiment) {
    case "urpc":
      return { warmup: 1, iterations: 4, stream: 64, queue: 8 };
    case "lrpc":
      return { calls: 4 };
    case "shared-update":
      return { ...sweep, updates: 3 };
    case "sharing":
      return { ...sweep, reads: 50, ops: 4, warmup: 1 };
    default:
      return { ...sweep, reps: 2 };
  }
}

const digest = (x: unknown): string => createHash("sha256").update(JSON.stringify(x)).digest("hex");

// Each case runs its plan twice with traces: up to a minute on a busy 2-core machine.
describe("per-core horizons give the global window's runs", { timeout: 60_000 }, () => {
  it.each(PRESET_NAMES.flatMap((m) => EXPERIMENTS.names.map((e) => [e, m])))("%s on %s", (name, machine) => same(name, preset(machine)!));
  // Probe filters, many packages, a 2D mesh.
  it.each(["shootdown", "unmap", "shared-update"])("%s on a synthetic 64-core machine", (name) => same(name, syntheticMachine(64)));
});

/** The experiment's plan on `m` under both rules: the same runs, and no more windows with horizons. */
async function same(name: string, m: Machine): Promise<void> {
  const e = EXPERIMENTS.byName(name)!;
  const specs = await e.plan(m, e.params.parse(paramsFor(name, m.numCores)));
  let global = 0;
  let horizons = 0;
  for (const spec of specs) {
    const system = EXPERIMENTS.systemFor(spec);
    const g = await simulateInProcess(system, { windows: "global", trace: true });
    const h = await simulateInProcess(system, { windows: "horizons", trace: true });
    expect(h.hash).toBe(g.hash);
    expect(h.cores).toEqual(g.cores);
    expect(digest(h.trace)).toBe(digest(g.trace));
    expect({ ...h.stats, windows: 0, wallMs: 0 }).toEqual({ ...g.stats, windows: 0, wallMs: 0 });
    global += g.stats.windows;
    horizons += h.stats.windows;
  }
  expect(horizons).toBeLessThanOrEqual(global);
}

describe("a kernel system's lookahead", () => {
  it("splits each package into its home core and the rest: requests go to a home, answers come from one, IPIs only on IPI kernels", () => {
    const m = preset("amd-4x4")!;
    const net = interconnectOf(m);
    const t = lagsOf(m, 8, false);
    // Cores 0 and 4 are the homes of packages 0 and 1.
    expect(t.group).toEqual([0, 1, 1, 1, 2, 3, 3, 3]);
    const lag = (a: number, b: number) => t.between[t.group[a] * t.groups + t.group[b]];
    expect(lag(1, 0)).toBe(net.lags(0, 0).request);
    expect(lag(0, 1)).toBe(net.lags(0, 0).answer);
    expect(lag(5, 0)).toBe(net.lags(1, 0).request);
    expect(lag(0, 4)).toBe(Math.min(net.lags(0, 1).request, net.lags(0, 1).answer));
    expect(lag(1, 2)).toBeNull();
    expect(lag(1, 5)).toBeNull();
    const ipis = lagsOf(m, 8, true);
    expect(ipis.between[ipis.group[1] * ipis.groups + ipis.group[5]]).toBe(net.lags(0, 1).ipi);
    // On the front-side bus core 0 is every line's home.
    expect(lagsOf(preset("intel-2x4")!, 8, false).group).toEqual([0, 1, 1, 1, 3, 3, 3, 3]);
  });
});
