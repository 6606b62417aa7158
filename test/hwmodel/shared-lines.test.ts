// The shared-memory patterns beyond Table 2 come out of the line model's
// serialisation, not from a formula: a broadcast line costs its readers one
// transaction after another, and contended updates grow with cores and lines.
import { describe, expect, it } from "vitest";
import { preset } from "../../src/hwmodel/index.ts";
import { broadcastLine, sharedUpdates } from "./shared-lines.ts";

const first = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("shared lines on the calibrated machines", () => {
  it("a broadcast line reaches its readers one after another: the last waits for all the others", () => {
    const m = preset("amd-8x4")!;
    const r = broadcastLine(m, 0, first(32).slice(1));
    expect(r).toHaveLength(31);
    for (let i = 1; i < r.length; i++) expect(r[i].at).toBeGreaterThan(r[i - 1].at);
    // Each reader's transaction holds the line for a broadcast round: the spread is linear.
    const per = (r[30].at - r[0].at) / 30;
    expect(Math.abs(r[15].at - r[0].at - 15 * per)).toBeLessThan(per);
    expect(broadcastLine(m, 0, first(16).slice(1)).at(-1)!.at).toBeLessThan(r[30].at);
  });

  it("updating the same lines from more cores, or more lines, costs more per update", () => {
    const m = preset("amd-4x4")!;
    const cost = (n: number, k: number) => sharedUpdates(m, first(n), k).cyclesPerUpdate;
    for (const k of [1, 8]) for (const n of [2, 4, 8]) expect(cost(2 * n, k)).toBeGreaterThan(cost(n, k));
    expect(cost(16, 8)).toBeGreaterThan(cost(16, 1) * 4);
    // One core alone owns its lines after the first round: no transactions.
    expect(cost(1, 4)).toBe(0);
  });

  it("reports the hottest lines with their queueing", () => {
    const { hottest } = sharedUpdates(preset("amd-4x4")!, first(16), 8);
    expect(hottest).toHaveLength(3);
    for (const l of hottest) {
      expect(l.transactions).toBeGreaterThan(100);
      expect(l.meanWait).toBeGreaterThan(0);
      expect(l.maxWait).toBeGreaterThanOrEqual(l.meanWait);
    }
  });
});
