import { describe, expect, it } from "vitest";
import { interconnectOf } from "../../src/hwmodel/interconnect.ts";
import { preset } from "../../src/hwmodel/index.ts";

describe("interconnect", () => {
  const net = interconnectOf(preset("amd-8x4")!);

  it("routes along shortest paths, ties to the lowest-numbered next package", () => {
    const path = (a: number, b: number) => {
      const out = [a];
      while (out[out.length - 1] !== b) out.push(net.nextHop(out[out.length - 1], b));
      return out;
    };
    // 7 to 2 is three hops: 7-0-1-2 and 7-6-1-2 tie at the first step; 0 is lower.
    expect(path(7, 2)).toEqual([7, 0, 1, 2]);
    expect(path(0, 5)).toEqual([0, 4, 5]);
  });

  it("broadcasts probes along a breadth-first tree that reaches every package once", () => {
    const { order, parent } = net.broadcastTree(7);
    expect([...order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(parent[7]).toBe(-1);
    for (const p of order.slice(1)) expect(net.hops(7, parent[p]) + 1).toBe(net.hops(7, p));
  });

  it("a packet pays its serialisation once, and waits for a busy link", () => {
    const { hop, occupancy } = net.t;
    // 4 GB/s at 2 GHz: 2 bytes a cycle, so a 68-byte data packet holds a link 34 cycles.
    expect(occupancy).toEqual({ request: 4, probe: 4, response: 2, data: 34 });
    expect(net.path(7, 2, "data")).toBe(3 * hop + 34);
    const links = new Map<number, number>();
    expect(net.send(links, 7, 2, 100, "data")).toBe(100 + 3 * hop + 34);
    // The same route right after: the first link is busy until 134.
    expect(net.send(links, 7, 2, 100, "response")).toBe(134 + 3 * hop + 2);
  });

  it("the lags the engine's lookahead is made of: a request's chip leg and path, a home's probe lookup and path, an IPI's wire", () => {
    const { chip, probe, hop, occupancy } = net.t;
    expect(net.lags(3, 3)).toEqual({ request: chip, answer: probe, ipi: 2 * chip });
    // 7 to 2 is three hops; a probe's path is shorter than a completion's answer plus its chip leg.
    expect(net.lags(7, 2)).toEqual({ request: chip + 3 * hop + occupancy.request, answer: probe + 3 * hop + occupancy.probe, ipi: 2 * chip + 3 * hop + occupancy.request });
    // On the front-side bus no path: the die's L2 transfer is the quickest answer.
    const fsb = interconnectOf(preset("intel-2x4")!);
    expect(fsb.lags(0, 1)).toEqual({ request: 7, answer: 15, ipi: 14 });
  });
});
