import { describe, expect, it } from "vitest";
import { BLOCK_AND_WAKE, CostModel, Machine, POLL_BUDGET, preset, presetDescription } from "../../src/hwmodel/index.ts";

const amd84 = new CostModel(preset("amd-8x4")!);

describe("cost model", () => {
  it("a line costs more the further it moves", () => {
    expect(amd84.line(0, 1)).toBeLessThan(amd84.line(0, 4));
    expect(amd84.line(0, 4)).toBeLessThan(amd84.line(0, 8));
    expect(amd84.line(8, 28)).toBeGreaterThan(amd84.line(0, 8));
    expect(amd84.line(3, 3)).toBe(0);
  });

  it("extrapolates three hops linearly from one and two", () => {
    const c = preset("amd-8x4")!.costs;
    expect(amd84.line(8, 28) - amd84.line(0, 8)).toBeCloseTo(amd84.line(0, 8) - amd84.line(0, 4));
    expect(amd84.line(8, 28)).toBeCloseTo(c.lineRemote + 2 * c.lineHop);
  });

  it("a URPC message is two line transfers plus the send and receive paths", () => {
    for (const [a, b] of [[0, 1], [0, 4], [0, 8]]) {
      expect(amd84.urpcOneWay(a, b)).toBe(amd84.urpcSend(a, b) + amd84.urpcWire(a, b) + amd84.urpcReceive());
      expect(Math.abs(amd84.urpcOneWay(a, b) - (2 * amd84.line(a, b) + 40))).toBeLessThanOrEqual(1);
      expect(amd84.urpcRoundTrip(a, b)).toBe(amd84.urpcOneWay(a, b) + amd84.urpcOneWay(b, a));
    }
  });

  it("the lookahead is the smallest transfer between two cores", () => {
    expect(amd84.minLine()).toBe(Math.round(preset("amd-8x4")!.costs.lineShared));
    expect(new CostModel(preset("amd-2x2")!).minLine()).toBe(Math.round(preset("amd-2x2")!.costs.linePackage));
  });

  it("a measured matrix stands in for the derived latencies, converted from ns", () => {
    const d = presetDescription("amd-2x2")!;
    const values = [[0, 40, 60, 60], [40, 0, 60, 60], [60, 60, 0, 40], [60, 60, 40, 0]];
    const c = new CostModel(Machine.from({ ...d, latencyMatrix: { unit: "ns", values } }));
    expect(c.line(0, 1)).toBeCloseTo(40 * 2.8);
    expect(c.line(1, 3)).toBeCloseTo(60 * 2.8);
    expect(c.minLine()).toBe(112);
  });

  it("a polling receiver blocks after its budget, and waking it costs an IPI round", () => {
    expect(amd84.pollingWait(500)).toEqual({ polled: 500, added: 0 });
    expect(amd84.pollingWait(POLL_BUDGET)).toEqual({ polled: POLL_BUDGET, added: 0 });
    expect(amd84.pollingWait(POLL_BUDGET + 1)).toEqual({ polled: POLL_BUDGET, added: BLOCK_AND_WAKE });
  });

  it("LRPC, IPI and TLB costs", () => {
    expect(amd84.lrpc()).toBe(1549);
    expect(amd84.ipiTrap()).toBe(800);
    expect(amd84.tlbInvalidate()).toBeGreaterThanOrEqual(95);
    expect(amd84.tlbInvalidate()).toBeLessThanOrEqual(320);
  });

  it("contention on shared lines grows with cores and with lines", () => {
    const c = new CostModel(preset("amd-4x4")!);
    const cores = (n: number) => Array.from({ length: n }, (_, i) => i);
    for (const k of [1, 2, 4, 8]) {
      for (let n = 2; n < 16; n++) expect(c.sharedUpdate(cores(n + 1), k)).toBeGreaterThan(c.sharedUpdate(cores(n), k));
    }
    expect(c.sharedUpdate(cores(8), 8)).toBeGreaterThan(c.sharedUpdate(cores(8), 1));
    expect(c.sharedUpdate([5], 4)).toBe(4 * 30);
  });
});
