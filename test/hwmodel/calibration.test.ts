import { describe, expect, it } from "vitest";
import { calibrate, PAPER_LRPC, PAPER_URPC } from "../../src/hwmodel/index.ts";

describe("calibration against the paper's Tables 1 and 2", () => {
  const rows = calibrate();

  it("has every cell", () => {
    expect(rows.filter((r) => r.table === "lrpc")).toHaveLength(Object.keys(PAPER_LRPC).length);
    expect(rows.filter((r) => r.table === "urpc")).toHaveLength(PAPER_URPC.length * 2);
  });

  it("every cell within 2% of the paper", () => {
    for (const r of rows) expect(Math.abs(r.errorPct), `${r.machine} ${r.pair} ${r.metric}`).toBeLessThanOrEqual(2);
  });
});
