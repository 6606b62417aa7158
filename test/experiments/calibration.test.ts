// Tables 1 and 2 through the simulated mechanism: the lrpc and urpc
// experiments on the presets' calibrated costs reproduce every cell within 2%.
import { describe, expect, it } from "vitest";
import { PAPER_LRPC, PAPER_URPC } from "../../src/hwmodel/index.ts";
import { calibrate, presetWith, urpcCells } from "../../src/experiments/calibration.ts";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";

describe("calibration against the paper's Tables 1 and 2", async () => {
  const rows = await calibrate();

  it("has every cell", () => {
    expect(rows.filter((r) => r.table === "lrpc")).toHaveLength(Object.keys(PAPER_LRPC).length);
    expect(rows.filter((r) => r.table === "urpc")).toHaveLength(PAPER_URPC.length * 2);
  });

  it.each(rows.map((r) => [`${r.machine} ${r.pair} ${r.metric}`, r] as const))("%s within 2% of the paper", (_, r) => {
    expect(Math.abs(r.errorPct)).toBeLessThanOrEqual(2);
  });

  it("amd-8x4's three-hop pairs, which the paper does not give, come out a little above two hops by the same mechanism", async () => {
    const cells = await urpcCells(presetWith("amd-8x4"));
    const two = cells.find((c) => c.pair === "two-hop" && c.metric === "latency")!;
    expect(cells.find((c) => c.pair === "three-hop")).toBeUndefined(); // no paper figure to compare with
    const { result } = await runExperiment("urpc", presetWith("amd-8x4"), {}, inProcessSimulator(), "inproc");
    const three = (result.rows as { pair: string; latency: number }[]).find((r) => r.pair === "three-hop")!;
    expect(three.latency).toBeGreaterThan(two.model);
    expect(three.latency).toBeLessThan(two.model + 30);
  });
});

describe("Table 2 read as one-way latencies (--assume one-way)", async () => {
  const rows = await calibrate("one-way");

  it("runs on costs fitted to that reading: ump_bench's round trip is twice the figure it sets beside the table", async () => {
    const m = presetWith("amd-8x4", undefined, "one-way");
    expect(m.description.table2Latency).toBe("one-way");
    expect(m.costs.chipLeg).not.toBe(presetWith("amd-8x4").costs.chipLeg);
    const { result } = await runExperiment("urpc", m, {}, inProcessSimulator(), "inproc");
    const l3 = (result.rows as { pair: string; latency: number }[]).find((r) => r.pair === "shared-cache")!;
    // About twice the paper's 538 as a round trip, reported halved.
    expect(Math.abs(l3.latency - 538)).toBeLessThan(0.02 * 538);
  });

  it("fits less well than the round-trip reading, as the README says: within 17%, not 2%", () => {
    const worst = Math.max(...rows.map((r) => Math.abs(r.errorPct)));
    expect(worst).toBeGreaterThan(2);
    expect(worst).toBeLessThan(17);
  });
});
