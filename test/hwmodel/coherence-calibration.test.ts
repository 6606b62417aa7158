// Table 2 on the line model: Barrelfish's URPC benchmarks run on the presets'
// calibrated costs reproduce every cell within 2%.
import { describe, expect, it } from "vitest";
import { PAPER_URPC, preset, representativePair } from "../../src/hwmodel/index.ts";
import { tableTwo } from "./table-two.ts";
import { pingPong, throughput } from "./urpc-bench.ts";

describe("Table 2 through the line model", () => {
  const cells = ["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"].flatMap((m) => tableTwo(m));

  it("has every cell", () => {
    expect(cells.map((c) => `${c.machine} ${c.pair}`)).toEqual(PAPER_URPC.map((f) => `${f.machine} ${f.pair}`));
  });

  it.each(cells.map((c) => [`${c.machine} ${c.pair}`, c] as const))("%s: latency and throughput within 2%%", (_, c) => {
    expect(Math.abs(c.latencyError)).toBeLessThanOrEqual(2);
    expect(Math.abs(c.throughputError)).toBeLessThanOrEqual(2);
  });

  it("extrapolates amd-8x4's three-hop pairs by the same mechanism: a little above two hops", () => {
    const m = preset("amd-8x4")!;
    const [a, b] = representativePair(m, "three-hop")!;
    const two = cells.find((c) => c.machine === "amd-8x4" && c.pair === "two-hop")!;
    const rt = pingPong(m, a, b);
    expect(rt).toBeGreaterThan(two.latency);
    expect(rt).toBeLessThan(two.latency + 20);
    expect(throughput(m, a, b)).toBeCloseTo(two.throughput, 1);
  });
});
