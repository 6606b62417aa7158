import { describe, expect, it } from "vitest";
import { BLOCK_AND_WAKE, CostModel, interconnectOf, Machine, POLL_BUDGET, preset, presetDescription, URPC_RECEIVE, URPC_SEND } from "../../src/hwmodel/index.ts";

const amd84 = new CostModel(preset("amd-8x4")!);

describe("cost model", () => {
  it("an idle round trip grows with the distance between the cores, and is symmetric in the package pair", () => {
    expect(amd84.roundTrip(3, 3)).toBe(0);
    expect(amd84.roundTrip(0, 1)).toBeLessThan(amd84.roundTrip(0, 4));
    expect(amd84.roundTrip(0, 4)).toBeLessThan(amd84.roundTrip(0, 8));
    expect(amd84.roundTrip(0, 8)).toBeLessThan(amd84.roundTrip(8, 28));
    // Cores of one package are alike: the cache is by package pair.
    expect(amd84.roundTrip(1, 5)).toBe(amd84.roundTrip(0, 4));
  });

  it("a round trip is two writes and two reads on the line model, with the send and receive paths", () => {
    // Each one-way message: the sender's work, its write's invalidation reaching the reader, the reader's read.
    const m = preset("amd-8x4")!;
    const t = interconnectOf(m).t;
    const rt = amd84.roundTrip(0, 1);
    expect(rt).toBeGreaterThan(2 * (URPC_SEND + URPC_RECEIVE) + 4 * (2 * t.chip + t.probe));
    expect(rt).toBeLessThan(2000);
  });

  it("a measured matrix gives the round trips: two line transfers each way, and the send and receive paths", () => {
    const d = presetDescription("amd-2x2")!;
    const values = [[0, 40, 60, 60], [40, 0, 60, 60], [60, 60, 0, 40], [60, 60, 40, 0]];
    const c = new CostModel(Machine.from({ ...d, latencyMatrix: { unit: "ns", values } }));
    expect(c.roundTrip(0, 1)).toBe(Math.round(2 * (URPC_SEND + URPC_RECEIVE) + 4 * 40 * 2.8));
    expect(c.roundTrip(1, 3)).toBe(Math.round(2 * (URPC_SEND + URPC_RECEIVE) + 4 * 60 * 2.8));
  });

  it("an IPI crosses the interconnect like a request: farther packages take longer", () => {
    expect(amd84.ipiWire(0, 1)).toBeLessThan(amd84.ipiWire(0, 4));
    expect(amd84.ipiWire(0, 8)).toBeLessThan(amd84.ipiWire(8, 28));
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
});
