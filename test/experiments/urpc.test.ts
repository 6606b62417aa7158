import { describe, expect, it } from "vitest";
import { inProcessSimulator, runExperiment } from "../../src/experiments/index.ts";
import { PAPER_LRPC, PAPER_URPC, preset } from "../../src/hwmodel/index.ts";

const within = (model: number, paper: number, pct: number) => Math.abs(model - paper) / paper <= pct / 100;

describe("the simulated URPC and LRPC mechanisms reproduce Tables 1 and 2", () => {
  for (const name of ["intel-2x4", "amd-2x2", "amd-4x4", "amd-8x4"]) {
    it(`urpc on ${name}: every pair class within 2% of the paper`, async () => {
      const { result } = await runExperiment("urpc", preset(name)!, {}, inProcessSimulator(), "inproc");
      const rows = result.rows as { pair: string; latency: number; throughput: number }[];
      const paper = PAPER_URPC.filter((f) => f.machine === name);
      for (const f of paper) {
        const row = rows.find((r) => r.pair === f.pair)!;
        expect(within(row.latency, f.latency, 2), `${f.pair} latency ${row.latency} vs ${f.latency}`).toBe(true);
        expect(within(row.throughput, f.throughput, 2), `${f.pair} throughput ${row.throughput} vs ${f.throughput}`).toBe(true);
      }
      expect(rows.map((r) => r.pair)).toEqual(expect.arrayContaining(paper.map((f) => f.pair)));
    });

    it(`lrpc on ${name}: within 2% of Table 1`, async () => {
      const { result } = await runExperiment("lrpc", preset(name)!, {}, inProcessSimulator(), "inproc");
      const [row] = result.rows as { latency: number }[];
      expect(within(row.latency, PAPER_LRPC[name], 2)).toBe(true);
    });
  }

  it("amd-8x4 also has a three-hop pair, extrapolated", async () => {
    const { result } = await runExperiment("urpc", preset("amd-8x4")!, {}, inProcessSimulator(), "inproc");
    const rows = result.rows as { pair: string; cores: number[]; latency: number }[];
    const two = rows.find((r) => r.pair === "two-hop")!;
    const three = rows.find((r) => r.pair === "three-hop")!;
    expect(three.cores).toEqual([8, 28]);
    expect(three.latency).toBeGreaterThan(two.latency);
  });
});
